//! Diagnostics: what went wrong (or deserves a look), and where in the template.
//!
//! A [`Path`] is built by pushing segments during the descent, never rebuilt from strings afterwards.
//! It displays as `Resources/Api/Properties/CanaryDeployment/Tpye`, escaping `~` as `~0` and `/` as `~1`
//! inside a segment (RFC 6901), so OpenAPI keys such as `/pets/{id}` stay unambiguous.

use std::fmt;

/// One step of a [`Path`]: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where a value sits in the template, from its root.
///
/// Held as one string, every segment written as `/` and the key RFC 6901-escaped, or `/~i` and the
/// index (an escaped key never holds `~i`): a path is cloned and extended for every moved reference
/// and every diagnostic, and one allocation per path, instead of one per segment, was the difference
/// that showed in profiles. Ordering compares segment by segment, indexes as numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Path(String);

const INDEX_MARK: &str = "~i";

impl Path {
    pub fn root() -> Path {
        Path(String::new())
    }

    /// The path to a resource: `Resources/<logical_id>`.
    pub fn resource(logical_id: &str) -> Path {
        // Room for the `Properties/<name>` most paths go on to.
        let mut text = String::with_capacity(logical_id.len() + 48);
        text.push_str("/Resources");
        let mut path = Path(text);
        path.push_key(logical_id);
        path
    }

    /// Extends this path in place by an object key (the cheap form of [`Path::key`] for a path
    /// built step by step).
    pub fn push_key(&mut self, key: &str) {
        self.0.push('/');
        if key.bytes().any(|b| b == b'~' || b == b'/') {
            self.0.push_str(&key.replace('~', "~0").replace('/', "~1"));
        } else {
            self.0.push_str(key);
        }
    }

    /// Extends this path in place by a list index.
    pub fn push_index(&mut self, index: usize) {
        use std::fmt::Write;
        self.0.push('/');
        self.0.push_str(INDEX_MARK);
        let _ = write!(self.0, "{index}");
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> Path {
        let mut path = self.with_room(key.len() + 1);
        path.push_key(key);
        path
    }

    /// This path extended by a list index.
    pub fn index(&self, index: usize) -> Path {
        let mut path = self.with_room(8);
        path.push_index(index);
        path
    }

    /// A copy of this path with room to grow by `extra` bytes without reallocating.
    pub fn with_room(&self, extra: usize) -> Path {
        let mut text = String::with_capacity(self.0.len() + extra);
        text.push_str(&self.0);
        Path(text)
    }

    /// Writes the path as it displays, faster than through `Display` for a path without indexes
    /// (its text is then the display itself); for hashing what moved, many times per API.
    pub fn write_display(&self, out: &mut Vec<u8>) {
        if !self.0.contains(INDEX_MARK) && !self.0.is_empty() {
            out.extend_from_slice(&self.0.as_bytes()[1..]);
        } else {
            use std::io::Write;
            let _ = write!(out, "{self}");
        }
    }

    /// The segments, decoded.
    pub fn segments(&self) -> Vec<Segment> {
        self.encoded_segments().map(decode).collect()
    }

    fn encoded_segments(&self) -> impl Iterator<Item = &str> {
        // Escaped keys hold no `/`, so the separators are exactly the slashes.
        self.0.split('/').skip(1)
    }
}

fn decode(segment: &str) -> Segment {
    match segment.strip_prefix(INDEX_MARK).and_then(|digits| digits.parse().ok()) {
        Some(index) => Segment::Index(index),
        None if segment.contains('~') => Segment::Key(segment.replace("~1", "/").replace("~0", "~")),
        None => Segment::Key(segment.to_owned()),
    }
}

impl Ord for Path {
    fn cmp(&self, other: &Path) -> std::cmp::Ordering {
        // Only diagnostics are sorted, and they are few: decoding here costs nothing that matters.
        self.encoded_segments().map(decode).cmp(other.encoded_segments().map(decode))
    }
}

impl PartialOrd for Path {
    fn partial_cmp(&self, other: &Path) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(template)");
        }
        for (i, segment) in self.encoded_segments().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            f.write_str(segment.strip_prefix(INDEX_MARK).unwrap_or(segment))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding. `message` says what was found and what is accepted, with no trailing period;
/// `help` holds a did-you-mean suggestion or what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: Path,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(path: Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, path, message: message.into(), help: None }
    }

    pub fn warning(path: Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, path, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}: {}", self.path, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by path (then severity and text) and drops exact duplicates,
/// so output is deterministic whatever order the passes found them in.
pub fn finish(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.severity, &a.message, &a.help).cmp(&(&b.path, b.severity, &b.message, &b.help))
    });
    diagnostics.dedup();
    diagnostics
}

