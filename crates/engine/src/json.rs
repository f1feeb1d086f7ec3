//! Member lookups in the small objects templates are made of.
//!
//! `serde_json::Map` hashes the key (SipHash) for every lookup. A resource has three to six members
//! and most property objects fewer than ten, and the expansion looks up `Type` and `Properties` of
//! every resource several times: comparing a few short keys in order costs a tenth of hashing one.

use serde_json::{Map, Value};

/// Objects up to this many members are searched in order; larger ones through their hash index.
const SCANNED: usize = 12;

/// The member `key` of `value`, when `value` is an object that has it.
pub fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    member(value.as_object()?, key)
}

/// The member `key` of `obj`.
pub fn member<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if obj.len() <= SCANNED {
        obj.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        obj.get(key)
    }
}

/// The member `key` of `obj`, to change.
pub fn member_mut<'a>(obj: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Value> {
    if obj.len() <= SCANNED {
        obj.iter_mut().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        obj.get_mut(key)
    }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn finds_members_of_small_and_large_objects_alike() {
        let small = json!({"Type": "AWS::SNS::Topic", "Properties": {"A": 1}});
        let large: serde_json::Map<String, serde_json::Value> =
            (0..40).map(|i| (format!("K{i}"), json!(i))).collect();
        let large = serde_json::Value::Object(large);
        assert_eq!(super::get_str(&small, "Type"), Some("AWS::SNS::Topic"));
        assert_eq!(super::get(&small, "Missing"), None);
        assert_eq!(super::get(&large, "K33"), Some(&json!(33)));
        assert_eq!(super::get(&json!([1]), "Type"), None);
        let mut small = small;
        *super::member_mut(small.as_object_mut().unwrap(), "Type").unwrap() = json!("X");
        assert_eq!(small["Type"], "X");
    }
}
