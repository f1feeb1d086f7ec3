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
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(Vec<Segment>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// The path to a resource: `Resources/<logical_id>`.
    pub fn resource(logical_id: &str) -> Path {
        Path(vec![Segment::Key("Resources".to_owned()), Segment::Key(logical_id.to_owned())])
    }

    /// Extends this path in place by an object key (the cheap form of [`Path::key`] for a path
    /// built step by step).
    pub fn push_key(&mut self, key: &str) {
        self.0.push(Segment::Key(key.to_owned()));
    }

    /// Extends this path in place by a list index.
    pub fn push_index(&mut self, index: usize) {
        self.0.push(Segment::Index(index));
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> Path {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        Path(segments)
    }

    /// This path extended by a list index.
    pub fn index(&self, index: usize) -> Path {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Path(segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(template)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            match segment {
                // Most keys need no escaping; only those pay for the replaced copy.
                Segment::Key(key) if key.contains(['~', '/']) => {
                    f.write_str(&key.replace('~', "~0").replace('/', "~1"))?
                }
                Segment::Key(key) => f.write_str(key)?,
                Segment::Index(index) => write!(f, "{index}")?,
            }
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

/// The closest of `candidates` to `word`, when close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word_lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours
/// each cost one, so `Tpye` is one step from `Type`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_escapes_slashes_and_tildes() {
        let p = Path::resource("Api").key("Body").key("/pets/{id}").key("a~b").index(3);
        assert_eq!(p.to_string(), "Resources/Api/Body/~1pets~1{id}/a~0b/3");
    }

    #[test]
    fn did_you_mean_finds_typos() {
        assert_eq!(did_you_mean("Tpye", &["Type", "Alias", "Alarms"]), Some("Type"));
        assert_eq!(did_you_mean("alais", &["Type", "Alias", "Alarms"]), Some("Alias"));
        assert_eq!(did_you_mean("Frobnicate", &["Type", "Alias"]), None);
    }
}
