//! The one walk over every value of the template, made during analysis: it finds the first value
//! nested too deep for the macro to read, and the resources that mention an API Gateway deployment,
//! which rewiring may rename (docs/rewiring.md). Knowing them here, rewiring renames references in those
//! resources alone instead of walking the whole template a second time.

use std::collections::HashSet;

use crate::json::{KeyHashing, Value};

use crate::diag::Path;
use crate::rewire::names_any;
use crate::{json, limits};

pub struct Scan {
    /// The path to the first value nested deeper than [`limits::MAX_DEPTH`].
    pub too_deep: Option<Path>,
    /// Resources that name an API deployment in a `Ref`, a `Fn::GetAtt`, a `Fn::Sub` or `DependsOn`.
    pub deployment_mentions: HashSet<String, KeyHashing>,
    /// Resources outside the rewiring table and the never-rewired types whose properties name a
    /// marked function: each such reference may invoke it around the alias, and earns a warning.
    pub function_mentions: Vec<String>,
}

/// Walks `template`, looking for mentions of `deployments` (the index found them), and of the
/// `marked` functions in resources that rewiring does not know, by reference or by the spelling of
/// their `FunctionName` in `names` (`rewire::function_name_key`).
pub fn scan(
    template: &Value,
    deployments: &[String],
    marked: &HashSet<&str, KeyHashing>,
    names: &HashSet<String, KeyHashing>,
) -> Scan {
    let mut found =
        Scan { too_deep: None, deployment_mentions: HashSet::default(), function_mentions: Vec::new() };
    let Some(root) = template.as_object() else { return found };
    // Hashed: every reference of the template is looked up in it.
    let deployments: HashSet<&str, KeyHashing> = deployments.iter().map(String::as_str).collect();
    for (key, section) in root {
        let too_deep = match (key.as_str(), section) {
            ("Resources", Value::Object(resources)) => resources.iter().find_map(|(id, resource)| {
                let unknown = !marked.is_empty()
                    && json::get_str(resource, "Type").is_some_and(|t| !crate::rewire::is_known(t));
                let mut walked = Walked {
                    marked: unknown.then_some(marked),
                    names: unknown.then_some(names).filter(|n| !n.is_empty()),
                    ..Walked::default()
                };
                walk(resource, 2, &deployments, &mut walked);
                if walked.mentions || depends_on_any(resource, &deployments) {
                    found.deployment_mentions.insert(id.to_string());
                }
                if walked.names_marked {
                    found.function_mentions.push(id.to_string());
                }
                walked.too_deep
            }),
            _ => {
                let mut walked = Walked::default();
                walk(section, 1, &deployments, &mut walked);
                walked.too_deep
            }
        };
        if let Some(value) = too_deep {
            found.too_deep = Some(path_to(template, value));
            break;
        }
    }
    found
}

#[derive(Default)]
struct Walked<'a> {
    too_deep: Option<&'a Value>,
    mentions: bool,
    /// The marked functions to look for, in a resource rewiring does not know.
    marked: Option<&'a HashSet<&'a str, KeyHashing>>,
    /// The marked functions' names to look for in the strings of such a resource.
    names: Option<&'a HashSet<String, KeyHashing>>,
    names_marked: bool,
}

/// Visits every value under `value` (at `depth`), stopping at the first one nested too deep; so the
/// recursion itself is never deeper than [`limits::MAX_DEPTH`]. Returns whether it stopped.
fn walk<'a>(value: &'a Value, depth: usize, deployments: &Ids<'_>, walked: &mut Walked<'a>) -> bool {
    match value {
        Value::Object(_) | Value::Array(_) if depth >= limits::MAX_DEPTH => {
            walked.too_deep = Some(value);
            true
        }
        Value::Object(obj) => {
            if obj.len() == 1 && !walked.mentions && !deployments.is_empty() {
                walked.mentions = names_any(value, deployments);
            }
            if let (1, Some(marked), false) = (obj.len(), walked.marked, walked.names_marked) {
                walked.names_marked = crate::rewire::names_any_of(value, &|id| marked.contains(id));
            }
            obj.values().any(|child| walk(child, depth + 1, deployments, walked))
        }
        Value::Array(items) => items.iter().any(|child| walk(child, depth + 1, deployments, walked)),
        Value::String(text) => {
            if let (Some(names), false) = (walked.names, walked.names_marked) {
                // The names in ARNs (a bare name here may be anything, a tag's value as well); a
                // `Fn::Sub` string is read with its placeholders, and a literal holds no `${`.
                walked.names_marked =
                    crate::cfn::function_names(text, true).iter().skip(1).any(|at| names.contains(at.name));
            }
            false
        }
        _ => false,
    }
}

type Ids<'a> = HashSet<&'a str, KeyHashing>;

