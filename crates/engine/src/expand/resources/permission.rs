//! The alias's `AWS::Lambda::Permission` beside a user's permission that stays on its function
//! (docs/rewiring.md, permissions; docs/generated-resources.md), and, macro first, the permission
//! SAM would write for an event whose invoker keeps invoking the function (docs/sam.md).

use crate::cfn;
use crate::json::{Map, Value};

/// A copy of the user's permission `original` (its `Condition`, `DependsOn` and every property) with
/// `FunctionName` set to `function_name`, which names the alias: the same principal, source and
/// action, granted on the alias. `depends_on`: the alias, when `function_name` names it by its name.
pub fn alias_permission(original: &Map, function_name: Value, depends_on: Option<&str>) -> Map {
    let mut permission = Map::with_capacity(4);
    permission.insert("Type", cfn::LAMBDA_PERMISSION.into());
    for key in ["Condition", "DependsOn"] {
        if let Some(value) = original.get(key) {
            permission.insert(key, value.clone());
        }
    }
    if let Some(alias) = depends_on {
        let ids: Vec<Value> = match permission.get("DependsOn") {
            Some(Value::Array(ids)) => ids.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        let alias = Value::from(alias);
        let mut ids = ids;
        if !ids.contains(&alias) {
            ids.push(alias);
        }
        permission.insert("DependsOn", Value::Array(ids));
    }
    let mut properties = original.get("Properties").and_then(Value::as_object).cloned().unwrap_or_default();
    properties.insert("FunctionName", function_name);
    permission.insert("Properties", Value::Object(properties));
    permission
}

/// The permission of a SAM event whose invoker keeps invoking the function (`expand/sam_generated.rs`,
/// `OutsideInvoker`): SAM's resource attributes and properties, for the function.
pub fn event_permission(attributes: &Map, properties: &Map) -> Map {
    let mut permission = Map::with_capacity(2 + attributes.len());
    permission.insert("Type", cfn::LAMBDA_PERMISSION.into());
    for (key, value) in attributes {
        permission.insert(key.clone(), value.clone());
    }
    permission.insert("Properties", Value::Object(properties.clone()));
    permission
}
