//! `AWS::Lambda::Version` `<Fn>Version<10 hex>`.
//!
//! The hash covers what Lambda snapshots into a version (the function's properties, without `Tags`
//! and `ReservedConcurrentExecutions`, which are function-level, and without our own setting) and the
//! values of every parameter those properties reference. A change of code, configuration or a
//! referenced parameter therefore gives a new logical ID, which makes CloudFormation publish a new
//! version; an unchanged function keeps its ID and publishes nothing. Keys are hashed in sorted order,
//! so reformatting a template does not publish a version.

use std::collections::BTreeSet;

use crate::json::{Map, Str, Value};
use sha2::{Digest, Sha256};

use super::{reference, resource};
use crate::ids;

/// Properties that do not belong to a published version.
const NOT_VERSIONED: &[&str] = &["Tags", "ReservedConcurrentExecutions", crate::expand::index::SETTING_KEY];

/// The 10 hex digits of the version's logical ID: SHA-256 over the canonical JSON of
/// `{"Parameters": {referenced parameter: value}, "Properties": {versioned properties}}`, written
/// into one buffer and hashed at once (a hasher fed piece by piece spent more on the pieces than on
/// the hashing).
pub fn content_hash(properties: &Map, parameters: &Map, parameter_values: &Map) -> String {
    let versioned = |key: &Str| !NOT_VERSIONED.contains(&key.as_str());
    let mut referenced = BTreeSet::new();
    for (_, value) in properties.iter().filter(|(key, _)| versioned(key)) {
        collect_parameter_refs(value, parameters, &mut referenced);
    }
    let mut canonical = Vec::with_capacity(1024);
    canonical.extend_from_slice(b"{\"Parameters\":{");
    for (i, name) in referenced.into_iter().enumerate() {
        if i > 0 {
            canonical.push(b',');
        }
        let value = parameter_values
            .get(name)
            .or_else(|| parameters.get(name).and_then(|p| p.get("Default")))
            .unwrap_or(&Value::Null);
        write_string(name, &mut canonical);
        canonical.push(b':');
        write_canonical(value, &mut canonical);
    }
    canonical.extend_from_slice(b"},\"Properties\":");
    write_object(properties.iter().filter(|(key, _)| versioned(key)), &mut canonical);
    canonical.push(b'}');
    ids::hex_prefix(&Sha256::digest(&canonical), 10)
}

pub fn version(function: &str, condition: Option<&str>) -> Map {
    let mut props = Map::with_capacity(1);
    props.insert("FunctionName", reference(function));
    let mut res = resource("AWS::Lambda::Version", condition, props);
    // A replaced version must stay published: the alias (and any traffic still on it) points there
    // until CodeDeploy has moved it.
    res.insert("DeletionPolicy", "Retain".into());
    res.insert("UpdateReplacePolicy", "Retain".into());
    res
}

/// Parameters referenced by `Ref` or by `${Name}` in `Fn::Sub`, anywhere in `value`.
fn collect_parameter_refs<'a>(value: &Value, parameters: &'a Map, out: &mut BTreeSet<&'a str>) {
    match value {
        Value::Object(obj) => {
            if let (1, Some(Value::String(name))) = (obj.len(), obj.get("Ref")) {
                if let Some((key, _)) = parameters.get_key_value(name.as_str()) {
                    out.insert(key);
                }
            }
            if let Some(sub) = obj.get("Fn::Sub") {
                let no_vars = Map::new();
                let (text, vars) = match sub {
                    Value::String(text) => (Some(text.as_str()), &no_vars),
                    Value::Array(parts) => (
                        parts.first().and_then(Value::as_str),
                        parts.get(1).and_then(Value::as_object).unwrap_or(&no_vars),
                    ),
                    _ => (None, &no_vars),
                };
                if let Some(text) = text {
                    crate::rewire::sub_references(text, vars, &mut |name| {
                        if let Some((key, _)) = parameters.get_key_value(name) {
                            out.insert(key);
                        }
                    });
                }
            }
            for v in obj.values() {
                collect_parameter_refs(v, parameters, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_parameter_refs(v, parameters, out)),
        _ => {}
    }
}

/// JSON with object keys sorted, so the hash does not depend on how the template orders them.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(obj) => write_object(obj.iter(), out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(s, out),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { &b"true"[..] } else { &b"false"[..] }),
        // Writing into a `Vec` cannot fail.
        Value::Number(n) => {
            let _ = serde_json::to_writer(&mut *out, n);
        }
    }
}

fn write_object<'a>(members: impl Iterator<Item = (&'a Str, &'a Value)>, out: &mut Vec<u8>) {
    let mut members: Vec<(&Str, &Value)> = members.collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        write_canonical(value, out);
    }
    out.push(b'}');
}

/// A string as serde_json writes it, quotes and escapes included.
fn write_string(s: &str, out: &mut Vec<u8>) {
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

#[cfg(test)]
mod tests {
    use crate::json;

    use super::*;

    fn hash(props: Value, params: Value, values: Value) -> String {
        content_hash(props.as_object().unwrap(), params.as_object().unwrap(), values.as_object().unwrap())
    }

    #[test]
    fn hash_ignores_key_order_tags_and_concurrency() {
        let a = hash(json!({"Runtime": "python3.12", "Handler": "a.h"}), json!({}), json!({}));
        let b = hash(
            json!({"Handler": "a.h", "Tags": [{"Key": "k", "Value": "v"}], "Runtime": "python3.12",
                   "ReservedConcurrentExecutions": 5}),
            json!({}),
            json!({}),
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 10);
        let c = hash(json!({"Runtime": "python3.13", "Handler": "a.h"}), json!({}), json!({}));
        assert_ne!(a, c);
    }

    #[test]
    fn hash_follows_referenced_parameter_values() {
        let props = json!({"Code": {"S3Key": {"Ref": "CodeKey"}}, "Environment": {"Variables": {"A": {"Fn::Sub": "${Stage}-x"}}}});
        let params = json!({"CodeKey": {"Type": "String", "Default": "v1.zip"}, "Stage": {"Type": "String"}, "Unused": {"Type": "String"}});
        let base = hash(props.clone(), params.clone(), json!({"Stage": "dev"}));
        assert_eq!(base, hash(props.clone(), params.clone(), json!({"Stage": "dev", "Unused": "x"})));
        assert_ne!(base, hash(props.clone(), params.clone(), json!({"Stage": "prod"})));
        assert_ne!(base, hash(props, params, json!({"Stage": "dev", "CodeKey": "v2.zip"})));
    }
}
