//! The engine's JSON tree to YAML text, for `expand --format yaml`.
//!
//! The output uses long-form intrinsics (`Ref:`, `Fn::GetAtt:`), exactly the keys the JSON output has,
//! so it reads back (with this crate's reader, cfn-lint, or CloudFormation) as the same template.
//! Block style throughout; `{}` and `[]` for empty collections. A string is written plain only when no
//! YAML reader, 1.1 or 1.2, could take it for anything else (a number, a boolean, a date, null, an
//! indicator); otherwise it is double-quoted. Multi-line strings (inline code, policies) become literal
//! blocks when that is exact, and double-quoted strings when it is not.

use canary_engine::json::{Map, Value};

/// The YAML text of `value`, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0, false),
        // A root literal block still indents its lines, so none can read as `---` or `...`.
        scalar => inline_value(&mut out, scalar, 2),
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Entries at column `n`; when `first_inline`, the first one continues a `- ` already written.
fn mapping(out: &mut String, map: &Map, n: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, n);
        }
        string(out, key);
        out.push(':');
        match value {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                mapping(out, m, n + 2, false);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                sequence(out, items, n + 2, false);
            }
            scalar => {
                out.push(' ');
                inline_value(out, scalar, n + 2);
            }
        }
    }
}

fn sequence(out: &mut String, items: &[Value], n: usize, first_inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, n);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => mapping(out, m, n + 2, true),
            Value::Array(inner) if !inner.is_empty() => sequence(out, inner, n + 2, true),
            scalar => inline_value(out, scalar, n + 2),
        }
    }
}

/// A scalar or an empty collection, then the newline; a literal block's lines sit at column `n`.
fn inline_value(out: &mut String, value: &Value, n: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(num) => out.push_str(&num.to_string()),
        Value::String(s) if literal_block_fits(s) => {
            literal_block(out, s, n);
            return;
        }
        Value::String(s) => string(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
    out.push('\n');
}

fn string(out: &mut String, s: &str) {
    if plain_is_safe(s) {
        out.push_str(s);
    } else {
        double_quoted(out, s);
    }
}

/// Whether `s`, written bare, reads back as exactly this string under YAML 1.2 and 1.1 alike.
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if s.starts_with(' ') || s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    if !s.chars().all(|c| c != '\t' && printable(c)) {
        return false;
    }
    // Anything that begins like a number, or a date or time under YAML 1.1, is quoted.
    let mut chars = s.chars();
    let lead = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    if lead.is_ascii_digit() || (matches!(lead, '+' | '.') && (second.is_ascii_digit() || second == '.')) {
        return false;
    }
    const RESERVED: &[&str] = &[
        "~", "null", "true", "false", "yes", "no", "y", "n", "on", "off", "=", "<<", ".inf", "+.inf",
        "-.inf", ".nan",
    ];
    !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

/// Characters a YAML reader takes as they are: no control characters, no C1 controls, and none of
/// the characters YAML 1.1 reads as line breaks (U+0085, U+2028, U+2029) nor a byte-order mark.
fn printable(c: char) -> bool {
    match c {
        '\t' => true,
        '\u{20}'..='\u{7e}' => true,
        '\u{a0}'..='\u{d7ff}' => !matches!(c, '\u{2028}' | '\u{2029}'),
        '\u{e000}'..='\u{fffd}' => c != '\u{feff}',
        '\u{10000}'..='\u{10ffff}' => true,
        _ => false,
    }
}

fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
}

/// A literal block (`|`) is exact when every line is printable text without tabs or carriage returns,
/// and the first line does not start with a space (that would need an indentation indicator).
fn literal_block_fits(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && s.chars().all(|c| c == '\n' || (c != '\t' && printable(c)))
}

fn literal_block(out: &mut String, s: &str, n: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, n);
            out.push_str(line);
        }
        out.push('\n');
    }
    // With `|+`, every newline past the first is an empty line of its own.
    for _ in 1..trailing {
        out.push('\n');
    }
}
