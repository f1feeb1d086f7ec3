//! YAML templates to the engine's JSON tree, with CloudFormation's short-form tags turned into long forms.
//!
//! The syntax is read by libyaml (`yaml::events`), the parser under PyYAML, cfn-lint and
//! `aws cloudformation package`, so a template one of them reads is read here the same way; this module
//! builds the tree from its events, because a tree loader would drop tags and key order.
//! What a CloudFormation user expects, and what this module does:
//! - every short form (`!Ref`, `!GetAtt`, `!Sub`, … see [`SHORT_FORMS`]) becomes its long form
//!   (`{Ref: …}`, `{Fn::GetAtt: …}`); `!GetAtt a.b.c` splits at the FIRST dot, as CloudFormation does;
//! - plain scalars follow the YAML 1.2 core schema, as CloudFormation does: `yes`, `no`, `on`, `off` and
//!   dates stay strings, quoted scalars are always strings.
//!   One deliberate exception: a decimal with a leading zero (`012345678901`, an account ID) stays a
//!   string, because a number would silently lose the zero; so does an integer too big for 64 bits;
//! - anchors and aliases are resolved, and `<<` merge keys are merged, as `aws cloudformation package`
//!   does (CloudFormation itself refuses aliases);
//! - a duplicate key, an unknown tag, a key that is not a scalar, or an anchor name given twice (which
//!   PyYAML refuses) is an error naming its line and column; these are collected, so one run reports
//!   them all; a syntax error says, for a tab or a bad indent, which line and what to do;
//! - nesting deeper than [`MAX_DEPTH`] and anchors and aliases copying past [`MAX_COPIED_NODES`] are refused, so a
//!   hostile input cannot overflow the stack or exhaust memory.

use std::collections::HashMap;
use std::fmt;

use canary_engine::cfn;
use canary_engine::json::{Map, Number, Value};
use canary_engine::limits::MAX_DEPTH;

mod events;

use events::{Event, Mark, Parser, ScalarStyle};

/// CloudFormation's short-form tags and the long-form keys they stand for.
pub const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", cfn::REF),
    ("Condition", cfn::CONDITION),
    ("GetAtt", cfn::GET_ATT),
    ("Sub", cfn::SUB),
    ("Join", cfn::JOIN),
    ("Select", cfn::SELECT),
    ("Split", cfn::SPLIT),
    ("If", cfn::IF),
    ("Equals", cfn::EQUALS),
    ("Not", cfn::NOT),
    ("And", cfn::AND),
    ("Or", cfn::OR),
    ("FindInMap", cfn::FIND_IN_MAP),
    ("Base64", cfn::BASE64),
    ("Cidr", cfn::CIDR),
    ("GetAZs", cfn::GET_AZS),
    ("ImportValue", cfn::IMPORT_VALUE),
    ("Transform", cfn::TRANSFORM),
    ("Length", cfn::LENGTH),
    ("ToJsonString", cfn::TO_JSON_STRING),
    // Rule functions, valid in a template's `Rules` section.
    ("Contains", cfn::CONTAINS),
    ("EachMemberEquals", cfn::EACH_MEMBER_EQUALS),
    ("EachMemberIn", cfn::EACH_MEMBER_IN),
    ("RefAll", cfn::REF_ALL),
    ("ValueOf", cfn::VALUE_OF),
    ("ValueOfAll", cfn::VALUE_OF_ALL),
];

/// How many values anchors and aliases may copy in total. Each alias is a copy of its anchor, and each
/// anchor is kept as a copy until the end; without a bound, an alias of an alias of … (a "billion
/// laughs"), or a hundred anchors nested in each other, would exhaust memory. Real templates copy a
/// few hundred values.
pub const MAX_COPIED_NODES: usize = 2_000_000;

