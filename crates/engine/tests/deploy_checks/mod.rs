//! Checks of an expanded template that CloudFormation and IAM make at deploy time, written here
//! independently of the engine (only the placeholders of `Fn::Sub` are read by `cfn`): under every assignment of the template's conditions, no IAM
//! statement or policy is empty and no created resource refers to one that is not created; and the
//! resources' dependencies (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`) have no cycle.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use canary_engine::cfn;
use canary_engine::json::{Map, Value};
use canary_test_support::graph;

/// Templates with more free conditions than this are not enumerated (2^12 assignments).
pub const MAX_FREE_CONDITIONS: usize = 12;

/// Conditions defined only through other conditions (`Fn::Or`, `Fn::And`, `Fn::Not` of
/// `{Condition: …}`) follow from the rest; the others (`Fn::Equals` over parameters, …) are free.
fn is_derived(definition: &Value) -> bool {
    match definition {
        Value::Object(obj) if obj.len() == 1 => {
            let (key, inner) = obj.iter().next().expect("one member");
            match (&**key, inner) {
                ("Condition", Value::String(_)) => true,
                ("Fn::Or" | "Fn::And" | "Fn::Not", Value::Array(items)) => items.iter().all(is_derived),
                _ => false,
            }
        }
        _ => false,
    }
}

fn evaluate(definition: &Value, conditions: &Map, free: &BTreeMap<String, bool>) -> bool {
    let obj = definition.as_object().expect("a derived condition is an object");
    let (key, inner) = obj.iter().next().expect("one member");
    let items = || inner.as_array().expect("a list").iter();
    match &**key {
        "Condition" => holds(inner.as_str().expect("a name"), conditions, free),
        "Fn::Or" => items().any(|i| evaluate(i, conditions, free)),
        "Fn::And" => items().all(|i| evaluate(i, conditions, free)),
        "Fn::Not" => !items().all(|i| evaluate(i, conditions, free)),
        other => panic!("not a derived condition: {other}"),
    }
}

fn holds(name: &str, conditions: &Map, free: &BTreeMap<String, bool>) -> bool {
    match free.get(name) {
        Some(value) => *value,
        None => evaluate(
            conditions.get(name).unwrap_or_else(|| panic!("condition {name} is not defined")),
            conditions,
            free,
        ),
    }
}

/// Every assignment of the template's conditions, each as the value of every condition; `None` when
/// there are more than [`MAX_FREE_CONDITIONS`] free ones.
pub fn assignments(template: &Value) -> Option<Vec<BTreeMap<String, bool>>> {
    let empty = Map::new();
    let conditions = template.get("Conditions").and_then(Value::as_object).unwrap_or(&empty);
    let free: Vec<&str> =
        conditions.iter().filter(|(_, d)| !is_derived(d)).map(|(name, _)| &**name).collect();
    if free.len() > MAX_FREE_CONDITIONS {
        return None;
    }
    let mut out = Vec::new();
    for bits in 0..1u32 << free.len() {
        let base: BTreeMap<String, bool> =
            free.iter().enumerate().map(|(i, c)| ((*c).to_owned(), bits & (1 << i) != 0)).collect();
        out.push(conditions.keys().map(|c| (c.to_string(), holds(c, conditions, &base))).collect());
    }
    Some(out)
}

/// `value` as CloudFormation sees it under `assignment`: each `Fn::If` decided, `AWS::NoValue`
/// removed (`None` when the value itself is removed).
pub fn resolve(value: &Value, assignment: &BTreeMap<String, bool>) -> Option<Value> {
    match value {
        Value::Object(obj) => {
            if obj.len() == 1 {
                if let Some(Value::Array(branches)) = obj.get("Fn::If") {
                    let [Value::String(c), then, otherwise] = branches.as_slice() else {
                        panic!("malformed Fn::If: {value}");
                    };
                    let chosen = if *assignment.get(&**c).unwrap_or_else(|| panic!("no condition {c}")) {
                        then
                    } else {
                        otherwise
                    };
                    return resolve(chosen, assignment);
                }
                if obj.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue") {
                    return None;
                }
            }
            let mut out = Map::new();
            for (k, v) in obj {
                if let Some(v) = resolve(v, assignment) {
                    out.insert(k.clone(), v);
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(items) => {
            Some(Value::Array(items.iter().filter_map(|i| resolve(i, assignment)).collect()))
        }
        other => Some(other.clone()),
    }
}

fn list(v: Option<&Value>) -> Vec<Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    }
}

/// The policy documents of an IAM-bearing resource, with where they sit.
fn documents(id: &str, resource: &Value) -> Vec<(String, Value)> {
    let props = &resource["Properties"];
    let mut out = Vec::new();
    match resource["Type"].as_str().unwrap_or("") {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            for (i, p) in list(props.get("Policies")).into_iter().enumerate() {
                out.push((format!("{id}/Policies/{i}"), p["PolicyDocument"].clone()));
            }
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
            out.push((format!("{id}/PolicyDocument"), props["PolicyDocument"].clone()));
        }
        "AWS::Serverless::Function" => {
            for (i, p) in list(props.get("Policies")).into_iter().enumerate() {
                if p.get("Statement").is_some() {
                    out.push((format!("{id}/Policies/{i}"), p));
                }
            }
        }
        _ => {}
    }
    out
}

