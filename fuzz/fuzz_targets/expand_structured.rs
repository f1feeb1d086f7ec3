//! Fuzz target: templates built from a grammar of the things the engine looks at, so the fuzzer
//! spends its time past the JSON parser: marked functions (settings in `Properties`, in `Metadata`,
//! and template defaults), hooks, alarms, conditions, every invoker type of docs/rewiring.md in every
//! reference form (`Ref`, both `Fn::GetAtt` forms, `Fn::Sub` string and list, `Fn::Join`, `Fn::If`),
//! existing versions, aliases and API deployments, layers, `Mappings` read through `Fn::FindInMap`,
//! function-level properties beside versioned ones, references that already carry a qualifier, and
//! the invokers beyond events (state machines, destinations, alarm actions, Bedrock agents, S3 Object
//! Lambda, IoT authorizers) and resources rewiring does not know, functions named by their literal
//! `FunctionName` (plain, partial ARN, or an ARN built in a `Fn::Sub`), permissions whose `SourceArn`
//! names a resource outside the template or a bucket by its name, grants under `Fn::If`, and
//! `Fn::Transform` among the resources. Asserts that `expand` returns,
//! that the same template expands to the same output twice (version IDs included), and that a
//! successful output expands again without panicking.
//!
//! Besides, `Scenario`s build well-formed services whose settings reach into one another: functions
//! under one of three conditions (or none) sharing the generated application, role and deployment
//! configs; trigger topics that subscribe a function; hooks with their execution role in the
//! template, which may refer to an invoker; alarms that watch an invoker. On every expansion without
//! an error, the output of an acyclic input must have no dependency cycle (checked here by Kahn's
//! algorithm, not by the engine's own search), and no IAM statement or policy the expansion generated may be empty under
//! any assignment of the template's conditions.
//!
//! Names come from small pools so references often hit real resources; each pool also takes an
//! arbitrary string, so collisions, odd characters and generated-ID clashes get tried too.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use std::sync::OnceLock;

use canary_engine::cfn;
use canary_engine::rewire::table::INVOKERS;
use canary_engine::settings::{KNOWN_KEYS, ROLLBACK_ON_KEYS, TRIGGER_KEYS};
use canary_engine::{expand, CodeLocation, Context};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

const IDS: &[&str] = &[
    "Fn",
    "Api",
    "Worker",
    "PreHook",
    "PostHook",
    "HookRole",
    "ErrorsAlarm",
    "Topic",
    "RestApi",
    "ApiDeployment",
    "Stage",
    "FnAliasLive",
    "FnDeploymentGroup",
    "CanaryDeploymentsApplication",
    "CanaryDeploymentsServiceRole",
    "IsProd",
    "Layer",
    "Uploads",
    "Fn::Transform",
    "Images",
    "AWS::NoValue",
    "AWS::Region",
    "",
];

const STRINGS: &[&str] = &[
    "Canary10Percent5Minutes",
    "Linear10PercentEvery1Minute",
    "AllAtOnce",
    "Canary25Percent20Minutes",
    "Linear5PercentEvery1Minute",
    "Canary0Percent0Minutes",
    "Canary101Percent5Minutes",
    "Linear100PercentEvery99999999999Minutes",
    "CodeDeployDefault.LambdaAllAtOnce",
    "Live",
    "live-1_x",
    "1234",
    "$LATEST",
    "DEPLOYMENT_FAILURE",
    "DEPLOYMENT_STOP_ON_ALARM",
    "DEPLOYMENT_STOP_ON_REQUEST",
    "true",
    "false",
    "prod",
    "Arn",
    "Fn.Arn",
    "${Fn.Arn}",
    "${Fn.Arn}:$LATEST",
    "${Fn}:Blue",
    ":7",
    "Allow",
    "Terminate",
    "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"${Fn.Arn}\", \"End\": true}}}",
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations",
    "arn:aws:lambda:us-east-1:123456789012:function:other",
    "arn:aws:iam::123456789012:role/deployer",
    "lambda:InvokeFunction",
    "lambda:*",
    "*",
    "/pets/{id}",
    "a~b/c",
    // A function's literal name, and the ARNs an invoker builds from it.
    "worker-fn",
    "worker-fn:Live",
    "123456789012:function:worker-fn",
    "arn:aws:lambda:us-east-1:123456789012:function:worker-fn",
    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:worker-fn",
    ":function:",
    // Permissions: principals and sources outside the template or built from a bucket's name.
    "s3.amazonaws.com",
    "appsync.amazonaws.com",
    "uploads-bucket",
    "arn:aws:s3:::uploads-bucket",
    "AWS::Include",
    "",
];

