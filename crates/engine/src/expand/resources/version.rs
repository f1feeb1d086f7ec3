//! `AWS::Lambda::Version` `<Fn>Version<10 hex>`.
//!
//! The hash covers what Lambda's `PublishVersion` snapshots into a version: the function's code and
//! the configuration `CreateFunction`, `UpdateFunctionCode` and `UpdateFunctionConfiguration` set.
//! Properties Lambda keeps per function, set through their own unqualified APIs, are left out
//! ([`NOT_VERSIONED`]): a change of one alone would give a new logical ID for an unchanged
//! configuration, and Lambda refuses to publish that ("A version for this Lambda function exists").
//! What a property's value depends on is resolved first, as far as the macro can know it:
//! `Fn::If` by its condition over the parameter values, `Fn::FindInMap` from `Mappings`, a `Ref` (or
//! `Fn::GetAtt`) of an `AWS::Lambda::LayerVersion` of the template by that layer's properties, and
//! every referenced parameter by its value. What cannot be known (an import, a resource attribute)
//! is hashed as written. Keys are hashed in sorted order, so reformatting a template does not publish a version;
//! a template without any of these forms hashes exactly as its properties always have.
//! `docs/versions.md` lists the properties and the sources.

use std::collections::BTreeSet;

use crate::json::{Map, Str, Value};
use sha2::{Digest, Sha256};

use super::resource;
use crate::cfn::{self, FIND_IN_MAP, GET_ATT, IF, LAMBDA_LAYER_VERSION, REF};
use crate::ids;
use crate::limits::MAX_DEPTH;
use crate::settings::Scope;

/// Properties of `AWS::Lambda::Function` that do not belong to a published version: each is set
/// by an API that takes no qualifier (`TagResource`, `PutFunctionConcurrency`,
/// `PutFunctionRecursionConfig`, `PutFunctionCodeSigningConfig`), or only when the function is
/// created (`TenancyConfig`); and our own setting.
pub const NOT_VERSIONED: &[&str] = &[
    "Tags",
    "ReservedConcurrentExecutions",
    "RecursiveLoop",
    "CodeSigningConfigArn",
    "TenancyConfig",
    cfn::SETTING_KEY,
];

/// The 10 hex digits of the version's logical ID: SHA-256 over the canonical JSON of
/// `{"Parameters": {referenced parameter: value}, "Properties": {versioned properties, resolved}}`,
/// written into one buffer and hashed at once (a hasher fed piece by piece spent more on the pieces
/// than on the hashing).
#[cfg(test)]
pub fn content_hash(properties: &Map, scope: &Scope<'_>) -> String {
    versioned(properties, scope).0
}

/// [`content_hash`] and the configuration it hashes (`FunctionPlan::versioned_configuration`).
pub fn versioned(properties: &Map, scope: &Scope<'_>) -> (String, Value) {
    let versioned = |key: &Str| !NOT_VERSIONED.contains(&key.as_str());
    let resolved: Vec<(&Str, Value)> = properties
        .iter()
        .filter(|(key, _)| versioned(key))
        .map(|(key, value)| (key, resolve(value, scope, 0)))
        .collect();
    let mut referenced = BTreeSet::new();
    for (_, value) in &resolved {
        collect_parameter_refs(value, scope.parameters, &mut referenced);
    }
    let mut canonical = Vec::with_capacity(1024);
    canonical.extend_from_slice(b"{\"Parameters\":{");
    for (i, name) in referenced.into_iter().enumerate() {
        if i > 0 {
            canonical.push(b',');
        }
        let value = scope.parameter_value(name).unwrap_or(&Value::Null);
        write_string(name, &mut canonical);
        canonical.push(b':');
        write_canonical(value, &mut canonical);
    }
    canonical.extend_from_slice(b"},\"Properties\":");
    write_object(resolved.iter().map(|(key, value)| (*key, value)), &mut canonical);
    canonical.push(b'}');
    let configuration = resolved.into_iter().map(|(key, value)| (key.clone(), value)).collect();
    (ids::hex_prefix(&Sha256::digest(&canonical), 10), Value::Object(configuration))
}

/// `value` with what it depends on put in place: the chosen branch of each `Fn::If` whose condition
/// the parameter values decide, the value of each `Fn::FindInMap` whose keys are known, and beside
/// each `Ref` to a layer of the template that layer's resolved properties. Everything else is kept.
fn resolve(value: &Value, scope: &Scope<'_>, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return value.clone();
    }
    match value {
        Value::Object(obj) => {
            if obj.len() == 1 {
                if let Some(resolved) = resolve_intrinsic(obj, scope, depth) {
                    return resolved;
                }
            }
            let mut out = Map::with_capacity(obj.len());
            for (key, v) in obj {
                out.insert(key.clone(), resolve(v, scope, depth + 1));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, scope, depth + 1)).collect()),
        other => other.clone(),
    }
}

