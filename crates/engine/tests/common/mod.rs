//! Shared by the engine's test crates: marking, running `rewire` as the expansion does, checking that
//! an output differs from its input only where rewiring may change it, and reading outputs.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};

use canary_engine::diag::{Diagnostic, Segment};
use canary_engine::json;
use canary_engine::json::{Map, Value};
use canary_engine::rewire::{function_name_key, rewire, AliasTarget, KeptPermission, Rewired};

/// Marked functions: `AWS::Lambda::Function`s with a `CanaryDeployment` in `Metadata` or `Properties`.
/// The alias is named by the setting's `Alias` (default `Live`) and its logical ID follows docs/generated-resources.md.
pub fn marked_targets(template: &Value) -> BTreeMap<String, AliasTarget> {
    let mut targets = BTreeMap::new();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::Lambda::Function" {
            continue;
        }
        let setting = if resource["Metadata"]["CanaryDeployment"].is_object() {
            &resource["Metadata"]["CanaryDeployment"]
        } else if resource["Properties"]["CanaryDeployment"].is_object() {
            &resource["Properties"]["CanaryDeployment"]
        } else {
            continue;
        };
        let name = setting["Alias"].as_str().unwrap_or("Live").to_owned();
        let alias_logical_id = format!("{id}Alias{}", name.replace('-', "D").replace('_', "U"));
        let function_name = resource["Properties"].get("FunctionName").and_then(function_name_key);
        targets.insert(id.to_string(), AliasTarget { alias_logical_id, alias_name: name, function_name });
    }
    targets
}

/// The template with a version and an alias per marked function, as the expansion adds them before it
/// rewires, so the output is a whole template that `cfn-lint` can check. Existing ones are kept.
pub fn lint_ready(mut template: Value) -> Value {
    let targets = marked_targets(&template);
    let resources = template["Resources"].as_object_mut().unwrap();
    for (function, target) in &targets {
        let version = format!("{function}Version");
        if !resources.contains_key(&version) {
            resources.insert(
                version.clone(),
                json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": function}}}),
            );
        }
        if !resources.contains_key(&target.alias_logical_id) {
            resources.insert(
                target.alias_logical_id.clone(),
                json!({"Type": "AWS::Lambda::Alias", "Properties": {
                    "FunctionName": {"Ref": function},
                    "FunctionVersion": {"Fn::GetAtt": [version, "Version"]},
                    "Name": target.alias_name,
                }}),
            );
        }
    }
    template
}

/// Logical IDs `rewire` must treat as generated: every version and alias, plus those a case lists in
/// its template `Metadata.RewireTest.Generated`.
/// The logical IDs of `template`'s resources of type `resource_type`, in template order.
pub fn ids_of_type<'a>(template: &'a Value, resource_type: &str) -> Vec<&'a str> {
    let resources = template["Resources"].as_object().expect("Resources is an object");
    resources.iter().filter(|(_, r)| r["Type"] == resource_type).map(|(id, _)| id.as_str()).collect()
}