/// Keys the engine reads besides the settings keys, which come from the engine's own lists.
const OTHER_KEYS: &[&str] = &[
    "Name",
    "CanaryDeployment",
    "Condition",
    "FunctionName",
    "Qualifier",
    "Role",
    "Policies",
    "PolicyDocument",
    "Statement",
    "Effect",
    "Action",
    "Resource",
    "Endpoint",
    "Subscription",
    "Targets",
    "Arn",
    "Body",
    "paths",
    "x-amazon-apigateway-integration",
    "uri",
    "Layers",
    "Content",
    "MemorySize",
    "Environment",
    "Tags",
    "RecursiveLoop",
    "CodeSigningConfigArn",
    "ReservedConcurrentExecutions",
    "DestinationConfig",
    "OnSuccess",
    "Destination",
    "DefinitionString",
    "Definition",
    "AlarmActions",
    "ActionGroups",
    "ActionGroupExecutor",
    "Lambda",
    "AuthorizerFunctionArn",
    "SourceArn",
    "Principal",
    "SourceAccount",
    "BucketName",
    "NotificationConfiguration",
    "LambdaConfigurations",
    "Function",
    "LambdaAuthorizerConfig",
    "AuthorizerUri",
    "Location",
    "Tpye",
];

/// Resource types beside the rewiring table's: ones whose references are never rewired (API
/// deployments and stages, custom resources, the function's own kin), and ones rewiring does not know.
const OTHER_TYPES: &[&str] = &[
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFormation::CustomResource",
    "Custom::Thing",
    "AWS::CloudFront::Distribution",
    "AWS::CodeDeploy::DeploymentConfig",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::CodePipeline::Pipeline",
    "AWS::SSM::Parameter",
    "AWS::SQS::QueuePolicy",
];

/// Every settings key, then the other keys the engine reads.
fn keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let settings = [KNOWN_KEYS, ROLLBACK_ON_KEYS, TRIGGER_KEYS].concat();
        settings.into_iter().chain(OTHER_KEYS.iter().copied()).collect()
    })
}

/// Every invoking type of the rewiring table (docs/rewiring.md), then the others.
fn resource_types() -> &'static [&'static str] {
    static TYPES: OnceLock<Vec<&'static str>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut types: Vec<&'static str> = Vec::new();
        for row in INVOKERS {
            if !types.contains(&row.resource_type) {
                types.push(row.resource_type);
            }
        }
        types.extend(OTHER_TYPES);
        types
    })
}

/// A name from a pool, or any string.
#[derive(Debug)]
struct Pick<const POOL: usize>(String);

fn pool(n: usize) -> &'static [&'static str] {
    match n {
        0 => IDS,
        1 => STRINGS,
        2 => keys(),
        _ => resource_types(),
    }
}

impl<'a, const POOL: usize> Arbitrary<'a> for Pick<POOL> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let names = pool(POOL);
        // One choice in eight is a free string.
        if u.ratio(1, 8)? {
            Ok(Pick(String::arbitrary(u)?))
        } else {
            Ok(Pick(u.choose(names)?.to_string()))
        }
    }
}

type Id = Pick<0>;
type Str = Pick<1>;
type Key = Pick<2>;
type ResourceType = Pick<3>;

/// A JSON value, with the intrinsic functions the engine understands as first-class shapes.
#[derive(Debug, Arbitrary)]
enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Str),
    List(Vec<Val>),
    Object(Vec<(Key, Val)>),
    Ref(Id),
    GetAttList(Id, Str),
    GetAttString(Id, Str),
    GetAttOdd(Box<Val>),
    Sub(Vec<SubPiece>),
    SubList(Vec<SubPiece>, Vec<(Id, Val)>),
    Join(Str, Vec<Val>),
    If(Id, Box<Val>, Box<Val>),
    Equals(Box<Val>, Box<Val>),
    Not(Box<Val>),
    And(Vec<Val>),
    Or(Vec<Val>),
    Condition(Id),
    FindInMap(Id, Box<Val>, Key),
    Intrinsic(Key, Box<Val>),
}

