//! What aws-sam-translator generates from a template's SAM resources, as far as the macro needs to
//! know it before SAM runs: the resources that will point at a marked function's alias (so that the
//! macro-first order checks the dependency cycles the SAM-first order sees), and the logical IDs
//! SAM gives what it generates (so that a reference to one is not called dangling).
//!
//! The names follow aws-sam-translator (`samtranslator/model/sam_resources.py`, `naming.py`,
//! `eventsources/push.py` and `pull.py`, `api/api_generator.py`): an event source's resources are
//! named `<Function><Event>` and continue from there (`Permission`, `Queue`, …), an implicit API is
//! `ServerlessRestApi` or `ServerlessHttpApi`, a function's role `<Function>Role`.

use std::collections::HashSet;

use crate::cfn;
use crate::json::{KeyHashing, Map, Value};

/// SAM's implicit REST API, which every `Api` event without a `RestApiId` joins.
pub const IMPLICIT_REST_API: &str = "ServerlessRestApi";
/// SAM's implicit HTTP API, which every `HttpApi` event without an `ApiId` joins.
pub const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";

/// Event types whose source SAM writes as a resource of its own, `<Function><Event>`, that targets
/// the function (its alias, with `AutoPublishAlias`): a rule, a schedule, a subscription, an event
/// source mapping, a topic rule, a subscription filter.
const OWN_RESOURCE_EVENTS: &[&str] = &[
    "SNS",
    "SQS",
    "Kinesis",
    "DynamoDB",
    "MSK",
    "MQ",
    "SelfManagedKafka",
    "DocumentDB",
    "Schedule",
    "ScheduleV2",
    "CloudWatchEvent",
    "EventBridgeRule",
    "IoTRule",
    "CloudWatchLogs",
];

/// Adds to `nodes` what SAM will generate around the marked function `function` (a resource of
/// `resources`, the template as the macro returns it) that refers to its alias `alias`, each as a
/// resource whose references are the dependencies SAM gives it. A resource of the template that
/// SAM changes to point at the alias (the API an event joins, a bucket that notifies, a user pool
/// that triggers) gets an entry of the same logical ID holding the alias reference, which the
/// dependency graph adds to the resource's own.
pub fn alias_dependents(function: &str, resource: &Value, alias: &str, resources: &Map, nodes: &mut Map) {
    let Some(props) = resource.get("Properties").and_then(Value::as_object) else { return };
    let to_alias = cfn::ref_to(alias);
    let point_at_alias = |nodes: &mut Map, id: &str, what: &str| {
        let entry = nodes.entry(id).or_insert_with(|| Value::Object(Map::new()));
        if let Some(entry) = entry.as_object_mut() {
            let list = entry.entry(what).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = list {
                items.push(to_alias.clone());
            }
        }
    };
    for (event, spec) in props.get("Events").and_then(Value::as_object).into_iter().flatten() {
        let kind = spec.get("Type").and_then(Value::as_str).unwrap_or_default();
        let event_props = spec.get("Properties");
        let named = |key: &str| event_props.and_then(|p| p.get(key)).and_then(cfn::ref_target);
        match kind {
            // SAM writes the integration into the API's definition.
            "Api" => {
                let api = named("RestApiId").unwrap_or(IMPLICIT_REST_API);
                point_at_alias(nodes, api, "Integrations");
            }
            "HttpApi" => {
                let api = named("ApiId").unwrap_or(IMPLICIT_HTTP_API);
                point_at_alias(nodes, api, "Integrations");
            }
            // SAM adds the notification to the bucket, and the trigger to the user pool.
            "S3" => {
                if let Some(bucket) = named("Bucket").filter(|b| resources.contains_key(b)) {
                    point_at_alias(nodes, bucket, "NotificationConfiguration");
                }
            }
            "Cognito" => {
                if let Some(pool) = named("UserPool").filter(|p| resources.contains_key(p)) {
                    point_at_alias(nodes, pool, "LambdaConfig");
                }
            }
            _ if OWN_RESOURCE_EVENTS.contains(&kind) => {
                let mut node = Map::new();
                node.insert("Source", event_props.cloned().unwrap_or_default());
                node.insert("Target", to_alias.clone());
                nodes.insert(format!("{function}{event}"), Value::Object(node));
            }
            _ => {}
        }
    }
    if props.contains_key("FunctionUrlConfig") {
        nodes.insert(format!("{function}Url"), Value::Object(target(&to_alias, None)));
    }
    if let Some(config) = props.get("EventInvokeConfig") {
        nodes.insert(format!("{function}EventInvokeConfig"), Value::Object(target(&to_alias, Some(config))));
    }
}

fn target(alias: &Value, source: Option<&Value>) -> Map {
    let mut node = Map::new();
    if let Some(source) = source {
        node.insert("Source", source.clone());
    }
    node.insert("Target", alias.clone());
    node
}

/// The logical IDs SAM generates from a template's SAM resources, for the reference check: the
/// exact names, and the stems after which SAM's names continue with a suffix (an event's
/// permission, a version's hash, a stage's name).
#[derive(Default)]
pub struct Names<'a> {
    exact: HashSet<String, KeyHashing>,
    stems: HashSet<String, KeyHashing>,
    /// Resources whose `Ref` and `Fn::GetAtt` SAM resolves with a dotted attribute
    /// (`<Function>.Alias`, `<Function>.Version`).
    functions: HashSet<&'a str, KeyHashing>,
}