pub fn generated_ids(template: &Value) -> HashSet<String> {
    let mut ids: HashSet<String> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Version" || r["Type"] == "AWS::Lambda::Alias")
        .map(|(id, _)| id.to_string())
        .collect();
    if let Some(listed) = template["Metadata"]["RewireTest"]["Generated"].as_array() {
        ids.extend(listed.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    ids
}

pub struct Run {
    pub input: Value,
    pub output: Value,
    pub rewired: Vec<Rewired>,
    /// Permissions kept on their function, each with the alias permission generation adds.
    pub kept: Vec<KeptPermission>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn run_rewire(input: &Value, targets: &BTreeMap<String, AliasTarget>) -> Run {
    let mut output = input.clone();
    let mut diagnostics = Vec::new();
    let mut kept = Vec::new();
    let rewired = rewire(
        output.as_object_mut().unwrap(),
        targets,
        &generated_ids(input),
        None,
        &mut kept,
        &mut diagnostics,
    );
    Run { input: input.clone(), output, rewired, kept, diagnostics: canary_engine::diag::finish(diagnostics) }
}

impl Run {
    /// What a reviewer reads: each move, each renamed resource, each diagnostic.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for r in &self.rewired {
            out.push_str(&format!("moved {} -> alias: {}\n", r.function, r.path));
        }
        for k in &self.kept {
            out.push_str(&format!(
                "kept {} on {}; alias permission {} gets FunctionName {}\n",
                k.permission, k.function, k.logical_id, k.function_name
            ));
        }
        for (old, new) in renamed(&self.input, &self.output) {
            out.push_str(&format!("renamed {old} -> {new}\n"));
        }
        for d in &self.diagnostics {
            out.push_str(&format!("{d}\n"));
        }
        if out.is_empty() {
            out.push_str("(nothing moved)\n");
        }
        out
    }
}

/// Resources of `output` that replaced one of `input` under a longer ID (deployments renewed).
pub fn renamed(input: &Value, output: &Value) -> Vec<(String, String)> {
    let before = input["Resources"].as_object().unwrap();
    let after = output["Resources"].as_object().unwrap();
    let mut pairs = Vec::new();
    for new in after.keys().filter(|k| !before.contains_key(k)) {
        let old = before
            .keys()
            .filter(|old| !after.contains_key(old) && new.starts_with(old.as_str()))
            .max_by_key(|old| old.len())
            .unwrap_or_else(|| panic!("{new} appeared without replacing a resource"));
        pairs.push((old.to_string(), new.to_string()));
    }
    pairs
}

/// Every place `template` still references a marked function, except the ones docs/rewiring.md keeps: `Outputs`,
/// IAM statements (they gain the alias), the function resources themselves (and hooks' environment),
/// versions and aliases, an `EventInvokeConfig`'s `FunctionName`, custom resources' `ServiceToken`,
/// CloudFront distributions and log groups. Written without the rewiring table on purpose.
/// [`remaining_references`] of a run's output, but for the permissions rewiring kept on their function
/// (their invoker stays there; the alias gets its own permission beside them).
pub fn left_on_the_function(run: &Run, targets: &BTreeMap<String, AliasTarget>) -> Vec<String> {
    let kept: Vec<String> = run.kept.iter().map(|k| format!("Resources/{}/", k.permission)).collect();
    remaining_references(&run.output, targets)
        .into_iter()
        .filter(|found| !kept.iter().any(|k| found.starts_with(k.as_str())))
        .collect()
}

pub fn remaining_references(template: &Value, targets: &BTreeMap<String, AliasTarget>) -> Vec<String> {
    let mut found = Vec::new();
    // An API whose definition is in S3 keeps invoking the function, and so keeps its permissions.
    let unseen_apis: Vec<&str> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| !r["Properties"]["BodyS3Location"].is_null())
        .map(|(id, _)| id.as_str())
        .collect();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        let ty = resource["Type"].as_str().unwrap_or_default();
        if ty == "AWS::Lambda::Permission" {
            let source = resource["Properties"]["SourceArn"].to_string();
            if unseen_apis.iter().any(|api| {
                source.contains(&format!("\"Ref\":\"{api}\"")) || source.contains(&format!("${{{api}}}"))
            }) {
                continue;
            }
        }
        let keeps_all = ty.starts_with("AWS::IAM::")
            || ty.starts_with("Custom::")
            || [
                "AWS::CloudFormation::CustomResource",
                "AWS::Lambda::Function",
                "AWS::Lambda::Version",
                "AWS::Lambda::Alias",
                "AWS::CloudFront::Distribution",
                "AWS::Logs::LogGroup",
            ]
            .contains(&ty);
        if keeps_all {
            continue;
        }
        if let Some(props) = resource["Properties"].as_object() {
            for (key, value) in props {
                if ty == "AWS::Lambda::EventInvokeConfig" && key == "FunctionName" {
                    continue;
                }
                scan(value, &format!("Resources/{id}/Properties/{key}"), targets, &mut found);
            }
        }
    }
    found
}

fn scan(value: &Value, path: &str, targets: &BTreeMap<String, AliasTarget>, found: &mut Vec<String>) {
    match value {
        Value::Object(obj) => {
            for (k, v) in obj {
                let hit = match (k.as_str(), v) {
                    ("Ref", Value::String(s)) => targets.contains_key(s.as_str()),
                    ("Fn::GetAtt", Value::Array(a)) => {
                        a.first().and_then(Value::as_str).is_some_and(|s| targets.contains_key(s))
                    }
                    ("Fn::GetAtt", Value::String(s)) => targets.contains_key(s.split('.').next().unwrap()),
                    _ => false,
                };
                if hit {
                    found.push(format!("{path}: {value}"));
                }
                scan(v, &format!("{path}/{k}"), targets, found);
            }
        }
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| scan(v, &format!("{path}/{i}"), targets, found))
        }
        Value::String(s) => {
            // Only a Sub string has placeholders; a literal `${` elsewhere would be a false alarm, but
            // none of the fixtures has one.
            for f in targets.keys() {
                if s.contains(&format!("${{{f}}}")) || s.contains(&format!("${{{f}.")) {
                    found.push(format!("{path}: {s}"));
                }
            }
        }
        _ => {}
    }
}

