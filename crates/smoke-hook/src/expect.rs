//! Whether an answer contains what a case expects: objects by subset, recursively (every member
//! expected must be there and contain its expected value; other members are ignored); every other
//! value equal, numbers by value (`200` equals `200.0`).

use serde_json::Value;
use std::fmt;

/// Where an answer first differs from the expectation, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// RFC 6901 pointer into the answer (`/headers/content-type`); empty for the answer itself.
    pub path: String,
    pub expected: Value,
    /// `None` when the member is missing.
    pub found: Option<Value>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() { "/" } else { &self.path };
        match &self.found {
            Some(found) => {
                write!(f, "at {at}: expected {}, found {}", shown(&self.expected), shown(found))
            }
            None => write!(f, "at {at}: expected {}, found no such member", shown(&self.expected)),
        }
    }
}

/// A value as a log line shows it: compact JSON, cut at 200 characters (answers can be large).
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// `None` when `answer` contains `expected`, else the first place it does not.
pub fn mismatch(expected: &Value, answer: &Value) -> Option<Mismatch> {
    // Iterative: an expectation is bounded by Lambda's 4 KB of environment, an answer by 6 MB, and
    // neither should cost stack.
    let mut stack = vec![(expected, answer, String::new())];
    while let Some((expected, answer, path)) = stack.pop() {
        match (expected, answer) {
            (Value::Object(want), Value::Object(have)) => {
                for (key, want) in want.iter().rev() {
                    let at = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                    match have.get(key) {
                        Some(have) => stack.push((want, have, at)),
                        None => return Some(Mismatch { path: at, expected: want.clone(), found: None }),
                    }
                }
            }
            (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
            (a, b) if a == b => {}
            (expected, found) => {
                return Some(Mismatch { path, expected: expected.clone(), found: Some(found.clone()) })
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(expected: Value, answer: Value) -> String {
        mismatch(&expected, &answer).map_or_else(|| "contained".to_owned(), |m| m.to_string())
    }

    #[test]
    fn objects_are_compared_by_subset_recursively() {
        let answer = json!({"statusCode": 200, "headers": {"a/b": "x", "c": "y"}, "body": "{\"ok\":true}"});
        assert_eq!(check(json!({"statusCode": 200}), answer.clone()), "contained");
        assert_eq!(check(json!({"headers": {"a/b": "x"}}), answer.clone()), "contained");
        assert_eq!(check(json!({}), answer.clone()), "contained");
        assert_eq!(check(json!({"statusCode": 200.0}), answer.clone()), "contained");
        assert_eq!(
            check(json!({"statusCode": 500}), answer.clone()),
            "at /statusCode: expected 500, found 200"
        );
        assert_eq!(
            check(json!({"headers": {"a/b": "z"}}), answer.clone()),
            r#"at /headers/a~1b: expected "z", found "x""#
        );
        assert_eq!(check(json!({"missing": 1}), answer), "at /missing: expected 1, found no such member");
    }

    #[test]
    fn other_values_must_be_equal() {
        // Lists are values: equal, in order, not a subset.
        assert_eq!(check(json!([1, 2]), json!([1, 2])), "contained");
        assert_eq!(check(json!([1]), json!([1, 2])), "at /: expected [1], found [1,2]");
        assert_eq!(check(json!("ok"), json!("ok")), "contained");
        assert_eq!(check(json!(null), json!(null)), "contained");
        assert_eq!(check(json!(null), json!({})), "at /: expected null, found {}");
        assert_eq!(check(json!({"a": 1}), json!("a")), r#"at /: expected {"a":1}, found "a""#);
        assert_eq!(check(json!("200"), json!(200)), r#"at /: expected "200", found 200"#);
    }

    #[test]
    fn a_large_answer_is_cut_in_the_message() {
        let long = "x".repeat(1000);
        let message = check(json!({"body": "short"}), json!({"body": long}));
        assert!(message.chars().count() < 260, "{message}");
        assert!(message.ends_with('…'));
    }
}