impl<'a> Names<'a> {
    /// The names SAM will generate for `resources`; empty when the template has no SAM resource.
    pub fn of(resources: &'a Map) -> Names<'a> {
        let mut names = Names::default();
        let mut exact = |id: String| {
            names.exact.insert(id);
        };
        let mut rest_api = false;
        let mut http_api = false;
        let mut deployments = false;
        for (id, resource) in resources {
            let kind = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
            let Some(kind) = kind.strip_prefix(cfn::SERVERLESS_TYPE_PREFIX) else { continue };
            let props = resource.get("Properties").and_then(Value::as_object);
            let has = |key: &str| props.is_some_and(|p| p.contains_key(key));
            match kind {
                "Function" => {
                    names.functions.insert(id.as_str());
                    if !has("Role") {
                        exact(format!("{id}Role"));
                    }
                    for stem in ["Version", "Alias"] {
                        names.stems.insert(format!("{id}{stem}"));
                    }
                    if has("DeploymentPreference") || has(cfn::SETTING_KEY) {
                        deployments = true;
                        exact(format!("{id}DeploymentGroup"));
                    }
                    if has("FunctionUrlConfig") {
                        exact(format!("{id}Url"));
                        exact(format!("{id}UrlPublicPermissions"));
                        exact(format!("{id}URLInvokeAllowPublicAccess"));
                    }
                    if has("EventInvokeConfig") {
                        names.stems.insert(format!("{id}EventInvokeConfig"));
                    }
                    for (event, spec) in
                        props.and_then(|p| p.get("Events")).and_then(Value::as_object).into_iter().flatten()
                    {
                        names.stems.insert(format!("{id}{event}"));
                        let event_props = spec.get("Properties");
                        match spec.get("Type").and_then(Value::as_str) {
                            Some("Api") if event_props.and_then(|p| p.get("RestApiId")).is_none() => {
                                rest_api = true
                            }
                            Some("HttpApi") if event_props.and_then(|p| p.get("ApiId")).is_none() => {
                                http_api = true
                            }
                            _ => {}
                        }
                    }
                }
                // `<Api>Deployment<hash>`, `<Api><Stage>Stage`, `<Api>DomainName…`, `<Api>UsagePlan…`,
                // `<Api>ApiGatewayDefaultStage`, a state machine's `<Machine>Role` and `<Machine><Event>…`.
                "Api" | "HttpApi" | "StateMachine" | "GraphQLApi" | "WebSocketApi" => {
                    names.stems.insert(id.to_string());
                }
                "LayerVersion" => {
                    names.stems.insert(id.to_string());
                }
                _ => {}
            }
        }
        for (used, api) in [(rest_api, IMPLICIT_REST_API), (http_api, IMPLICIT_HTTP_API)] {
            if used {
                names.stems.insert(api.to_owned());
            }
        }
        if deployments {
            names.exact.insert("ServerlessDeploymentApplication".to_owned());
            names.exact.insert("CodeDeployServiceRole".to_owned());
        }
        names
    }

    /// Whether SAM may generate a resource named `id`, or resolves `id` (`<Function>.Alias`).
    pub fn contains(&self, id: &str) -> bool {
        if self.exact.contains(id) {
            return true;
        }
        if let Some((function, "Alias" | "Version")) = id.split_once('.') {
            return self.functions.contains(function);
        }
        // Every stem `id` starts with: one hash lookup per prefix, and a logical ID is short.
        id.len() <= 255
            && (1..=id.len()).filter(|&i| id.is_char_boundary(i)).any(|i| self.stems.contains(&id[..i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn events_point_their_sources_at_the_alias() {
        let resources = json!({
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "FunctionUrlConfig": {"AuthType": "NONE"},
                "Events": {
                    "Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}},
                    "Mine": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "MyApi"}, "Path": "/", "Method": "get"}},
                    "Upload": {"Type": "S3", "Properties": {"Bucket": {"Ref": "Bucket"}, "Events": "s3:ObjectCreated:*"}},
                    "Queue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}},
                    "Skill": {"Type": "AlexaSkill"}
                }}},
            "MyApi": {"Type": "AWS::Serverless::Api"},
            "Bucket": {"Type": "AWS::S3::Bucket"},
        });
        let resources = resources.as_object().unwrap();
        let mut nodes = Map::new();
        alias_dependents("Fn", &resources["Fn"], "FnAliasLive", resources, &mut nodes);
        let ids: Vec<&str> = nodes.keys().map(|k| k.as_str()).collect();
        assert_eq!(ids, ["ServerlessRestApi", "MyApi", "Bucket", "FnQueue", "FnUrl"]);
        assert_eq!(nodes["ServerlessRestApi"], json!({"Integrations": [{"Ref": "FnAliasLive"}]}));
        assert_eq!(nodes["FnQueue"]["Source"], json!({"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}));
    }

    #[test]
    fn sam_names_are_known_and_others_are_not() {
        let resources = json!({
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "AutoPublishAlias": "live",
                "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}},
            "Other": {"Type": "AWS::Lambda::Function"},
        });
        let names = Names::of(resources.as_object().unwrap());
        for id in [
            "FnRole",
            "FnAliaslive",
            "FnVersion0123abcd",
            "FnGetPermissionProd",
            "ServerlessRestApi",
            "ServerlessRestApiProdStage",
            "Fn.Alias",
        ] {
            assert!(names.contains(id), "{id}");
        }
        for id in ["ServerlessHttpApi", "OtherRole", "FnPost", "FnDeploymentGroup", "Other.Alias", "Missing"]
        {
            assert!(!names.contains(id), "{id}");
        }
    }
}