fn resolve_intrinsic(obj: &Map, scope: &Scope<'_>, depth: usize) -> Option<Value> {
    let (key, arg) = obj.iter().next()?;
    match key.as_str() {
        IF => {
            let [condition, yes, no] = arg.as_array()?.as_slice() else { return None };
            let chosen = scope.conditions.eval_named(condition.as_str()?, &crate::diag::Path::root()).ok()?;
            Some(resolve(if chosen { yes } else { no }, scope, depth + 1))
        }
        FIND_IN_MAP => {
            let found = scope.conditions.find_in_map(arg)?;
            Some(resolve(found, scope, depth + 1))
        }
        REF | GET_ATT => {
            let id = cfn::ref_or_get_att_target(key, arg)?;
            let layer = scope.resources.get(id)?;
            if layer.get("Type").and_then(Value::as_str) != Some(LAMBDA_LAYER_VERSION) {
                return None;
            }
            // Two members, so that it is never read as the reference it stands for.
            let mut out = Map::with_capacity(2);
            out.insert(key.clone(), arg.clone());
            let properties = layer.get("Properties").unwrap_or(&Value::Null);
            out.insert(LAMBDA_LAYER_VERSION, resolve(properties, scope, depth + 1));
            Some(Value::Object(out))
        }
        _ => None,
    }
}

pub fn version(function: &str, condition: Option<&str>) -> Map {
    let mut props = Map::with_capacity(1);
    props.insert("FunctionName", cfn::ref_to(function));
    let mut version = resource(cfn::LAMBDA_VERSION, condition, props);
    // A replaced version must stay published: the alias (and any traffic still on it) points there
    // until CodeDeploy has moved it.
    version.insert("DeletionPolicy", "Retain".into());
    version.insert("UpdateReplacePolicy", "Retain".into());
    version
}

