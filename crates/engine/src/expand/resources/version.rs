//! `AWS::Lambda::Version` `<Fn>Version<10 hex>`.
//!
//! The hash covers what Lambda snapshots into a version (the function's properties, without `Tags`
//! and `ReservedConcurrentExecutions`, which are function-level, and without our own setting) and the
//! values of every parameter those properties reference. A change of code, configuration or a
//! referenced parameter therefore gives a new logical ID, which makes CloudFormation publish a new
//! version; an unchanged function keeps its ID and publishes nothing. Keys are hashed in sorted order,
//! so reformatting a template does not publish a version.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{reference, resource};
use crate::ids;

/// Properties that do not belong to a published version.
const NOT_VERSIONED: &[&str] = &["Tags", "ReservedConcurrentExecutions", crate::expand::index::SETTING_KEY];

/// The 10 hex digits of the version's logical ID.
pub fn content_hash(
    properties: &Map<String, Value>,
    parameters: &Map<String, Value>,
    parameter_values: &Map<String, Value>,
) -> String {
    let mut versioned = Map::new();
    for (key, value) in properties {
        if !NOT_VERSIONED.contains(&key.as_str()) {
            versioned.insert(key.clone(), value.clone());
        }
    }
    let mut referenced = BTreeSet::new();
    for value in versioned.values() {
        collect_parameter_refs(value, parameters, &mut referenced);
    }
    let mut values = Map::new();
    for name in referenced {
        let value = parameter_values
            .get(name)
            .or_else(|| parameters.get(name).and_then(|p| p.get("Default")))
            .cloned()
            .unwrap_or(Value::Null);
        values.insert(name.to_owned(), value);
    }
    let mut canonical = String::new();
    write_canonical(&json!({"Properties": versioned, "Parameters": values}), &mut canonical);
    ids::short_hash(canonical.as_bytes(), 10)
}

pub fn version(function: &str, condition: Option<&str>) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("FunctionName".into(), reference(function));
    let mut res = resource("AWS::Lambda::Version", condition, props);
    // A replaced version must stay published: the alias (and any traffic still on it) points there
    // until CodeDeploy has moved it.
    res.insert("DeletionPolicy".into(), "Retain".into());
    res.insert("UpdateReplacePolicy".into(), "Retain".into());
    res
}

/// Parameters referenced by `Ref` or by `${Name}` in `Fn::Sub`, anywhere in `value`.
fn collect_parameter_refs<'a>(
    value: &Value,
    parameters: &'a Map<String, Value>,
    out: &mut BTreeSet<&'a str>,
) {
    match value {
        Value::Object(obj) => {
            if let (1, Some(Value::String(name))) = (obj.len(), obj.get("Ref")) {
                if let Some((key, _)) = parameters.get_key_value(name.as_str()) {
                    out.insert(key);
                }
            }
            if let Some(sub) = obj.get("Fn::Sub") {
                let (text, vars) = match sub {
                    Value::String(text) => (Some(text.as_str()), None),
                    Value::Array(parts) => {
                        (parts.first().and_then(Value::as_str), parts.get(1).and_then(Value::as_object))
                    }
                    _ => (None, None),
                };
                if let Some(text) = text {
                    for name in sub_variables(text) {
                        let shadowed = vars.is_some_and(|v| v.contains_key(name));
                        if !shadowed {
                            if let Some((key, _)) = parameters.get_key_value(name) {
                                out.insert(key);
                            }
                        }
                    }
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

/// The `${Name}` variables of a `Fn::Sub` string (not `${!Literal}`).
fn sub_variables(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| {
        let name = &rest[..rest.find('}')?];
        (!name.starts_with('!')).then_some(name.trim())
    })
}

/// JSON with object keys sorted, so the hash does not depend on how the template orders them.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(obj) => {
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&obj[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
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
