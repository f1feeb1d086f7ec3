//! The JSON tree the engine reads and writes: [`Value`], [`Map`] and [`Str`].
//!
//! serde_json still reads and writes the text; only the tree is ours. `serde_json::Value` (with
//! `preserve_order`) makes every object an `IndexMap`: two allocations, and a SipHash of every key
//! as it is read, plus one allocation per key and per string. A template is a tree of small objects
//! with short keys and short strings, so reading one into that tree cost more than the expansion's
//! whole budget over reading and writing (`bench/`). Here an object is its members in order, searched
//! in order while small and through a hash index once large (`Resources`, `Outputs`), and strings of
//! up to 24 bytes live inline. The API follows serde_json's, so code reads the same.

mod map;
mod value;

pub use self::map::{Entry, KeyHasher, KeyHashing, Map};
pub use self::value::{from_str_strict, Number, Value, ValueIndex};

/// A string in the tree: inline up to 24 bytes (nearly every key, logical id and type name), on the
/// heap beyond.
pub type Str = compact_str::CompactString;

#[doc(hidden)]
pub use serde_json as __serde_json;

/// `json!` with serde_json's syntax, producing a [`Value`]. It goes through `serde_json::Value`, so
/// it is for tests and messages, not for building resources per function.
#[macro_export]
macro_rules! json {
    ($($tokens:tt)+) => {
        $crate::json::Value::from($crate::json::__serde_json::json!($($tokens)+))
    };
}

/// The member `key` of `value`, when `value` is an object that has it.
pub fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.as_object()?.get(key)
}

/// The string member `key` of `value` (a resource's `Type`, say).
pub fn get_str<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    get(value, key).and_then(Value::as_str)
}

/// What a value is, as a message names it.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How deeply objects and lists nest in JSON text (`{}` at the top is 1), so that a depth limit can
/// be checked on text without building its tree, or before serde_json's own recursion limit (128)
/// would refuse it with a less helpful message. One pass over the bytes, skipping string contents;
/// for valid JSON it equals the height of the tree the text reads into.
pub fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for byte in text.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests;