/// Parameters referenced by `Ref` or by `${Name}` in `Fn::Sub`, anywhere in `value`.
fn collect_parameter_refs<'a>(value: &Value, parameters: &'a Map, out: &mut BTreeSet<&'a str>) {
    match value {
        Value::Object(obj) => {
            if let Some(name) = cfn::ref_target(value) {
                if let Some((key, _)) = parameters.get_key_value(name) {
                    out.insert(key);
                }
            }
            // Read even beside other members, as it always has been.
            if let Some((text, vars)) = obj.get(cfn::SUB).and_then(cfn::sub_parts) {
                cfn::sub_references(text, vars, &mut |name| {
                    if let Some((key, _)) = parameters.get_key_value(name) {
                        out.insert(key);
                    }
                });
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
    use crate::settings::ConditionEvaluator;

    use super::*;

    /// The hash of `props` in a template with `template`'s other sections and these parameter values.
    fn hash(props: Value, template: Value, values: Value) -> String {
        let template = template.as_object().unwrap();
        let values = values.as_object().unwrap();
        let empty = Map::new();
        let section = |name: &str| template.get(name).and_then(Value::as_object).unwrap_or(&empty);
        let scope = Scope {
            resources: section("Resources"),
            parameters: section("Parameters"),
            parameter_values: values,
            conditions: ConditionEvaluator::new(template, values, "us-east-1", "123456789012"),
        };
        content_hash(props.as_object().unwrap(), &scope)
    }

    #[test]
    fn hash_ignores_key_order_and_function_level_properties() {
        let a = hash(json!({"Runtime": "python3.12", "Handler": "a.h"}), json!({}), json!({}));
        let b = hash(
            json!({"Handler": "a.h", "Tags": [{"Key": "k", "Value": "v"}], "Runtime": "python3.12",
                   "ReservedConcurrentExecutions": 5, "RecursiveLoop": "Allow",
                   "CodeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1"}),
            json!({}),
            json!({}),
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 10);
        let c = hash(json!({"Runtime": "python3.13", "Handler": "a.h"}), json!({}), json!({}));
        assert_ne!(a, c);
    }

    #[test]
    fn hash_of_plain_properties_is_what_it_always_was() {
        // A stack expanded before layers, mappings and conditions were resolved keeps its version ID.
        let props = json!({"Runtime": "python3.12", "Handler": "a.h", "Code": {"S3Key": {"Ref": "Key"}}});
        let template = json!({"Parameters": {"Key": {"Type": "String", "Default": "v1.zip"}}});
        let canonical = r#"{"Parameters":{"Key":"v1.zip"},"Properties":{"Code":{"S3Key":{"Ref":"Key"}},"Handler":"a.h","Runtime":"python3.12"}}"#;
        assert_eq!(hash(props, template, json!({})), ids::short_hash(canonical.as_bytes(), 10));
    }

    #[test]
    fn hash_follows_referenced_parameter_values() {
        let props = json!({"Code": {"S3Key": {"Ref": "CodeKey"}}, "Environment": {"Variables": {"A": {"Fn::Sub": "${Stage}-x"}}}});
        let template = json!({"Parameters": {"CodeKey": {"Type": "String", "Default": "v1.zip"}, "Stage": {"Type": "String"}, "Unused": {"Type": "String"}}});
        let base = hash(props.clone(), template.clone(), json!({"Stage": "dev"}));
        assert_eq!(base, hash(props.clone(), template.clone(), json!({"Stage": "dev", "Unused": "x"})));
        assert_ne!(base, hash(props.clone(), template.clone(), json!({"Stage": "prod"})));
        assert_ne!(base, hash(props, template, json!({"Stage": "dev", "CodeKey": "v2.zip"})));
    }

    #[test]
    fn hash_follows_conditions_mappings_and_layers() {
        let template = json!({
            "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Other": {"Type": "String", "Default": "a"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
            "Mappings": {"Images": {"dev": {"Uri": "repo:v1"}, "prod": {"Uri": "repo:v2"}}},
            "Resources": {"Layer": {"Type": "AWS::Lambda::LayerVersion",
                                    "Properties": {"Content": {"S3Bucket": "b", "S3Key": {"Ref": "Other"}}}}},
        });
        let props = json!({"MemorySize": {"Fn::If": ["IsProd", 1024, 128]}});
        let dev = hash(props.clone(), template.clone(), json!({}));
        assert_ne!(dev, hash(props.clone(), template.clone(), json!({"Stage": "prod"})));
        // A parameter only the untaken branch would read changes nothing.
        let props = json!({"MemorySize": {"Fn::If": ["IsProd", {"Ref": "Other"}, 128]}});
        assert_eq!(
            hash(props.clone(), template.clone(), json!({})),
            hash(props, template.clone(), json!({"Other": "b"}))
        );

        let props = json!({"Code": {"ImageUri": {"Fn::FindInMap": ["Images", {"Ref": "Stage"}, "Uri"]}}});
        assert_ne!(
            hash(props.clone(), template.clone(), json!({})),
            hash(props, template.clone(), json!({"Stage": "prod"}))
        );
        let props = json!({"Code": {"ImageUri": {"Fn::FindInMap": ["Images", "dev", "Uri"]}}});
        let mut changed = template.clone();
        changed["Mappings"]["Images"]["dev"]["Uri"] = json!("repo:v3");
        assert_ne!(hash(props.clone(), template.clone(), json!({})), hash(props, changed, json!({})));

        let by_attribute = json!({"Layers": [{"Fn::GetAtt": ["Layer", "LayerVersionArn"]}]});
        let mut changed = template.clone();
        changed["Resources"]["Layer"]["Properties"]["Content"]["S3Bucket"] = json!("c");
        assert_ne!(
            hash(by_attribute.clone(), template.clone(), json!({})),
            hash(by_attribute, changed, json!({}))
        );
        let props = json!({"Layers": [{"Ref": "Layer"}]});
        assert_ne!(
            hash(props.clone(), template.clone(), json!({})),
            hash(props.clone(), template.clone(), json!({"Other": "b"}))
        );
        let mut changed = template.clone();
        changed["Resources"]["Layer"]["Properties"]["Content"]["S3Bucket"] = json!("c");
        assert_ne!(hash(props.clone(), template.clone(), json!({})), hash(props, changed, json!({})));
    }

    #[test]
    fn what_cannot_be_known_is_hashed_as_written() {
        let template = json!({"Conditions": {"Odd": {"Fn::Equals": [{"Fn::GetAtt": ["X", "Y"]}, "a"]}}});
        let a = hash(json!({"MemorySize": {"Fn::If": ["Odd", 1024, 128]}}), template.clone(), json!({}));
        let b = hash(json!({"MemorySize": {"Fn::If": ["Odd", 1024, 256]}}), template.clone(), json!({}));
        assert_ne!(a, b);
        let a = hash(json!({"Code": {"S3Key": {"Fn::ImportValue": "k1"}}}), template.clone(), json!({}));
        let b = hash(json!({"Code": {"S3Key": {"Fn::ImportValue": "k2"}}}), template, json!({}));
        assert_ne!(a, b);
    }
}