const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// A problem in the YAML text, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl YamlError {
    fn at(mark: Mark, message: impl Into<String>) -> YamlError {
        YamlError { line: mark.line, col: mark.col + 1, message: message.into() }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Parses one YAML document into a `Value`, keeping key order. On failure, every error found (a
/// syntax error stops the parse; duplicate keys and unknown tags are collected), in text order.
pub fn parse(text: &str) -> Result<Value, Vec<YamlError>> {
    let mut builder = Builder {
        parser: Parser::new(text),
        text,
        line_starts: Vec::new(),
        anchors: HashMap::new(),
        anchor_lines: HashMap::new(),
        open_anchors: Vec::new(),
        copied_nodes: 0,
        errors: Vec::new(),
    };
    match builder.document() {
        Ok(value) if builder.errors.is_empty() => Ok(value),
        Ok(_) => Err(builder.errors),
        Err(fatal) => {
            builder.errors.push(fatal);
            Err(builder.errors)
        }
    }
}

/// A value with what the limits need to know about it.
#[derive(Clone)]
struct Node {
    value: Value,
    /// Containers on the deepest path through the value: 0 for a scalar.
    height: usize,
    /// Values in the tree, itself included.
    count: usize,
}

impl Node {
    fn scalar(value: Value) -> Node {
        Node { value, height: 0, count: 1 }
    }
}

struct Builder<'a> {
    parser: Parser<'a>,
    text: &'a str,
    /// Byte offsets of line starts, computed on the first error that needs them.
    line_starts: Vec<usize>,
    anchors: HashMap<String, Node>,
    /// Anchors of the collections being read, innermost last: an alias to one of them is a cycle.
    open_anchors: Vec<String>,
    /// Where each anchor name was first given.
    anchor_lines: HashMap<String, usize>,
    copied_nodes: usize,
    /// Errors that do not stop the parse.
    errors: Vec<YamlError>,
}

type Fatal = YamlError;

impl Builder<'_> {
    fn next(&mut self) -> Result<(Event, Mark), Fatal> {
        self.parser.next().map_err(|e| self.syntax_error(e))
    }

    fn document(&mut self) -> Result<Value, Fatal> {
        let (mut event, mut mark) = self.next()?;
        if matches!(event, Event::StreamStart) {
            (event, mark) = self.next()?;
        }
        match event {
            Event::DocumentStart => {}
            Event::StreamEnd => {
                return Err(YamlError::at(Mark { line: 1, col: 0 }, "the template is empty"));
            }
            other => return Err(YamlError::at(mark, format!("unexpected YAML event {other:?}"))),
        }
        let root = self.node(0)?;
        // The parser always closes a document it opened before it reports anything else.
        let (_document_end, _) = self.next()?;
        let (event, mark) = self.next()?;
        match event {
            Event::StreamEnd => Ok(root.value),
            _ => Err(YamlError::at(
                mark,
                "the file holds more than one YAML document (`---`); a template is a single document",
            )),
        }
    }

    /// libyaml's syntax error as a message that says where and what to do. Tabs and indentation
    /// are the usual mistakes in hand-written templates, and libyaml's own words for them ("found
    /// character that cannot start any token", "did not find expected key") do not say so.
    fn syntax_error(&mut self, e: events::SyntaxError) -> YamlError {
        let line_text = self.line_text(e.mark.line).unwrap_or("");
        let indent = &line_text[..line_text.len() - line_text.trim_start_matches([' ', '\t']).len()];
        let at_tab = line_text.chars().nth(e.mark.col) == Some('\t');
        if let Some(tab) = indent.find('\t').filter(|_| at_tab || e.problem.contains("tab")) {
            return YamlError {
                line: e.mark.line,
                col: indent[..tab].chars().count() + 1,
                message: format!(
                    "line {} is indented with a tab; tabs are not allowed for indentation in YAML: indent with spaces",
                    e.mark.line
                ),
            };
        }
        let mut message = e.problem.clone();
        let mut mark = e.mark;
        if let Some((context, context_mark)) = &e.context {
            message.push_str(&format!(
                " ({context} from line {}, column {})",
                context_mark.line,
                context_mark.col + 1
            ));
            // Something left open: its start is where to look.
            if e.problem.contains("unexpected end of stream") {
                mark = *context_mark;
            }
        }
        let before = line_text.chars().take(e.mark.col).collect::<String>();
        let hint = match e.problem.as_str() {
            "mapping values are not allowed in this context" if before.trim_start().contains(": ") => {
                "a plain value cannot contain `: `: quote it (`Key: \"a: b\"`), or start the nested mapping \
                 on the next line, indented further"
                    .to_owned()
            }
            "mapping values are not allowed in this context" => format!(
                "line {} is indented further than the key above it, which already has a value: \
                 indent it to the column of the keys it belongs with",
                e.mark.line
            ),
            "did not find expected key" | "did not find expected '-' indicator" => format!(
                "line {} (column {}) is not lined up with the mapping or list around it: \
                 indent it to the column of the keys or `-` items it belongs with",
                e.mark.line,
                e.mark.col + 1
            ),
            p if p.starts_with("expected <block end>") => format!(
                "check the indentation of line {}: keys of one mapping, and the `-` items of one list, \
                 start in the same column",
                e.mark.line
            ),
            _ => String::new(),
        };
        if !hint.is_empty() {
            message.push_str("; ");
            message.push_str(&hint);
        }
        YamlError::at(mark, message)
    }

    fn index_lines(&mut self) {
        if self.line_starts.is_empty() {
            self.line_starts =
                std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        }
    }

    /// The text of a 1-based line, without its line break.
    fn line_text(&mut self, line: usize) -> Option<&str> {
        self.index_lines();
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// Reads one node whose parent containers number `depth`.
    fn node(&mut self, depth: usize) -> Result<Node, Fatal> {
        let (event, mark) = self.next()?;
        self.node_from(event, mark, depth)
    }

    fn node_from(&mut self, event: Event, mark: Mark, depth: usize) -> Result<Node, Fatal> {
        match event {
            Event::Scalar { value, style, anchor, tag } => {
                self.declare(anchor.as_deref(), mark);
                let node = match tag {
                    None => Node::scalar(resolve_plain(value, style)),
                    Some(tag) => self.tagged_scalar(value, style, &tag, mark, depth)?,
                };
                self.remember(anchor, &node, mark)?;
                Ok(node)
            }
            Event::SequenceStart { anchor, tag } => {
                self.collection(anchor, tag.as_deref(), "seq", Self::sequence, mark, depth)
            }
            Event::MappingStart { anchor, tag } => {
                self.collection(anchor, tag.as_deref(), "map", Self::mapping, mark, depth)
            }
            Event::Alias(name) => {
                let Some(node) = self.anchors.get(&name) else {
                    let message = if self.open_anchors.contains(&name) {
                        // An alias inside its own anchor would be infinite.
                        format!("the alias `*{name}` refers to the node that contains it")
                    } else {
                        format!("the alias `*{name}` refers to no anchor: define `&{name}` before it")
                    };
                    return Err(YamlError::at(mark, message));
                };
                if depth + node.height > MAX_DEPTH {
                    return Err(YamlError::at(mark, depth_message()));
                }
                let node = node.clone();
                self.charge(node.count, mark)?;
                Ok(node)
            }
            other => Err(YamlError::at(mark, format!("unexpected YAML event {other:?}"))),
        }
    }

    /// A sequence or mapping (read by `read`) with its anchor and tag: `core` is the core tag
    /// (`seq` or `map`) that matches it, any other tag must be a short form, which wraps it.
    fn collection(
        &mut self,
        anchor: Option<String>,
        tag: Option<&str>,
        core: &str,
        read: fn(&mut Self, Mark, usize) -> Result<Node, Fatal>,
        mark: Mark,
        depth: usize,
    ) -> Result<Node, Fatal> {
        let function = self.function_tag(tag, core, mark);
        let inner_depth = depth + usize::from(function.is_some());
        self.declare(anchor.as_deref(), mark);
        self.open_anchors.extend(anchor.clone());
        let node = read(self, mark, inner_depth)?;
        self.open_anchors.truncate(self.open_anchors.len() - usize::from(anchor.is_some()));
        let node = wrap(function, node, mark, depth)?;
        self.remember(anchor, &node, mark)?;
        Ok(node)
    }

    /// Records where an anchor is given; a name given twice is refused, as PyYAML (and so cfn-lint
    /// and `aws cloudformation package`) refuses it, although YAML itself would let the second one win.
    fn declare(&mut self, anchor: Option<&str>, mark: Mark) {
        let Some(anchor) = anchor else { return };
        if let Some(first) = self.anchor_lines.get(anchor) {
            self.errors.push(YamlError::at(
                mark,
                format!("the anchor `&{anchor}` is given twice (first at line {first}); give each anchor its own name"),
            ));
        } else {
            self.anchor_lines.insert(anchor.to_owned(), mark.line);
        }
    }

    fn remember(&mut self, anchor: Option<String>, node: &Node, mark: Mark) -> Result<(), Fatal> {
        if let Some(anchor) = anchor {
            self.charge(node.count, mark)?;
            self.anchors.insert(anchor, node.clone());
        }
        Ok(())
    }

    /// Counts `n` copied values against [`MAX_COPIED_NODES`].
    fn charge(&mut self, n: usize, mark: Mark) -> Result<(), Fatal> {
        self.copied_nodes += n;
        if self.copied_nodes > MAX_COPIED_NODES {
            return Err(YamlError::at(
                mark,
                format!(
                    "anchors and aliases copy more than {MAX_COPIED_NODES} values; \
                     the template is refused so that it cannot exhaust memory"
                ),
            ));
        }
        Ok(())
    }

    fn sequence(&mut self, mark: Mark, depth: usize) -> Result<Node, Fatal> {
        if depth + 1 > MAX_DEPTH {
            return Err(YamlError::at(mark, depth_message()));
        }
        let mut items = Vec::new();
        let (mut height, mut count) = (0, 1);
        loop {
            let (event, mark) = self.next()?;
            if matches!(event, Event::SequenceEnd) {
                break;
            }
            let item = self.node_from(event, mark, depth + 1)?;
            height = height.max(item.height);
            count += item.count;
            items.push(item.value);
        }
        Ok(Node { value: Value::Array(items), height: height + 1, count })
    }

    fn mapping(&mut self, mark: Mark, depth: usize) -> Result<Node, Fatal> {
        if depth + 1 > MAX_DEPTH {
            return Err(YamlError::at(mark, depth_message()));
        }
        let mut map = Map::new();
        let mut key_lines: HashMap<String, usize> = HashMap::new();
        let mut merges: Vec<(Node, Mark)> = Vec::new();
        let (mut height, mut count) = (0, 1);
        loop {
            let (event, key_mark) = self.next()?;
            let key = match event {
                Event::MappingEnd => break,
                Event::Scalar { value, style: ScalarStyle::Plain, tag: None, .. } if value == "<<" => {
                    let value = self.node(depth + 1)?;
                    merges.push((value, key_mark));
                    continue;
                }
                event => self.key(event, key_mark, depth + 1)?,
            };
            let value = self.node(depth + 1)?;
            height = height.max(value.height);
            count += value.count;
            match key {
                None => {}
                Some(key) => {
                    if let Some(first) = key_lines.get(&key) {
                        self.errors.push(YamlError::at(
                            key_mark,
                            format!("duplicate key `{key}` (first given at line {first})"),
                        ));
                    } else {
                        key_lines.insert(key.clone(), key_mark.line);
                        map.insert(key, value.value);
                    }
                }
            }
        }
        if !merges.is_empty() {
            let merged = self.merge(merges);
            height = height.max(merged.height);
            count += merged.count;
            // Merged keys come first and explicit keys override them, as PyYAML (and so
            // `aws cloudformation package`) orders them.
            let mut combined = match merged.value {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            for (key, value) in map {
                combined.insert(key, value);
            }
            map = combined;
        }
        Ok(Node { value: Value::Object(map), height: height + 1, count })
    }

    /// The mapping `<<` merges in: a mapping, or a list of mappings where earlier ones win. Keys come
    /// in PyYAML's order (`aws cloudformation package` reads merges with it): a list's mappings are
    /// taken last to first, several `<<` keys in turn, and a later value replaces an earlier one in
    /// the earlier one's place.
    fn merge(&mut self, merges: Vec<(Node, Mark)>) -> Node {
        let mut merged = Map::new();
        let (mut height, mut count) = (0, 0);
        let mut take = |m: Map| {
            for (key, value) in m {
                merged.insert(key, value);
            }
        };
        for (node, mark) in merges {
            count += node.count;
            match node.value {
                Value::Object(m) => {
                    height = height.max(node.height.saturating_sub(1));
                    take(m);
                }
                Value::Array(items) if items.iter().all(Value::is_object) => {
                    height = height.max(node.height.saturating_sub(2));
                    for item in items.into_iter().rev() {
                        if let Value::Object(m) = item {
                            take(m);
                        }
                    }
                }
                _ => self.errors.push(YamlError::at(
                    mark,
                    "a merge key `<<` takes a mapping or a list of mappings (usually an alias such as `*defaults`)",
                )),
            }
        }
        Node { value: Value::Object(merged), height, count }
    }

    /// A mapping key: its text, or `None` after recording why it cannot be one.
    fn key(&mut self, event: Event, mark: Mark, depth: usize) -> Result<Option<String>, Fatal> {
        match event {
            Event::Scalar { value, anchor, tag, .. } if tag.as_deref().is_none_or(|t| is_core(t, "str")) => {
                self.declare(anchor.as_deref(), mark);
                if let Some(anchor) = anchor {
                    self.anchors.insert(anchor, Node::scalar(Value::from(value.as_str())));
                }
                Ok(Some(value))
            }
            Event::Alias(name) => match self.anchors.get(&name).map(|n| &n.value) {
                Some(Value::String(s)) => Ok(Some(s.to_string())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(Value::Bool(b)) => Ok(Some(b.to_string())),
                _ => {
                    self.errors.push(YamlError::at(
                        mark,
                        "a mapping key must be a string, not an alias to a list, mapping or null",
                    ));
                    Ok(None)
                }
            },
            event => {
                // Build the node anyway so that the parse stays in step, then refuse it.
                self.node_from(event, mark, depth)?;
                self.errors.push(YamlError::at(
                    mark,
                    "a mapping key must be a string; CloudFormation does not accept lists, mappings or tagged values as keys",
                ));
                Ok(None)
            }
        }
    }

    /// The long-form key for a tag on a collection, or `None` for no tag or a core tag that matches
    /// the collection (`!!seq`, `!!map`). Records an error for anything else.
    fn function_tag(&mut self, tag: Option<&str>, core: &str, mark: Mark) -> Option<&'static str> {
        let tag = tag?;
        if is_core(tag, core) {
            return None;
        }
        match short_form(tag) {
            Some(long) => Some(long),
            None => {
                self.unknown_tag(tag, mark);
                None
            }
        }
    }

    /// Records an unknown tag, placed where the tag is written.
    fn unknown_tag(&mut self, tag: &str, mark: Mark) {
        let shown = match tag.strip_prefix(CORE_TAG_PREFIX) {
            Some(suffix) => format!("!!{suffix}"),
            None => tag.to_owned(),
        };
        let accepted: Vec<String> = SHORT_FORMS.iter().map(|(short, _)| format!("!{short}")).collect();
        let mut message =
            format!("unknown tag `{shown}`; CloudFormation's short forms are {}", accepted.join(", "));
        if let Some(local) = tag.strip_prefix('!') {
            let candidates: Vec<&str> = SHORT_FORMS.iter().map(|(short, _)| *short).collect();
            if let Some(close) = canary_engine::diag::did_you_mean(local, &candidates) {
                message.push_str(&format!(" (did you mean `!{close}`?)"));
            }
        }
        let (line, col) = self.find_before(&shown, mark).unwrap_or((mark.line, mark.col + 1));
        self.errors.push(YamlError { line, col, message });
    }

    /// Where `needle` is last written before `mark`, as a 1-based line and column. The parser marks
    /// a tagged node where its content starts, which for a block collection is the next line; the
    /// user wants to see the tag. Looks back at most a few lines' worth of text.
    fn find_before(&mut self, needle: &str, mark: Mark) -> Option<(usize, usize)> {
        self.index_lines();
        let line_start = *self.line_starts.get(mark.line.checked_sub(1)?)?;
        let line = &self.text[line_start..];
        let offset = line_start + line.char_indices().nth(mark.col).map_or(line.len(), |(i, _)| i);
        let mut window_start = offset.saturating_sub(4096);
        while !self.text.is_char_boundary(window_start) {
            window_start += 1;
        }
        let found = window_start + self.text[window_start..offset].rfind(needle)?;
        let line_idx = self.line_starts.partition_point(|&start| start <= found) - 1;
        let col = self.text[self.line_starts[line_idx]..found].chars().count() + 1;
        Some((line_idx + 1, col))
    }

    fn tagged_scalar(
        &mut self,
        text: String,
        style: ScalarStyle,
        tag: &str,
        mark: Mark,
        depth: usize,
    ) -> Result<Node, Fatal> {
        if let Some(suffix) = tag.strip_prefix(CORE_TAG_PREFIX) {
            return Ok(Node::scalar(match suffix {
                "str" => Value::String(text.into()),
                "null" | "bool" | "int" | "float" => {
                    let value = resolve_plain(text.clone(), ScalarStyle::Plain);
                    let fits = match suffix {
                        "null" => value.is_null(),
                        "bool" => value.is_boolean(),
                        "int" => value.is_i64() || value.is_u64(),
                        _ => value.is_number(),
                    };
                    if !fits {
                        self.errors.push(YamlError::at(mark, format!("`{text}` is not a valid !!{suffix}")));
                    }
                    value
                }
                _ => {
                    self.unknown_tag(tag, mark);
                    Value::String(text.into())
                }
            }));
        }
        // libyaml reads the non-specific tag `!` as no tag at all, quoted or not, and PyYAML resolves
        // such a scalar as a plain one (`! 12` is a number).
        if tag == "!" {
            return Ok(Node::scalar(resolve_plain(text, ScalarStyle::Plain)));
        }
        let Some(long) = short_form(tag) else {
            self.unknown_tag(tag, mark);
            return Ok(Node::scalar(resolve_plain(text, style)));
        };
        if depth + 1 > MAX_DEPTH {
            return Err(YamlError::at(mark, depth_message()));
        }
        // A function's scalar argument is a name or a string (`!Ref 123` names `123`), never a number.
        let inner = if long == cfn::GET_ATT {
            match text.split_once('.') {
                Some((resource, attribute)) if !resource.is_empty() && !attribute.is_empty() => {
                    Node { value: Value::Array(vec![resource.into(), attribute.into()]), height: 1, count: 3 }
                }
                _ => {
                    self.errors.push(YamlError::at(
                        mark,
                        format!(
                            "!GetAtt `{text}` has no attribute; write `!GetAtt LogicalId.Attribute` \
                             or `!GetAtt [LogicalId, Attribute]`"
                        ),
                    ));
                    Node::scalar(Value::String(text.into()))
                }
            }
        } else {
            Node::scalar(Value::String(text.into()))
        };
        wrap(Some(long), inner, mark, depth)
    }
}

/// Wraps `node` as `{long: node}` when it carried a function tag.
fn wrap(function: Option<&'static str>, node: Node, mark: Mark, depth: usize) -> Result<Node, Fatal> {
    let Some(long) = function else { return Ok(node) };
    if depth + 1 + node.height > MAX_DEPTH {
        return Err(YamlError::at(mark, depth_message()));
    }
    let mut map = Map::new();
    map.insert(long.to_owned(), node.value);
    Ok(Node { value: Value::Object(map), height: node.height + 1, count: node.count + 1 })
}

/// The long form of a short-form tag such as `!Ref` (libyaml hands tags over with their handle
/// resolved, so a local tag is `!` followed by its name).
fn short_form(tag: &str) -> Option<&'static str> {
    let name = tag.strip_prefix('!')?;
    SHORT_FORMS.iter().find(|(short, _)| *short == name).map(|(_, long)| *long)
}

fn is_core(tag: &str, suffix: &str) -> bool {
    tag.strip_prefix(CORE_TAG_PREFIX) == Some(suffix)
}

/// Why a template nested past [`MAX_DEPTH`] is refused, whether it was read as YAML or as JSON.
pub(crate) fn depth_message() -> String {
    format!("the template nests deeper than {MAX_DEPTH} levels, which no CloudFormation template needs")
}

/// The YAML 1.2 core schema for an untagged scalar, with the exceptions in the module docs.
fn resolve_plain(text: String, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.into());
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(number) = resolve_number(&text) {
        return Value::Number(number);
    }
    Value::String(text.into())
}