#[derive(Debug, Arbitrary)]
enum SubPiece {
    Text(Str),
    Var(Id),
    VarAttr(Id, Str),
    Literal(Id),
}

fn sub_string(pieces: &[SubPiece]) -> String {
    let mut s = String::new();
    for piece in pieces {
        match piece {
            SubPiece::Text(t) => s.push_str(&t.0),
            SubPiece::Var(id) => s.push_str(&format!("${{{}}}", id.0)),
            SubPiece::VarAttr(id, attr) => s.push_str(&format!("${{{}.{}}}", id.0, attr.0)),
            SubPiece::Literal(id) => s.push_str(&format!("${{!{}}}", id.0)),
        }
    }
    s
}

impl Val {
    fn json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => json!(b),
            Val::Int(i) => json!(i),
            Val::Float(f) => json!(f),
            Val::Str(s) => json!(s.0),
            Val::List(items) => Value::Array(items.iter().map(Val::json).collect()),
            Val::Object(pairs) => object(pairs.iter().map(|(k, v)| (k.0.clone(), v.json()))),
            Val::Ref(id) => json!({"Ref": id.0}),
            Val::GetAttList(id, attr) => json!({"Fn::GetAtt": [id.0, attr.0]}),
            Val::GetAttString(id, attr) => json!({"Fn::GetAtt": format!("{}.{}", id.0, attr.0)}),
            Val::GetAttOdd(v) => json!({"Fn::GetAtt": v.json()}),
            Val::Sub(pieces) => json!({"Fn::Sub": sub_string(pieces)}),
            Val::SubList(pieces, vars) => {
                let vars = object(vars.iter().map(|(k, v)| (k.0.clone(), v.json())));
                json!({"Fn::Sub": [sub_string(pieces), vars]})
            }
            Val::Join(sep, items) => {
                json!({"Fn::Join": [sep.0, items.iter().map(Val::json).collect::<Vec<_>>()]})
            }
            Val::If(cond, a, b) => json!({"Fn::If": [cond.0, a.json(), b.json()]}),
            Val::Equals(a, b) => json!({"Fn::Equals": [a.json(), b.json()]}),
            Val::Not(a) => json!({"Fn::Not": [a.json()]}),
            Val::And(items) => json!({"Fn::And": items.iter().map(Val::json).collect::<Vec<_>>()}),
            Val::Or(items) => json!({"Fn::Or": items.iter().map(Val::json).collect::<Vec<_>>()}),
            Val::Condition(id) => json!({"Condition": id.0}),
            Val::FindInMap(map, top, second) => json!({"Fn::FindInMap": [map.0, top.json(), second.0]}),
            Val::Intrinsic(key, v) => object([(key.0.clone(), v.json())]),
        }
    }
}

fn object(pairs: impl IntoIterator<Item = (String, Value)>) -> Value {
    Value::Object(pairs.into_iter().collect::<Map<_, _>>())
}

#[derive(Debug, Arbitrary)]
enum Place {
    Properties,
    Metadata,
    Both,
    Nowhere,
}

#[derive(Debug, Arbitrary)]
struct Function {
    id: Id,
    serverless: bool,
    place: Place,
    settings: Vec<(Key, Val)>,
    role: Option<Val>,
    condition: Option<Id>,
    extra: Vec<(Key, Val)>,
}

#[derive(Debug, Arbitrary)]
struct Resource {
    id: Id,
    resource_type: ResourceType,
    properties: Val,
    depends_on: Option<Val>,
    condition: Option<Id>,
}

#[derive(Debug, Arbitrary)]
struct Template {
    defaults: Option<Vec<(Key, Val)>>,
    parameters: Vec<(Id, Option<Val>)>,
    conditions: Vec<(Id, Val)>,
    /// `Mappings[map][top][second] = value`.
    mappings: Vec<(Id, Id, Key, Val)>,
    functions: Vec<Function>,
    resources: Vec<Resource>,
    transform_first: bool,
    parameter_values: Vec<(Id, Val)>,
    scenarios: Vec<Scenario>,
}

