//! Reading a template: from a file or standard input, bounded in size, JSON or YAML.
//!
//! The read stops one byte past [`MAX_INPUT_BYTES`], so an oversized (or endless) input is refused
//! before anything is parsed and without holding more than that in memory. Text that parses as JSON is
//! JSON (duplicate keys refused, as in YAML); anything else is read as YAML with CloudFormation's short
//! tags ([`crate::yaml`]). Either way the result must be a mapping nested at most [`MAX_DEPTH`] deep.

use std::io::Read;

use canary_engine::json::{self, Value};
use canary_engine::limits::{MAX_DEPTH, MAX_INPUT_BYTES};

use crate::yaml;

/// Why a template could not be read: an I/O problem (exit 2) or a problem with its text (exit 1).
#[derive(Debug)]
pub enum SourceError {
    Io(String),
    Template(Vec<String>),
}

/// Reads at most `MAX_INPUT_BYTES` from `reader`; `name` is how messages refer to the input.
pub fn read(name: &str, reader: impl Read) -> Result<Vec<u8>, SourceError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::Io(format!("cannot read {name}: {e}")))?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(SourceError::Template(vec![format!(
            "{name} is larger than {} MiB ({MAX_INPUT_BYTES} bytes), the most a CloudFormation macro \
             can be sent (Lambda's payload limit); the template is refused unread",
            MAX_INPUT_BYTES / (1024 * 1024)
        )]));
    }
    Ok(bytes)
}

/// Parses a template's bytes as JSON, else as YAML.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Value, SourceError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        SourceError::Template(vec![format!(
            "{name} is not UTF-8 text (invalid byte at offset {}); CloudFormation templates are UTF-8",
            e.valid_up_to()
        )])
    })?;
    let value = match json::from_str_strict(text) {
        // JSON up to serde_json's own bound (128 levels) parses; deeper JSON falls through to the
        // YAML reader, which refuses it, as any YAML past the limit, with a line and column.
        Ok(_) if json::nesting_depth(text) > MAX_DEPTH => {
            return Err(SourceError::Template(vec![format!("{name}: {}", yaml::depth_message())]));
        }
        Ok(value) => value,
        Err(json_err) if json_err.is_data() => {
            return Err(template_error(name, json_err.line(), json_err.column(), &json_err.to_string()));
        }
        Err(json_err) => match yaml::parse(text) {
            Ok(value) => value,
            Err(yaml_errors) => {
                // Report the JSON error only for text that is meant as JSON: a YAML flow mapping
                // (`{Resources: …}`) also starts with `{`, but its keys are not quoted.
                let body = text.trim_start();
                let looks_like_json = body.starts_with('[')
                    || body.strip_prefix('{').is_some_and(|rest| rest.trim_start().starts_with(['"', '}']));
                if looks_like_json && !json_err.to_string().contains("recursion limit") {
                    let (line, column) = (json_err.line(), json_err.column());
                    let hint = if comment_at(text, line, column) {
                        "; JSON has no comments: remove the comment"
                    } else {
                        ""
                    };
                    let message = json_err.to_string();
                    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
                    return Err(template_error(
                        name,
                        line,
                        column,
                        &format!("invalid JSON: {message}{hint}"),
                    ));
                }
                return Err(SourceError::Template(
                    yaml_errors.iter().map(|e| format!("{name}:{e}")).collect(),
                ));
            }
        },
    };
    if !value.is_object() {
        let found = match value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "a mapping",
        };
        return Err(SourceError::Template(vec![format!(
            "{name}: a template is a mapping with `Resources` at its top level, but this holds {found}"
        )]));
    }
    Ok(value)
}

/// Whether a `//` or `/*` comment starts at or just after serde_json's error position (1-based line
/// and column): JSON has no comments, and a templated JSON file often carries one.
fn comment_at(text: &str, line: usize, column: usize) -> bool {
    let Some(text_line) = text.lines().nth(line.saturating_sub(1)) else { return false };
    // serde_json points at the offending character or just past it.
    let at = column.saturating_sub(1);
    [at.saturating_sub(1), at].into_iter().any(|start| {
        let rest = text_line.get(start..).unwrap_or("").trim_start();
        rest.starts_with("//") || rest.starts_with("/*")
    })
}

/// serde_json's messages end in ` at line L column C`; ours put the place first, like the YAML ones.
fn template_error(name: &str, line: usize, col: usize, message: &str) -> SourceError {
    let message = message.rsplit_once(" at line ").map_or(message, |(m, _)| m);
    SourceError::Template(vec![format!("{name}:{line}:{col}: {message}")])
}