fn resolve_number(text: &str) -> Option<Number> {
    let bytes = text.as_bytes();
    // `from_str_radix` would also take a sign; the core schema's hex and octal have none.
    if let Some(hex) =
        text.strip_prefix("0x").filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return u64::from_str_radix(hex, 16).ok().map(Number::from);
    }
    if let Some(oct) =
        text.strip_prefix("0o").filter(|o| !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)))
    {
        return u64::from_str_radix(oct, 8).ok().map(Number::from);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 1 && digits.starts_with('0') {
            return None;
        }
        let unsigned = text.strip_prefix('+').unwrap_or(text);
        return unsigned
            .parse::<u64>()
            .map(Number::from)
            .or_else(|_| unsigned.parse::<i64>().map(Number::from))
            .ok();
    }
    if is_core_float(bytes) {
        let f: f64 = text.parse().ok()?;
        return Number::from_f64(f);
    }
    None
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`, the core schema's float
/// (infinities and NaN have no JSON form and stay strings).
fn is_core_float(b: &[u8]) -> bool {
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - start;
    } else if int_digits == 0 {
        return false;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_numbers() {
        let n = |t: &str| resolve_plain(t.to_owned(), ScalarStyle::Plain);
        assert_eq!(n("0x1F"), Value::from(31));
        assert_eq!(n("0o17"), Value::from(15));
        for string in ["0x+1", "0x", "0o8", "0o-1", "1_000", "+", "-", "0123", "-012"] {
            assert_eq!(n(string), Value::from(string), "{string}");
        }
        assert_eq!(n("+5"), Value::from(5));
        assert_eq!(n("-0"), Value::from(0));
        assert_eq!(n("0"), Value::from(0));
        assert_eq!(n("18446744073709551615"), Value::from(u64::MAX));
        assert_eq!(n("-9223372036854775808"), Value::from(i64::MIN));
    }

    #[test]
    fn core_schema_floats() {
        for ok in ["1.5", "-1.5", ".5", "1.", "1e3", "1.5E-3", "+2.0"] {
            assert!(is_core_float(ok.as_bytes()), "{ok}");
        }
        for bad in [".", "e3", "1e", "1.5.5", "-", "1_000.0", "0x1p3"] {
            assert!(!is_core_float(bad.as_bytes()), "{bad}");
        }
    }
}
