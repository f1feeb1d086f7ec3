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

/// Event types whose permission SAM names `<Function><Event>Permission` (besides `HttpApi`; an `Api`
/// event's continues with its stage's name, a `Cognito` event's is named after the alias).
const PERMISSION_EVENTS: &[&str] = &[
    "S3",
    "SNS",
    "Schedule",
    "CloudWatchEvent",
    "EventBridgeRule",
    "IoTRule",
    "CloudWatchLogs",
    "AlexaSkill",
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
        // The event's permission, which SAM gives the alias: `<Function><Event>Permission`, followed
        // for a REST API by its stage's name; its `SourceArn` names the invoker, as SAM's does.
        // Shaped as SAM writes it, so the cycle search meets its references in the same order.
        let permission = |nodes: &mut Map, suffix: &str, source: Option<Value>| {
            let mut properties = Map::new();
            properties.insert("FunctionName", to_alias.clone());
            if let Some(source) = source {
                properties.insert("SourceArn", source);
            }
            let mut node = Map::new();
            node.insert("Properties", Value::Object(properties));
            nodes.insert(format!("{function}{event}Permission{suffix}"), Value::Object(node));
        };
        if PERMISSION_EVENTS.contains(&kind) {
            let source = match kind {
                "SNS" => event_props.and_then(|p| p.get("Topic")).cloned(),
                "S3" => named("Bucket").map(cfn::ref_to),
                "CloudWatchLogs" => event_props.and_then(|p| p.get("LogGroupName")).cloned(),
                "AlexaSkill" => None,
                // The rule or topic rule SAM writes beside the permission.
                _ => Some(cfn::ref_to(&format!("{function}{event}"))),
            };
            permission(nodes, "", source);
        }
        match kind {
            // SAM writes the integration into the API's definition. The API's stage waits for the
            // API, directly and through the deployment SAM names by a hash of the definition, which
            // is unknown here.
            "Api" => {
                let api = named("RestApiId").unwrap_or(IMPLICIT_REST_API);
                let props =
                    named("RestApiId").and_then(|a| resources.get(a)).and_then(|r| r.get("Properties"));
                let stage = match named("RestApiId") {
                    None => Some("Prod".to_owned()),
                    Some(_) => stage_part(props),
                };
                let name = match named("RestApiId") {
                    None => Value::from("Prod"),
                    Some(_) => props.and_then(|p| p.get("StageName")).cloned().unwrap_or_default(),
                };
                // SAM names the permission and the stage of a name that is not alphanumeric by a
                // hash of it: not modelled.
                if let Some(stage) = stage {
                    let suffix = if stage.is_empty() { "Stage" } else { &stage };
                    permission(nodes, suffix, Some(cfn::ref_to(api)));
                    stage_waits_for(nodes, format!("{api}{stage}Stage"), "RestApiId", api, name);
                }
                point_at_alias(nodes, api, "Integrations");
            }
            "HttpApi" => {
                let api = named("ApiId").unwrap_or(IMPLICIT_HTTP_API);
                permission(nodes, "", Some(cfn::ref_to(api)));
                let props = named("ApiId").and_then(|a| resources.get(a)).and_then(|r| r.get("Properties"));
                let name =
                    props.and_then(|p| p.get("StageName")).cloned().unwrap_or_else(|| "$default".into());
                if name == "$default" {
                    stage_waits_for(nodes, format!("{api}ApiGatewayDefaultStage"), "ApiId", api, name);
                } else if let Some(stage) = stage_part(props) {
                    stage_waits_for(nodes, format!("{api}{stage}Stage"), "ApiId", api, name);
                }
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

/// An event of a marked function whose invoker keeps invoking the function itself, which SAM,
/// running after the macro, would give only the alias the permission of: an `AlexaSkill` (the skill
/// is configured outside the template) or an `Api` or `HttpApi` event on an API whose definition is in a file
/// (`DefinitionUri`: the integrations the file holds name whatever it names, unseen). SAM first, such
/// a permission stays on the function with a copy for the alias beside it (`rewire/permissions.rs`);
/// macro first, the macro takes the event out of SAM's hands and writes the same two permissions,
/// under the same logical IDs.
#[derive(Debug, Clone, PartialEq)]
pub struct OutsideInvoker {
    /// The event's name under `Events`.
    pub event: String,
    /// The logical ID SAM gives the event's permission, which stays on the function.
    pub permission: String,
    /// The resource attributes SAM passes from the function to the permission.
    pub attributes: Map,
    /// The permission's `Properties` as SAM writes them for the function.
    pub properties: Map,
    /// The API whose definition is in a file; `None`: the invoker is outside the template.
    pub api: Option<String>,
}

/// The principal of an Alexa skill, as SAM's `AlexaSkill` event writes it.
pub const ALEXA_PRINCIPAL: &str = "alexa-appkit.amazon.com";

/// The events of the marked `function` (`resource`, of `resources`) whose permission must stay on
/// the function ([`OutsideInvoker`]), with the permission SAM writes for each
/// (`samtranslator/model/eventsources/push.py`, `AlexaSkill`, `Api._get_permission` and
/// `HttpApi._get_permission`). An event whose `Path` or `Method` is not a string is left to SAM,
/// which refuses it.
pub fn outside_invokers(function: &str, resource: &Value, resources: &Map) -> Vec<OutsideInvoker> {
    let Some(props) = resource.get("Properties").and_then(Value::as_object) else { return Vec::new() };
    let mut attributes = Map::new();
    for key in ["Condition", "DeletionPolicy", "UpdateReplacePolicy"] {
        if let Some(value) = resource.get(key) {
            attributes.insert(key, value.clone());
        }
    }
    let mut out = Vec::new();
    for (event, spec) in props.get("Events").and_then(Value::as_object).into_iter().flatten() {
        let event_props = spec.get("Properties");
        let mut properties = Map::new();
        properties.insert("Action", "lambda:InvokeFunction".into());
        properties.insert("FunctionName", cfn::ref_to(function));
        let (suffix, api) = match spec.get("Type").and_then(Value::as_str) {
            Some("AlexaSkill") => {
                properties.insert("Principal", ALEXA_PRINCIPAL.into());
                if let Some(skill) = event_props.and_then(|p| p.get("SkillId")) {
                    properties.insert("EventSourceToken", skill.clone());
                }
                (String::new(), None)
            }
            Some("Api") => {
                let Some(rest_api_id) = event_props.and_then(|p| p.get("RestApiId")) else { continue };
                let Some((api, stage)) = api_in_a_file(rest_api_id, resources) else { continue };
                let text = |key: &str| event_props.and_then(|p| p.get(key)).and_then(Value::as_str);
                let (Some(path), Some(method)) = (text("Path"), text("Method")) else { continue };
                properties.insert("Principal", "apigateway.amazonaws.com".into());
                properties.insert("SourceArn", execute_api_arn(rest_api_id, path, method, Api::Rest));
                (stage, Some(api.to_owned()))
            }
            Some("HttpApi") => {
                let Some(api_id) = event_props.and_then(|p| p.get("ApiId")) else { continue };
                let Some(api) = http_api_in_a_file(api_id, resources) else { continue };
                let text = |key: &str| event_props.and_then(|p| p.get(key)).and_then(Value::as_str);
                let (path, method) = match (text("Path"), text("Method")) {
                    (Some(path), Some(method)) => (path, method),
                    // SAM gives an event with neither the catch-all route.
                    (None, None)
                        if event_props
                            .is_none_or(|p| p.get("Path").is_none() && p.get("Method").is_none()) =>
                    {
                        (DEFAULT_ROUTE, ANY_METHOD)
                    }
                    _ => continue,
                };
                properties.insert("Principal", "apigateway.amazonaws.com".into());
                properties.insert("SourceArn", execute_api_arn(api_id, path, method, Api::Http));
                (String::new(), Some(api.to_owned()))
            }
            _ => continue,
        };
        out.push(OutsideInvoker {
            event: event.to_string(),
            permission: format!("{function}{event}Permission{suffix}"),
            attributes: attributes.clone(),
            properties,
            api,
        });
    }
    out
}

/// The API `rest_api_id` names when its definition is in a file, with the suffix SAM gives the
/// permission of an event on it: the API's `StageName`, or `Stage` when that is an intrinsic. SAM
/// names the permission of a stage name that is not alphanumeric by a hash of it; its letters and
/// digits name it here, the same permission under another logical ID.
fn api_in_a_file<'a>(rest_api_id: &'a Value, resources: &Map) -> Option<(&'a str, String)> {
    let api = cfn::ref_target(rest_api_id).or_else(|| rest_api_id.as_str())?;
    let props = resources.get(api)?.get("Properties");
    let kind = resources.get(api)?.get("Type").and_then(Value::as_str);
    let has = |key: &str| props.is_some_and(|p| p.get(key).is_some());
    let in_a_file = match kind {
        Some(cfn::SERVERLESS_API) => has("DefinitionUri") && !has("DefinitionBody"),
        Some(cfn::REST_API) => has("BodyS3Location") && !has("Body"),
        _ => false,
    };
    if !in_a_file {
        return None;
    }
    let suffix = match props.and_then(|p| p.get("StageName")) {
        Some(Value::String(stage)) if stage.chars().all(char::is_alphanumeric) => stage.to_string(),
        Some(Value::String(stage)) => stage.chars().filter(|c| c.is_alphanumeric()).collect(),
        _ => "Stage".to_owned(),
    };
    Some((api, if suffix.is_empty() { "Stage".to_owned() } else { suffix }))
}

/// The HTTP API `api_id` names when its definition is in a file.
fn http_api_in_a_file<'a>(api_id: &'a Value, resources: &Map) -> Option<&'a str> {
    let api = cfn::ref_target(api_id)?;
    let props = resources.get(api)?.get("Properties");
    let has = |key: &str| props.is_some_and(|p| p.get(key).is_some());
    match resources.get(api)?.get("Type").and_then(Value::as_str) {
        Some(cfn::SERVERLESS_HTTP_API) => (has("DefinitionUri") && !has("DefinitionBody")).then_some(api),
        Some(cfn::HTTP_API) => (has("BodyS3Location") && !has("Body")).then_some(api),
        _ => None,
    }
}