/// The message a panic carried, from the payload `catch_unwind` returns: `panic!("literal")` carries
/// a `&str`, a formatted `panic!` a `String`, and `panic_any` anything else (no message then). The
/// engine never panics by design; this is for the shells that catch it should it ever do so.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// The longest name a suggestion is made for or from: CloudFormation's limit on a logical ID, and
/// more than any other name the settings hold (a function name is at most 64 characters).
pub const MAX_SUGGESTED_LEN: usize = 255;

/// The closest of `candidates` to `word`, when close enough to be a likely typo.
///
/// For a short list fixed by the engine (setting keys, predefined names); a list drawn from the
/// template goes through [`Suggestions`], which bounds the work over a whole expansion.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut unbounded = usize::MAX;
    closest(word, candidates.iter().copied(), &mut unbounded)
}

/// Suggestions drawn from the template's own names (logical IDs, parameters, conditions), with a
/// budget shared by the whole expansion.
///
/// One suggestion costs a comparison with every candidate, so a template with a typo in each of
/// `n` functions would cost `n` times the template's names. Within the budget every suggestion is
/// made; past it, the remaining diagnostics come without one (the first ones, which are the ones
/// read, still have theirs).
#[derive(Debug)]
pub struct Suggestions {
    work_left: std::cell::Cell<usize>,
}

/// Candidates scanned plus cells of edit-distance table filled, per expansion: about 50 ms of work.
const SUGGESTION_WORK: usize = 20_000_000;

impl Default for Suggestions {
    fn default() -> Self {
        Suggestions { work_left: std::cell::Cell::new(SUGGESTION_WORK) }
    }
}

impl Suggestions {
    /// The closest of `candidates` to `word`, as [`did_you_mean`], while the budget lasts.
    pub fn did_you_mean<'a>(
        &self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let mut left = self.work_left.get();
        let mut containing = None;
        let suggestion = closest_or_containing(word, candidates, &mut left, Some(&mut containing));
        self.work_left.set(left);
        suggestion.or(containing)
    }
}

/// Whether `word` and a template's name `c` are one inside the other, ignoring case
/// (`PreTrafficHook` for `PreTrafficHookFunction`): 0 for a prefix, 1 for containment elsewhere.
/// Only for words of 4 characters or more, at least half as long as the longer name, so that a
/// short word is not matched inside every name.
fn containment(word: &str, c: &str) -> Option<u8> {
    let (short, long) = if word.len() <= c.len() { (word, c) } else { (c, word) };
    if short.len() < 4 || short.len() * 2 < long.len() {
        return None;
    }
    let (short, long) = (short.to_ascii_lowercase(), long.to_ascii_lowercase());
    if long.starts_with(&short) {
        Some(0)
    } else if long.contains(&short) {
        Some(1)
    } else {
        None
    }
}

/// The candidate nearest to `word` within a third of its length in edits, spending at most
/// `work_left` (one unit per candidate looked at and per table cell filled).
fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    work_left: &mut usize,
) -> Option<&'a str> {
    closest_or_containing(word, candidates, work_left, None)
}

