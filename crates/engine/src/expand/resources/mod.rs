//! One file per generated resource type (SPEC §4). Each builds the resource's JSON from typed inputs;
//! none of them looks at the template or decides whether a function is marked.

pub mod alarm;
pub mod alias;
pub mod application;
pub mod deployment_config;
pub mod deployment_group;
pub mod hook_policy;
pub mod role;
pub mod version;

use serde_json::{json, Map, Value};

/// A resource with its `Type`, optional `Condition`, and `Properties`.
pub fn resource(
    resource_type: &str,
    condition: Option<&str>,
    properties: Map<String, Value>,
) -> Map<String, Value> {
    let mut res = Map::new();
    res.insert("Type".into(), resource_type.into());
    if let Some(condition) = condition {
        res.insert("Condition".into(), condition.into());
    }
    res.insert("Properties".into(), Value::Object(properties));
    res
}

/// `value` when `condition` holds, nothing otherwise. Used inside a shared resource (one role, one
/// hook policy) for an entry that belongs to a conditional function: a `GetAtt` of a resource whose
/// condition is false would fail the stack.
pub fn only_if(condition: Option<&str>, value: Value) -> Value {
    match condition {
        None => value,
        Some(condition) => json!({"Fn::If": [condition, value, {"Ref": "AWS::NoValue"}]}),
    }
}

/// `arn:${AWS::Partition}:…`: ARNs are partition-aware, never `arn:aws` literals.
pub fn sub(template: &str) -> Value {
    json!({ "Fn::Sub": template })
}

pub fn reference(logical_id: &str) -> Value {
    json!({ "Ref": logical_id })
}

pub fn get_att(logical_id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [logical_id, attribute] })
}