/// The `SourceArn` SAM gives an `Api` or `HttpApi` event's permission: every stage, the method (`*`
/// for `any`), and the path without a trailing slash and with each `{parameter}` as `*`.
fn execute_api_arn(api_id: &Value, path: &str, method: &str, api: Api) -> Value {
    let path = match path.strip_suffix('/') {
        Some(trimmed) if !trimmed.is_empty() => trimmed,
        _ => path,
    };
    // An HTTP API's `$default` route: every path.
    let path = if api == Api::Http && path == DEFAULT_ROUTE { "" } else { path };
    let path: Vec<String> = path
        .split('/')
        .map(|segment| {
            let name = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
            // Swagger's greedy `{name+}`; OpenAPI 3's only `{proxy+}`.
            let name = name.map(|n| match api {
                Api::Rest => n.strip_suffix('+').unwrap_or(n),
                Api::Http if n == "proxy+" => "proxy",
                Api::Http => n,
            });
            let parameter = name.is_some_and(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            });
            if parameter {
                "*".to_owned()
            } else {
                segment.to_owned()
            }
        })
        .collect();
    let path = path.join("/");
    let any = method.eq_ignore_ascii_case("any") || (api == Api::Http && method == ANY_METHOD);
    let method = if any { "*".to_owned() } else { method.to_uppercase() };
    let route = if api == Api::Http && any && path == format!("/{DEFAULT_ROUTE}") {
        path
    } else {
        format!("/{method}{path}")
    };
    let mut variables = Map::new();
    variables.insert("__ApiId__", api_id.clone());
    variables.insert("__Stage__", "*".into());
    let arn = format!(
        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/${{__Stage__}}{route}"
    );
    let mut sub = Map::new();
    sub.insert(cfn::SUB, Value::Array(vec![arn.into(), Value::Object(variables)]));
    Value::Object(sub)
}