/// Undoes, on a copy of the output, exactly what rewiring may do (the reported moves, the alias ARNs
/// added to IAM `Resource`s, the `DependsOn` on an alias, the renamed deployments) and asserts that the
/// input comes back: nothing else changed.
pub fn check_only_moves_changed(name: &str, input: &Value, run: &Run) {
    let aliases: HashSet<String> = marked_targets(input).into_values().map(|t| t.alias_logical_id).collect();
    let mut text = serde_json::to_string(&run.output).unwrap();
    for (old, new) in renamed(input, &run.output) {
        text = text.replace(&format!("\"{new}\""), &format!("\"{old}\""));
        text = text.replace(&format!("${{{new}"), &format!("${{{old}"));
        text = text.replace(&format!("\"{new}."), &format!("\"{old}."));
    }
    let mut out: Value = serde_json::from_str(&text).unwrap();
    for r in &run.rewired {
        let original = at(input, &r.path.segments())
            .unwrap_or_else(|| panic!("{name}: moved path {} not in input", r.path))
            .clone();
        *at_mut(&mut out, &r.path.segments()).unwrap() = original;
    }
    undo_additions(name, input, &mut out, &aliases, "");
    if let Some(diff) = first_difference(input, &out, String::new()) {
        panic!("{name}: changed outside the reported moves, first at {diff}");
    }
}

/// Walks `input` and `out` together; where a `Resource`, `NotResource` or `DependsOn` differs, the difference must be
/// only added alias references, and it is undone.
/// An alias as a `DependsOn` name, a `Ref`, or (in IAM grants) the ARN `${Fn.Arn}:<alias name>`.
fn is_alias(value: &Value, aliases: &HashSet<String>) -> bool {
    if let Some(id) = value.get("Ref").and_then(Value::as_str).or(value.as_str()) {
        return aliases.contains(id);
    }
    let Some(sub) = value.get("Fn::Sub").and_then(Value::as_str) else { return false };
    let Some((function, alias_name)) = sub.strip_prefix("${").and_then(|s| s.split_once(".Arn}:")) else {
        return false;
    };
    let id = format!("{function}Alias{}", alias_name.replace('-', "D").replace('_', "U"));
    aliases.contains(&id)
}

fn undo_additions(name: &str, input: &Value, out: &mut Value, aliases: &HashSet<String>, path: &str) {
    match (input, out) {
        (Value::Object(a), Value::Object(b)) => {
            if let (None, Some(added)) = (a.get("DependsOn"), b.get("DependsOn")) {
                let alias = added.as_str().unwrap_or_default();
                assert!(aliases.contains(alias), "{name}: {path} gained DependsOn {added}, not an alias");
                b.remove("DependsOn");
            }
            for (k, va) in a {
                let Some(vb) = b.get_mut(k) else { continue };
                if (k == "Resource" || k == "NotResource" || k == "DependsOn")
                    && va != vb
                    && !(va.is_object() && vb.is_object())
                {
                    let before: Vec<Value> = as_list(va);
                    let after: Vec<Value> = as_list(vb);
                    assert!(
                        after.len() > before.len() && after[..before.len()] == before[..],
                        "{name}: {path}/{k} lost entries"
                    );
                    for extra in &after[before.len()..] {
                        assert!(is_alias(extra, aliases), "{name}: {path}/{k} gained {extra}, not an alias");
                    }
                    *vb = va.clone();
                } else {
                    undo_additions(name, va, vb, aliases, &format!("{path}/{k}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            // A conditional `Resource` (`Fn::If` of lists): each branch list may gain aliases.
            if path.contains("/Resource/") && b.len() > a.len() && b[..a.len()] == a[..] {
                for extra in &b[a.len()..] {
                    assert!(is_alias(extra, aliases), "{name}: {path} gained {extra}, not an alias");
                }
                b.truncate(a.len());
            }
            for (i, (va, vb)) in a.iter().zip(b.iter_mut()).enumerate() {
                undo_additions(name, va, vb, aliases, &format!("{path}/{i}"));
            }
        }
        _ => {}
    }
}

fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            if kx != ky {
                return Some(format!("{path}: keys {kx:?} became {ky:?}"));
            }
            x.iter().find_map(|(k, v)| first_difference(v, &y[k], format!("{path}/{k}")))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| first_difference(v, w, format!("{path}/{i}")))
        }
        _ => (a != b).then(|| format!("{path}: {a} became {b}")),
    }
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn at<'a>(v: &'a Value, segs: &[Segment]) -> Option<&'a Value> {
    segs.iter().try_fold(v, |v, s| match s {
        Segment::Key(k) => v.get(k),
        Segment::Index(i) => v.get(i),
    })
}

fn at_mut<'a>(v: &'a mut Value, segs: &[Segment]) -> Option<&'a mut Value> {
    segs.iter().try_fold(v, |v, s| match s {
        Segment::Key(k) => v.get_mut(k),
        Segment::Index(i) => v.get_mut(i),
    })
}

/// `Map` helper for building templates in tests.
pub fn object(v: Value) -> Map {
    v.as_object().unwrap().clone()
}