fn depends_on_any(resource: &Value, ids: &Ids<'_>) -> bool {
    match json::get(resource, "DependsOn") {
        Some(Value::String(id)) => ids.contains(id.as_str()),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(|id| ids.contains(id)),
        _ => false,
    }
}

/// The path from `root` to `target` (by identity), for the rare error that needs it afterwards.
fn path_to(root: &Value, target: &Value) -> Path {
    let mut path = Path::root();
    let mut node = root;
    'descend: while !std::ptr::eq(node, target) {
        let children: Vec<(Path, &Value)> = match node {
            Value::Object(obj) => obj.iter().map(|(k, v)| (path.key(k), v)).collect(),
            Value::Array(items) => items.iter().enumerate().map(|(i, v)| (path.index(i), v)).collect(),
            _ => break,
        };
        // Descend into the child whose subtree holds the target: the deepest one.
        for (p, child) in children.into_iter().rev() {
            if contains(child, target) {
                path = p;
                node = child;
                continue 'descend;
            }
        }
        break;
    }
    path
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    let mut stack = vec![haystack];
    while let Some(v) = stack.pop() {
        if std::ptr::eq(v, needle) {
            return true;
        }
        match v {
            Value::Object(obj) => stack.extend(obj.values()),
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::json;

    use super::scan;

    #[test]
    fn finds_every_form_of_mention_of_a_deployment() {
        let template = json!({"Resources": {
            "D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
            "V2": {"Type": "AWS::ApiGatewayV2::Deployment", "Properties": {"ApiId": {"Ref": "Http"}}},
            "ByRef": {"Type": "AWS::ApiGateway::Stage", "Properties": {"DeploymentId": {"Ref": "D"}}},
            "ByGetAtt": {"Type": "X", "Properties": {"A": [{"Fn::GetAtt": ["V2", "DeploymentId"]}]}},
            "ByDottedGetAtt": {"Type": "X", "Properties": {"A": {"Fn::GetAtt": "D.DeploymentId"}}},
            "BySub": {"Type": "X", "Properties": {"A": {"Fn::Sub": "id-${D}"}}},
            "ByDependsOn": {"Type": "X", "DependsOn": ["Other", "V2"]},
            "ShadowedSub": {"Type": "X", "Properties": {"A": {"Fn::Sub": ["${D}", {"D": "x"}]}}},
            "Unrelated": {"Type": "X", "Properties": {"A": {"Ref": "Api"}, "B": "D"}},
        }});
        let mut found: Vec<String> = scan(
            &template,
            &["D".to_owned(), "V2".to_owned()],
            &std::collections::HashSet::default(),
            &std::collections::HashSet::default(),
        )
        .deployment_mentions
        .into_iter()
        .collect();
        found.sort();
        assert_eq!(found, ["ByDependsOn", "ByDottedGetAtt", "ByGetAtt", "ByRef", "BySub"]);
    }

    #[test]
    fn a_renamed_deployment_is_followed_by_the_resources_and_outputs_that_name_it() {
        let template = json!({
            "Resources": {
                "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                    "Handler": "i.h", "Runtime": "python3.12", "Role": "arn:aws:iam::1:role/r",
                    "Code": {"ZipFile": "x"}, "CanaryDeployment": {"Type": "AllAtOnce"}}},
                "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
                "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {
                    "RestApiId": {"Ref": "Api"}, "ResourceId": "r", "HttpMethod": "GET", "AuthorizationType": "NONE",
                    "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Sub":
                        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}},
                "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Method", "Properties": {"RestApiId": {"Ref": "Api"}}},
                "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
                    "RestApiId": {"Ref": "Api"}, "StageName": "v1", "DeploymentId": {"Ref": "Deployment"}}},
                "Waits": {"Type": "AWS::SNS::Topic", "DependsOn": ["Deployment"],
                    "Properties": {"TopicName": {"Fn::Sub": "t-${Deployment}"}}},
            },
            "Outputs": {"Id": {"Value": {"Ref": "Deployment"}}},
        });
        let ctx = crate::Context {
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            parameter_values: crate::json::Map::new(),
            smoke_hook_code: None,
        };
        let out = crate::expand(template, &ctx);
        assert!(!out.has_errors(), "{:?}", out.diagnostics);
        let resources = out.template["Resources"].as_object().unwrap();
        let renamed = resources.keys().find(|k| k.starts_with("Deployment") && *k != "Deployment").unwrap();
        assert!(!resources.contains_key("Deployment"));
        assert_eq!(resources["Stage"]["Properties"]["DeploymentId"], json!({"Ref": renamed}));
        assert_eq!(resources["Waits"]["DependsOn"], json!([renamed]));
        assert_eq!(
            resources["Waits"]["Properties"]["TopicName"],
            json!({"Fn::Sub": format!("t-${{{renamed}}}")})
        );
        assert_eq!(out.template["Outputs"]["Id"]["Value"], json!({"Ref": renamed}));
    }
}
