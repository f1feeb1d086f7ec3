//! Fuzz target: templates built from a grammar of the things the engine looks at, so the fuzzer
//! spends its time past the JSON parser: marked functions (settings in `Properties`, in `Metadata`,
//! and template defaults), hooks, alarms, conditions, every invoker type of SPEC §5 in every
//! reference form (`Ref`, both `Fn::GetAtt` forms, `Fn::Sub` string and list, `Fn::Join`, `Fn::If`),
//! existing versions, aliases and API deployments, layers, `Mappings` read through `Fn::FindInMap`,
//! function-level properties beside versioned ones, references that already carry a qualifier, and
//! the invokers beyond events (state machines, destinations, alarm actions, Bedrock agents, S3 Object
//! Lambda, IoT authorizers) and resources rewiring does not know. Asserts that `expand` returns,
//! that the same template expands to the same output twice (version IDs included), and that a
//! successful output expands again without panicking.
//!
//! Names come from small pools so references often hit real resources; each pool also takes an
//! arbitrary string, so collisions, odd characters and generated-ID clashes get tried too.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use canary_engine::{expand, Context};
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
    "",
];

const KEYS: &[&str] = &[
    "Type",
    "Alias",
    "PreTrafficHook",
    "PostTrafficHook",
    "Alarms",
    "RollbackOn",
    "Errors",
    "Throttles",
    "ErrorRate",
    "DurationP99",
    "Triggers",
    "TriggerName",
    "TriggerTargetArn",
    "TriggerEvents",
    "ServiceRole",
    "PermissionsBoundary",
    "DeploymentGroupName",
    "AutoRollback",
    "IgnorePollAlarmFailure",
    "ProvisionedConcurrency",
    "Enabled",
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
    "Tpye",
];

const INVOKER_TYPES: &[&str] = &[
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::Url",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::Stage",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::S3::Bucket",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::Logs::SubscriptionFilter",
    "AWS::IoT::TopicRule",
    "AWS::AppSync::DataSource",
    "AWS::Cognito::UserPool",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::Pipes::Pipe",
    "AWS::SecretsManager::RotationSchedule",
    "AWS::StepFunctions::StateMachine",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Config::ConfigRule",
    "AWS::SES::ReceiptRule",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::CloudFormation::CustomResource",
    "Custom::Thing",
    "AWS::CloudFront::Distribution",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::CompositeAlarm",
    "AWS::CodeDeploy::DeploymentConfig",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Function",
    "AWS::Serverless::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Bedrock::Agent",
    "AWS::S3ObjectLambda::AccessPoint",
    "AWS::IoT::Authorizer",
    "AWS::CodePipeline::Pipeline",
    "AWS::SSM::Parameter",
    "AWS::SQS::QueuePolicy",
];

/// A name from a pool, or any string.
#[derive(Debug)]
struct Pick<const POOL: usize>(String);

fn pool(n: usize) -> &'static [&'static str] {
    match n {
        0 => IDS,
        1 => STRINGS,
        2 => KEYS,
        _ => INVOKER_TYPES,
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
            let mut res = Map::new();
            let ty = if f.serverless { "AWS::Serverless::Function" } else { "AWS::Lambda::Function" };
            res.insert("Type".into(), json!(ty));
            if let Some(c) = &f.condition {
                res.insert("Condition".into(), json!(c.0));
            }
            if matches!(f.place, Place::Properties | Place::Both) {
                props.insert("CanaryDeployment".into(), settings.clone());
            }
            if matches!(f.place, Place::Metadata | Place::Both) {
                res.insert("Metadata".into(), json!({ "CanaryDeployment": settings }));
            }
            res.insert("Properties".into(), Value::Object(props));
            resources.insert(f.id.0.clone(), Value::Object(res));
        }
        for r in &self.resources {
            let mut res = Map::new();
            res.insert("Type".into(), json!(r.resource_type.0));
            res.insert("Properties".into(), r.properties.json());
            if let Some(d) = &r.depends_on {
                res.insert("DependsOn".into(), d.json());
            }
            if let Some(c) = &r.condition {
                res.insert("Condition".into(), json!(c.0));
            }
            resources.insert(r.id.0.clone(), Value::Object(res));
        }
        root.insert("Resources".into(), Value::Object(resources));
        Value::Object(root)
    }

    fn context(&self) -> Context {
        let parameter_values = self.parameter_values.iter().map(|(id, v)| (id.0.clone(), canary_engine::json::Value::from(v.json())));
        Context {
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            parameter_values: parameter_values.collect(),
        }
    }
}

fuzz_target!(|template: Template| {
    let expansion = expand(template.json().into(), &template.context());
    // Deterministic: version IDs are content hashes, never a function of anything but the input.
    let again = expand(template.json().into(), &template.context());
    assert!(again.template == expansion.template, "the same template expanded differently");
    // A successful expansion is a template too, and expanding it again must not panic either.
    if !expansion.has_errors() {
        let _ = expand(expansion.template, &template.context());
    }
});