const SERVICES: usize = 4;
const SERVICE_CONDITIONS: [&str; 3] = ["SvcCondA", "SvcCondB", "SvcCondC"];

/// One service `Svc<n>`: a function, maybe marked, with what its settings may name.
#[derive(Debug, Arbitrary)]
struct Scenario {
    service: u8,
    condition: Option<u8>,
    marked: bool,
    enabled: bool,
    custom_shape: bool,
    /// Its own trigger topic, subscribing the function of service n.
    topic_subscribes: Option<u8>,
    /// A pre-traffic hook `Svc<n>Check` with its role in the template; when `Some`, the hook refers
    /// to the event source mapping that invokes service n.
    hook: Option<Option<u8>>,
    /// An alarm on the event source mapping that invokes service n.
    alarm_on_invoker: Option<u8>,
}

impl Scenario {
    fn add(&self, resources: &mut Map<String, Value>) {
        let n = usize::from(self.service) % SERVICES;
        let f = format!("Svc{n}");
        let condition = self.condition.map(|c| SERVICE_CONDITIONS[usize::from(c) % SERVICE_CONDITIONS.len()]);
        let target = |i: u8| format!("Svc{}", usize::from(i) % SERVICES);
        let conditioned = |mut v: Value| {
            if let Some(c) = condition {
                v["Condition"] = json!(c);
            }
            v
        };
        let mut settings = Map::new();
        settings.insert(
            "Type".into(),
            json!(if self.custom_shape { "Canary20Percent7Minutes" } else { "AllAtOnce" }),
        );
        settings.insert("Enabled".into(), json!(self.enabled));
        if let Some(g) = self.topic_subscribes {
            let topic = format!("{f}Events");
            resources.insert(
                topic.clone(),
                conditioned(json!({"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [
                    {"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": [target(g), "Arn"]}}]}})),
            );
            settings.insert(
                "Triggers".into(),
                json!([{"TriggerName": "own", "TriggerTargetArn": {"Ref": topic}, "TriggerEvents": ["DeploymentFailure"]}]),
            );
        }
        let watched = |resources: &mut Map<String, Value>, g: u8| {
            let id = format!("{}Mapping", target(g));
            resources.insert(
                id.clone(),
                json!({"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": target(g)},
                    "EventSourceArn": "arn:aws:sqs:eu-west-1:123456789012:jobs"}}),
            );
            id
        };
        if let Some(invoker) = self.hook {
            let hook = format!("{f}Check");
            let role = format!("{f}CheckRole");
            resources.insert(
                role.clone(),
                conditioned(json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}})),
            );
            let mut props = json!({"Handler": "index.handler", "Runtime": "python3.12",
                "Code": {"ZipFile": "def handler(e, c): pass"}, "Role": {"Fn::GetAtt": [role, "Arn"]}});
            if let Some(g) = invoker {
                let mapping = watched(resources, g);
                props["Environment"] = json!({"Variables": {"MAPPING": {"Ref": mapping}}});
            }
            resources.insert(
                hook.clone(),
                conditioned(json!({"Type": "AWS::Lambda::Function", "Properties": props})),
            );
            settings.insert("PreTrafficHook".into(), json!(hook));
        }
        if let Some(g) = self.alarm_on_invoker {
            let mapping = watched(resources, g);
            let alarm = format!("{f}InvokerAlarm");
            resources.insert(
                alarm.clone(),
                conditioned(
                    json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {"Namespace": "AWS/Lambda",
                    "MetricName": "IteratorAge", "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1,
                    "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold",
                    "Dimensions": [{"Name": "EventSourceMappingUUID", "Value": {"Ref": mapping}}]}}),
                ),
            );
            settings.insert("Alarms".into(), json!([alarm]));
        }
        let mut function = json!({"Type": "AWS::Lambda::Function", "Properties": {"Handler": "index.handler",
            "Runtime": "python3.12", "Code": {"ZipFile": "def handler(e, c): pass"},
            "Role": {"Fn::GetAtt": ["SvcRole", "Arn"]}}});
        if self.marked {
            function["Metadata"] = json!({"CanaryDeployment": Value::Object(settings)});
        }
        resources.insert(f, conditioned(function));
    }
}