/// Logical IDs a resolved value refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub` (read by the
/// engine: a variable hides only the placeholder of its whole name, as cfn-lint reads it).
pub fn references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        Value::Object(obj) => {
            if obj.len() == 1 {
                let (key, inner) = obj.iter().next().expect("one member");
                match (&**key, inner) {
                    ("Ref", Value::String(id)) => {
                        out.insert(id.to_string());
                        return;
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(id) = parts.first().and_then(Value::as_str) {
                            out.insert(id.to_owned());
                        }
                        return;
                    }
                    ("Fn::GetAtt", Value::String(dotted)) => {
                        out.insert(dotted.split('.').next().unwrap_or(dotted).to_owned());
                        return;
                    }
                    ("Fn::Sub", Value::String(text)) => {
                        cfn::sub_references(text, None, &mut |id| {
                            out.insert(id.to_owned());
                        });
                        return;
                    }
                    ("Fn::Sub", Value::Array(parts)) => {
                        if let Some(text) = parts.first().and_then(Value::as_str) {
                            cfn::sub_references(text, cfn::sub_variables(inner), &mut |id| {
                                out.insert(id.to_owned());
                            });
                        }
                        parts.iter().skip(1).for_each(|p| references(p, out));
                        return;
                    }
                    _ => {}
                }
            }
            obj.values().for_each(|v| references(v, out));
        }
        _ => {}
    }
}

fn depends_on(resource: &Value) -> Vec<String> {
    list(resource.get("DependsOn")).iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// Under every assignment of the conditions: IAM documents with no statement, statements with no
/// resource or action, and references (or `DependsOn`) from a created resource to one that is not
/// created. Returns the problems found, and how many assignments were checked.
pub fn deploy_problems(template: &Value) -> (Vec<String>, usize) {
    let Some(assignments) = assignments(template) else {
        return (vec!["too many conditions to enumerate".to_owned()], 0);
    };
    let empty = Map::new();
    let resources = template.get("Resources").and_then(Value::as_object).unwrap_or(&empty);
    let mut problems = BTreeSet::new();
    for assignment in &assignments {
        let created = |r: &Value| r.get("Condition").and_then(Value::as_str).is_none_or(|c| assignment[c]);
        let on: Vec<String> = assignment.iter().filter(|(_, v)| **v).map(|(c, _)| c.clone()).collect();
        for (id, resource) in resources.iter().filter(|(_, r)| created(r)) {
            let resolved = resolve(resource, assignment).unwrap_or(Value::Null);
            for (at, document) in documents(id, &resolved) {
                let statements = list(document.get("Statement"));
                if statements.is_empty() {
                    problems.insert(format!("{at}: no statement when {on:?} hold"));
                }
                for (i, st) in statements.iter().enumerate() {
                    let resources = list(st.get("Resource").or(st.get("NotResource")));
                    let actions = list(st.get("Action").or(st.get("NotAction")));
                    if resources.is_empty() && st.get("Principal").is_none() {
                        problems.insert(format!("{at}/Statement/{i}: no resource when {on:?} hold"));
                    }
                    if actions.is_empty() {
                        problems.insert(format!("{at}/Statement/{i}: no action when {on:?} hold"));
                    }
                }
            }
            let mut refs = BTreeSet::new();
            if let Some(obj) = resolved.as_object() {
                for (k, v) in obj {
                    if !matches!(&**k, "DependsOn" | "Condition" | "Type") {
                        references(v, &mut refs);
                    }
                }
            }
            refs.extend(depends_on(&resolved));
            for r in refs {
                if resources.get(r.as_str()).is_some_and(|target| !created(target)) {
                    problems.insert(format!("{id} refers to {r}, which is not created when {on:?} hold"));
                }
            }
        }
    }
    (problems.into_iter().collect(), assignments.len())
}

/// A dependency cycle among the resources, found by Kahn's algorithm (peel off resources nothing
/// left depends on; whatever remains lies on or behind a cycle), as the resources left over.
/// Serverless functions' `Events` and `DeploymentPreference` are SAM's to turn into other resources
/// and are no dependency of the function.
pub fn cycle(template: &Value) -> Option<Vec<String>> {
    let empty = Map::new();
    let resources = template.get("Resources").and_then(Value::as_object).unwrap_or(&empty);
    let ids: Vec<&str> = resources.keys().map(|k| &**k).collect();
    let index: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut dependencies: Vec<Vec<usize>> = Vec::with_capacity(ids.len());
    for resource in resources.values() {
        let mut refs = BTreeSet::new();
        let serverless = resource["Type"] == "AWS::Serverless::Function";
        for (k, v) in resource.as_object().into_iter().flatten() {
            match &**k {
                "DependsOn" | "Condition" | "Type" => {}
                "Properties" if serverless => {
                    for (p, pv) in v.as_object().into_iter().flatten() {
                        if !matches!(&**p, "Events" | "DeploymentPreference") {
                            references(pv, &mut refs);
                        }
                    }
                }
                _ => references(v, &mut refs),
            }
        }
        refs.extend(depends_on(resource));
        dependencies.push(refs.iter().filter_map(|r| index.get(r.as_str()).copied()).collect());
    }
    let left = graph::unordered(&dependencies);
    (!left.is_empty()).then(|| left.into_iter().map(|i| ids[i].to_owned()).collect())
}