/// [`closest`], and when `containing` is given, also the best candidate by [`containment`] (a
/// prefix first, then the shortest): a suggestion when no candidate is within reach in edits.
fn closest_or_containing<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    work_left: &mut usize,
    containing: Option<&mut Option<&'a str>>,
) -> Option<&'a str> {
    let mut best_containing: Option<(u8, usize, &'a str)> = None;
    // A candidate within reach is at most `MAX_SUGGESTED_LEN` long and a third of that away.
    if word.len() > MAX_SUGGESTED_LEN + MAX_SUGGESTED_LEN / 3 || *work_left == 0 {
        return None;
    }
    let text = word;
    let word: Vec<char> = word.to_ascii_lowercase().chars().collect();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let Some(left) = work_left.checked_sub(1) else { break };
        *work_left = left;
        let reach = (c.len() / 3).max(1);
        if containing.is_some() && c.len() <= MAX_SUGGESTED_LEN {
            // One pass over the longer name: a unit of work per byte.
            let Some(left) = work_left.checked_sub(c.len().max(word.len())) else {
                *work_left = 0;
                break;
            };
            *work_left = left;
            if let Some(rank) = containment(text, c) {
                if best_containing.is_none_or(|(r, n, _)| (rank, c.len()) < (r, n)) {
                    best_containing = Some((rank, c.len(), c));
                }
            }
        }
        // The distance is at least the difference in length, so most candidates need no table.
        if c.len() > MAX_SUGGESTED_LEN || word.len().abs_diff(c.chars().count()) > reach {
            continue;
        }
        let cells = (word.len() + 1) * (c.len() + 1);
        let Some(left) = work_left.checked_sub(cells) else {
            *work_left = 0;
            break;
        };
        *work_left = left;
        let lower: Vec<char> = c.to_ascii_lowercase().chars().collect();
        let d = edit_distance(&word, &lower);
        if d <= reach && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    if let (Some(out), Some((_, _, c))) = (containing, best_containing) {
        *out = Some(c);
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours
/// each cost one, so `Tpye` is one step from `Type`. Keeps three rows of the table, not all of it.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(row[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut row);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_inside_a_template_name_is_suggested_when_no_edit_is_close() {
        let s = Suggestions::default();
        let names = ["PreTrafficHookFunction", "PostTrafficHookFunction", "Fn"];
        assert_eq!(s.did_you_mean("PreTrafficHook", names), Some("PreTrafficHookFunction"));
        assert_eq!(s.did_you_mean("TrafficHookFunction", names), Some("PreTrafficHookFunction"));
        assert_eq!(s.did_you_mean("PreTrafficHookFn", names), Some("PreTrafficHookFunction"));
        assert_eq!(s.did_you_mean("Hook", names), None, "too short to say");
        assert_eq!(did_you_mean("PreTrafficHook", &names), None, "fixed lists suggest by edits only");
    }

    use super::*;

    #[test]
    fn path_escapes_slashes_and_tildes() {
        let p = Path::resource("Api").key("Body").key("/pets/{id}").key("a~b").index(3);
        assert_eq!(p.to_string(), "Resources/Api/Body/~1pets~1{id}/a~0b/3");
    }

    #[test]
    fn path_writes_what_it_displays() {
        let keys = Path::resource("Api").key("Body").key("/pets/{id}").key("");
        for p in [Path::root(), keys.clone(), keys.index(0).key("uri")] {
            let mut out = Vec::new();
            p.write_display(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), p.to_string());
        }
    }

    #[test]
    fn path_segments_decode_what_was_pushed() {
        let p = Path::root().key("").key("~i1").key("a/b").index(12).key("12");
        let expected = ["", "~i1", "a/b"].map(|k| Segment::Key(k.to_owned()));
        let mut expected = expected.to_vec();
        expected.extend([Segment::Index(12), Segment::Key("12".to_owned())]);
        assert_eq!(p.segments(), expected);
        assert_eq!(Path::root().segments(), []);
        assert_eq!(Path::root().to_string(), "(template)");
    }

    #[test]
    fn paths_order_by_segment_with_indexes_as_numbers() {
        let list = Path::resource("A").key("L");
        let mut paths = [list.index(10), list.index(9), list.key("z"), Path::resource("A~"), list.clone()];
        paths.sort();
        let shown: Vec<String> = paths.iter().map(Path::to_string).collect();
        assert_eq!(
            shown,
            ["Resources/A/L", "Resources/A/L/z", "Resources/A/L/9", "Resources/A/L/10", "Resources/A~0"]
        );
    }

    #[test]
    fn did_you_mean_finds_typos() {
        assert_eq!(did_you_mean("Tpye", &["Type", "Alias", "Alarms"]), Some("Type"));
        assert_eq!(did_you_mean("alais", &["Type", "Alias", "Alarms"]), Some("Alias"));
        assert_eq!(did_you_mean("Frobnicate", &["Type", "Alias"]), None);
        assert_eq!(
            did_you_mean("PretrafficHok", &["PreTrafficHook", "PostTrafficHook"]),
            Some("PreTrafficHook")
        );
    }

    #[test]
    fn names_longer_than_any_name_get_no_suggestion_and_cost_nothing() {
        let huge = "h".repeat(1_000_000);
        assert_eq!(did_you_mean(&huge, &["HookFn", &"h".repeat(300)]), None);
        let s = Suggestions::default();
        assert_eq!(s.did_you_mean(&huge, ["HookFn"]), None);
        assert_eq!(s.work_left.get(), SUGGESTION_WORK);
    }

    #[test]
    fn the_budget_ends_suggestions_not_diagnostics() {
        let ids: Vec<String> = (0..1000).map(|i| format!("Function{i:0>200}")).collect();
        let s = Suggestions::default();
        let mut made = 0;
        for i in 0..1000 {
            let typo = format!("Functoin{i:0>200}");
            if s.did_you_mean(&typo, ids.iter().map(String::as_str)).is_some() {
                made += 1;
            }
        }
        // Each suggestion fills about 200 tables of 200 x 200 cells: the budget covers a few.
        assert!(made > 0 && made < 1000, "{made} suggestions made");
        assert_eq!(s.did_you_mean("Functoin0", ["Function0"]), None, "the budget is spent");
    }
}