impl Template {
    fn json(&self) -> Value {
        let mut root = Map::new();
        if self.transform_first {
            root.insert("Transform".into(), json!(["CanaryDeployments", "AWS::Serverless-2016-10-31"]));
        }
        if let Some(defaults) = &self.defaults {
            let defaults = object(defaults.iter().map(|(k, v)| (k.0.clone(), v.json())));
            root.insert("Metadata".into(), json!({ "CanaryDeployments": defaults }));
        }
        let parameters = self.parameters.iter().map(|(id, default)| {
            let mut p = Map::new();
            p.insert("Type".into(), json!("String"));
            if let Some(d) = default {
                p.insert("Default".into(), d.json());
            }
            (id.0.clone(), Value::Object(p))
        });
        root.insert("Parameters".into(), object(parameters));
        root.insert(
            "Conditions".into(),
            object(self.conditions.iter().map(|(id, v)| (id.0.clone(), v.json()))),
        );
        let mut mappings = Map::new();
        for (map, top, second, value) in &self.mappings {
            let map = mappings.entry(map.0.clone()).or_insert_with(|| json!({}));
            if let Some(map) = map.as_object_mut() {
                let top = map.entry(top.0.clone()).or_insert_with(|| json!({}));
                if let Some(top) = top.as_object_mut() {
                    top.insert(second.0.clone(), value.json());
                }
            }
        }
        root.insert("Mappings".into(), Value::Object(mappings));
        let mut resources = Map::new();
        for f in &self.functions {
            let settings = object(f.settings.iter().map(|(k, v)| (k.0.clone(), v.json())));
            let mut props = Map::new();
            props.insert("Handler".into(), json!("index.handler"));
            props.insert("Runtime".into(), json!("nodejs20.x"));
            if let Some(role) = &f.role {
                props.insert("Role".into(), role.json());
            }
            for (k, v) in &f.extra {
                props.insert(k.0.clone(), v.json());
            }
            let mut resource = Map::new();
            let ty = if f.serverless { cfn::SERVERLESS_FUNCTION } else { cfn::LAMBDA_FUNCTION };
            resource.insert("Type".into(), json!(ty));
            if let Some(c) = &f.condition {
                resource.insert("Condition".into(), json!(c.0));
            }
            if matches!(f.place, Place::Properties | Place::Both) {
                props.insert(cfn::SETTING_KEY.into(), settings.clone());
            }
            if matches!(f.place, Place::Metadata | Place::Both) {
                resource.insert("Metadata".into(), json!({ "CanaryDeployment": settings }));
            }
            resource.insert("Properties".into(), Value::Object(props));
            resources.insert(f.id.0.clone(), Value::Object(resource));
        }
        for r in &self.resources {
            let mut resource = Map::new();
            resource.insert("Type".into(), json!(r.resource_type.0));
            resource.insert("Properties".into(), r.properties.json());
            if let Some(d) = &r.depends_on {
                resource.insert("DependsOn".into(), d.json());
            }
            if let Some(c) = &r.condition {
                resource.insert("Condition".into(), json!(c.0));
            }
            resources.insert(r.id.0.clone(), Value::Object(resource));
        }
        if !self.scenarios.is_empty() {
            resources.insert(
                "SvcRole".into(),
                json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}),
            );
            for s in &self.scenarios {
                s.add(&mut resources);
            }
            let mut parameters = root.get("Parameters").cloned().unwrap_or(json!({}));
            let mut conditions = root.get("Conditions").cloned().unwrap_or(json!({}));
            for (i, c) in SERVICE_CONDITIONS.iter().enumerate() {
                let p = format!("SvcParam{i}");
                parameters[&p] = json!({"Type": "String", "Default": "on"});
                conditions[*c] = json!({"Fn::Equals": [{"Ref": p}, "on"]});
            }
            root.insert("Parameters".into(), parameters);
            root.insert("Conditions".into(), conditions);
        }
        root.insert("Resources".into(), Value::Object(resources));
        Value::Object(root)
    }

    fn context(&self) -> Context {
        let parameter_values = self
            .parameter_values
            .iter()
            .map(|(id, v)| (id.0.clone(), canary_engine::json::Value::from(v.json())));
        Context {
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            parameter_values: parameter_values.collect(),
            smoke_hook_code: Some(CodeLocation { bucket: "artifacts".into(), key: "smoke-hook.zip".into() }),
        }
    }
}

