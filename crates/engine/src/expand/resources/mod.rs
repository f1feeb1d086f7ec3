//! One file per generated resource type (docs/generated-resources.md). Each builds the resource's JSON from typed inputs;
//! none of them looks at the template or decides whether a function is marked. ARNs are built as
//! `arn:${AWS::Partition}:…` in a `Fn::Sub`, partition-aware, never `arn:aws` literals.

pub mod alarm;
pub mod alias;
pub mod application;
pub mod deployment_config;
pub mod deployment_group;
pub mod function;
pub mod log_group;
pub mod permission;
pub mod policy;
pub mod role;
pub mod version;

use crate::cfn;
use crate::json::{Map, Value};

/// A resource with its `Type`, optional `Condition`, and `Properties`.
pub fn resource(resource_type: &str, condition: Option<&str>, properties: Map) -> Map {
    // Room for `UpdatePolicy`, `DependsOn` and the retention policies some resources add.
    let mut resource = Map::with_capacity(6);
    resource.insert("Type", resource_type.into());
    if let Some(condition) = condition {
        resource.insert("Condition", condition.into());
    }
    resource.insert("Properties", Value::Object(properties));
    resource
}

/// `value` when `condition` holds, nothing otherwise: for an entry, in a resource that exists whatever
/// the condition (a SAM hook's `Policies`), that names what exists only under it (its functions'
/// CodeDeploy application): a reference to a resource that was not created would fail the stack.
pub fn only_if(condition: Option<&str>, value: Value) -> Value {
    match condition {
        None => value,
        Some(condition) => cfn::if_(condition, value, cfn::no_value()),
    }
}

/// An object of `entries`, in their order. Built directly rather than with `json!`, which turns a
/// `Value` or `Vec` it is given into a deep copy through the serializer, for every function.
pub fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut map = Map::with_capacity(N);
    for (key, value) in entries {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}