/// The kind of API an event joins, where SAM's permissions for the two differ.
#[derive(Clone, Copy, PartialEq)]
enum Api {
    Rest,
    Http,
}

/// An HTTP API's catch-all route, and the method SAM gives an `HttpApi` event without `Path` and
/// `Method`.
const DEFAULT_ROUTE: &str = "$default";
const ANY_METHOD: &str = "x-amazon-apigateway-any-method";

/// The part of a stage's logical ID SAM takes from an API's `StageName` (`properties`): the name
/// when alphanumeric, nothing when it is not a string; `None` for a name SAM hashes.
fn stage_part(properties: Option<&Value>) -> Option<String> {
    match properties.and_then(|p| p.get("StageName")) {
        Some(Value::String(name)) => {
            (!name.is_empty() && name.chars().all(char::is_alphanumeric)).then(|| name.to_string())
        }
        _ => Some(String::new()),
    }
}

/// A stage SAM generates for `api`, which refers to it by `key`, named `name`.
fn stage_waits_for(nodes: &mut Map, stage: String, key: &str, api: &str, name: Value) {
    let mut node = Map::new();
    node.insert(key, cfn::ref_to(api));
    node.insert("StageName", name);
    nodes.insert(stage, Value::Object(node));
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
        assert_eq!(
            ids,
            [
                "FnGetPermissionProd",
                "ServerlessRestApiProdStage",
                "ServerlessRestApi",
                "FnMinePermissionStage",
                "MyApiStage",
                "MyApi",
                "FnUploadPermission",
                "Bucket",
                "FnQueue",
                "FnSkillPermission",
                "FnUrl"
            ]
        );
        assert_eq!(
            nodes["ServerlessRestApiProdStage"],
            json!({"RestApiId": {"Ref": "ServerlessRestApi"}, "StageName": "Prod"})
        );
        assert_eq!(
            nodes["FnGetPermissionProd"],
            json!({"Properties": {"FunctionName": {"Ref": "FnAliasLive"}, "SourceArn": {"Ref": "ServerlessRestApi"}}})
        );
        assert_eq!(nodes["ServerlessRestApi"], json!({"Integrations": [{"Ref": "FnAliasLive"}]}));
        assert_eq!(nodes["FnQueue"]["Source"], json!({"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}));
    }

    #[test]
    fn alexa_skills_and_apis_defined_in_a_file_keep_their_permission_as_sam_writes_it() {
        let resources = json!({
            "Fn": {"Type": "AWS::Serverless::Function", "Condition": "Prod", "Properties": {"Events": {
                "Skill": {"Type": "AlexaSkill", "Properties": {"SkillId": "amzn1.ask.skill.1"}},
                "Root": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Spec"}, "Path": "/", "Method": "ANY"}},
                "Item": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Dashed"}, "Path": "/a/{id}/{p+}/", "Method": "get"}},
                "Inline": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Inline"}, "Path": "/", "Method": "get"}},
                "Implicit": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}},
                "Queue": {"Type": "SQS", "Properties": {"Queue": "arn"}},
                "Http": {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "HttpSpec"}}}
            }}},
            "HttpSpec": {"Type": "AWS::Serverless::HttpApi", "Properties": {"DefinitionUri": "s3://b/k"}},
            "Spec": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": {"Ref": "Stage"}, "DefinitionUri": "s3://b/k"}},
            "Dashed": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "v-1", "DefinitionUri": "s3://b/k"}},
            "Inline": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "v1", "DefinitionBody": {}}},
        });
        let resources = resources.as_object().unwrap();
        let kept = outside_invokers("Fn", &resources["Fn"], resources);
        let ids: Vec<&str> = kept.iter().map(|k| k.permission.as_str()).collect();
        assert_eq!(
            ids,
            ["FnSkillPermission", "FnRootPermissionStage", "FnItemPermissionv1", "FnHttpPermission"]
        );
        assert!(kept.iter().all(|k| k.attributes == *json!({"Condition": "Prod"}).as_object().unwrap()));
        assert_eq!(
            Value::Object(kept[0].properties.clone()),
            json!({"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Fn"},
                   "Principal": "alexa-appkit.amazon.com", "EventSourceToken": "amzn1.ask.skill.1"})
        );
        let arn = |k: &OutsideInvoker| k.properties["SourceArn"]["Fn::Sub"][0].as_str().unwrap().to_owned();
        let stem =
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}";
        assert_eq!(arn(&kept[1]), format!("{stem}/*/"));
        assert_eq!(arn(&kept[2]), format!("{stem}/GET/a/*/*"));
        assert_eq!(
            kept[2].properties["SourceArn"]["Fn::Sub"][1],
            json!({"__ApiId__": {"Ref": "Dashed"}, "__Stage__": "*"})
        );
        assert_eq!(kept[2].api.as_deref(), Some("Dashed"));
        // An HTTP event without `Path` and `Method` has the `$default` route: every method and path.
        assert_eq!(arn(&kept[3]), format!("{stem}/*"));
        assert_eq!(kept[0].api, None);
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