/// Logical IDs a value refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        Value::Object(obj) => {
            if obj.len() == 1 {
                let (key, inner) = obj.iter().next().expect("one member");
                match (key.as_str(), inner) {
                    (cfn::REF, Value::String(id)) => return out.push(id.clone()),
                    (cfn::GET_ATT, Value::Array(parts)) => {
                        if let Some(id) = parts.first().and_then(Value::as_str) {
                            out.push(id.to_owned());
                        }
                        return;
                    }
                    (cfn::GET_ATT, Value::String(dotted)) => {
                        return out.push(dotted.split('.').next().unwrap_or(dotted).to_owned())
                    }
                    (cfn::SUB, sub) => {
                        let (text, locals) = match sub {
                            Value::String(text) => (Some(text.as_str()), None),
                            Value::Array(parts) => (parts.first().and_then(Value::as_str), parts.get(1)),
                            _ => (None, None),
                        };
                        let variables = locals.and_then(Value::as_object);
                        for placeholder in cfn::placeholders(text.unwrap_or("")) {
                            // A variable hides only the placeholder of its whole name.
                            if !variables.is_some_and(|m| m.contains_key(placeholder.name)) {
                                out.push(placeholder.target().to_owned());
                            }
                        }
                        if let Some(locals) = locals {
                            references(locals, out);
                        }
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

/// Whether the resources' dependencies have a cycle, by Kahn's algorithm. A SAM function's `Events`
/// and `DeploymentPreference` become other resources and are no dependency of the function.
fn has_cycle(resources: &Map<String, Value>) -> bool {
    let ids: Vec<&String> = resources.keys().collect();
    let index: std::collections::HashMap<&str, usize> =
        ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut dependents = vec![Vec::new(); ids.len()];
    let mut waiting = vec![0usize; ids.len()];
    for (i, resource) in resources.values().enumerate() {
        let mut refs = Vec::new();
        let serverless = resource["Type"] == cfn::SERVERLESS_FUNCTION;
        for (k, v) in resource.as_object().into_iter().flatten() {
            match k.as_str() {
                "Condition" | "Type" => {}
                "DependsOn" => match v {
                    Value::String(id) => refs.push(id.clone()),
                    Value::Array(items) => {
                        refs.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
                    }
                    _ => {}
                },
                "Properties" if serverless => {
                    for (p, pv) in v.as_object().into_iter().flatten() {
                        if p != "Events" && p != "DeploymentPreference" {
                            references(pv, &mut refs);
                        }
                    }
                }
                _ => references(v, &mut refs),
            }
        }
        refs.sort();
        refs.dedup();
        for r in refs {
            if let Some(&j) = index.get(r.as_str()) {
                dependents[j].push(i);
                waiting[i] += 1;
            }
        }
    }
    let mut ready: Vec<usize> = (0..ids.len()).filter(|&i| waiting[i] == 0).collect();
    let mut done = 0;
    while let Some(j) = ready.pop() {
        done += 1;
        for &i in &dependents[j] {
            waiting[i] -= 1;
            if waiting[i] == 0 {
                ready.push(i);
            }
        }
    }
    done < ids.len()
}

/// `value` with each `Fn::If` decided by `holds` and `AWS::NoValue` removed.
fn resolve(value: &Value, holds: &dyn Fn(&str) -> Option<bool>) -> Option<Value> {
    match value {
        Value::Object(obj) => {
            if let (1, Some(Value::Array(branches))) = (obj.len(), obj.get(cfn::IF)) {
                if let [Value::String(c), then, otherwise] = branches.as_slice() {
                    if let Some(h) = holds(c) {
                        return resolve(if h { then } else { otherwise }, holds);
                    }
                }
            }
            if obj.len() == 1 && obj.get(cfn::REF).and_then(Value::as_str) == Some(cfn::NO_VALUE) {
                return None;
            }
            Some(Value::Object(
                obj.iter().filter_map(|(k, v)| Some((k.clone(), resolve(v, holds)?))).collect(),
            ))
        }
        Value::Array(items) => Some(Value::Array(items.iter().filter_map(|i| resolve(i, holds)).collect())),
        other => Some(other.clone()),
    }
}

/// Evaluates a condition made of `Fn::Or`/`Fn::And`/`Fn::Not` over named conditions; `None` for
/// anything else (the fuzzer's own conditions), which is then not enumerated.
fn condition_value(
    def: &Value,
    conditions: &Map<String, Value>,
    free: &dyn Fn(&str) -> Option<bool>,
    depth: u8,
) -> Option<bool> {
    if depth > 20 {
        return None;
    }
    let obj = def.as_object().filter(|o| o.len() == 1)?;
    let (k, v) = obj.iter().next()?;
    let items = || v.as_array().into_iter().flatten();
    match k.as_str() {
        cfn::CONDITION => {
            let name = v.as_str()?;
            free(name).or_else(|| condition_value(conditions.get(name)?, conditions, free, depth + 1))
        }
        cfn::OR => items()
            .map(|i| condition_value(i, conditions, free, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(|b| b.contains(&true)),
        cfn::AND => items()
            .map(|i| condition_value(i, conditions, free, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(|b| !b.contains(&false)),
        cfn::NOT => items().next().and_then(|i| condition_value(i, conditions, free, depth + 1)).map(|b| !b),
        _ => None,
    }
}

/// The IAM statements the expansion generated (resources absent from the input), under every
/// assignment of the scenario conditions, must each name a resource, and each document a statement.
fn check_generated_iam(input: &Value, output: &Value) {
    let empty = Map::new();
    let before = input["Resources"].as_object().unwrap_or(&empty);
    let after = output["Resources"].as_object().unwrap_or(&empty);
    let conditions = output["Conditions"].as_object().unwrap_or(&empty);
    for bits in 0..1u32 << SERVICE_CONDITIONS.len() {
        let free =
            |name: &str| SERVICE_CONDITIONS.iter().position(|c| *c == name).map(|i| bits & (1 << i) != 0);
        let holds =
            |name: &str| free(name).or_else(|| condition_value(conditions.get(name)?, conditions, &free, 0));
        for (id, resource) in after.iter().filter(|(id, _)| !before.contains_key(*id)) {
            if !resource["Type"].as_str().is_some_and(|t| t.starts_with("AWS::IAM::")) {
                continue;
            }
            match resource.get("Condition").and_then(Value::as_str).map(holds) {
                Some(Some(false)) => continue,
                Some(None) => continue, // decided by a condition the fuzzer wrote: not enumerated
                _ => {}
            }
            let Some(resolved) = resolve(resource, &holds) else { continue };
            let props = &resolved["Properties"];
            let mut documents: Vec<&Value> =
                props["Policies"].as_array().into_iter().flatten().map(|p| &p["PolicyDocument"]).collect();
            if let Some(d) = props.get("PolicyDocument") {
                documents.push(d);
            }
            for document in documents {
                let statements = match &document["Statement"] {
                    Value::Array(items) => items.clone(),
                    Value::Null => Vec::new(),
                    one => vec![one.clone()],
                };
                assert!(!statements.is_empty(), "{id}: a policy with no statement when {bits:03b}");
                for st in &statements {
                    let resource = st.get("Resource").or(st.get("NotResource"));
                    let empty = match resource {
                        None => st.get("Principal").is_none(),
                        Some(Value::Array(items)) => items.is_empty(),
                        Some(_) => false,
                    };
                    assert!(!empty, "{id}: a statement with no resource when {bits:03b}: {st}");
                }
            }
        }
    }
}

fuzz_target!(|template: Template| {
    let input = template.json();
    let expansion = expand(input.clone().into(), &template.context());
    // Deterministic: version IDs are content hashes, never a function of anything but the input.
    let again = expand(input.clone().into(), &template.context());
    assert!(again.template == expansion.template, "the same template expanded differently");
    // A successful expansion is a template too, and expanding it again must not panic either.
    if !expansion.has_errors() {
        let output = serde_json::to_value(&expansion.template).expect("the output serializes");
        // A cycle the input already had is CloudFormation's to report; one the expansion adds is the
        // engine's, and must have been an error.
        let acyclic_input = input["Resources"].as_object().is_none_or(|r| !has_cycle(r));
        if let (true, Some(resources)) = (acyclic_input, output["Resources"].as_object()) {
            assert!(!has_cycle(resources), "an expansion without errors added a dependency cycle");
        }
        check_generated_iam(&input, &output);
        let _ = expand(expansion.template, &template.context());
    }
});
