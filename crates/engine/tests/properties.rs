//! Property tests of `expand` over generated templates (docs/settings.md, docs/generated-resources.md, docs/rewiring.md).
//!
//! The generator builds valid templates: up to four functions (marked through `Properties` or
//! `Metadata`, with template defaults, hooks, alarms, `RollbackOn`, triggers, `Enabled` in every
//! form, resource conditions), invokers of every type in docs/rewiring.md pointing at them in every reference
//! form (`Ref`, both `Fn::GetAtt` forms, `Fn::Sub` string and list, `Fn::Join`, `Fn::If`), an API
//! with a body, a method, an authorizer, a deployment and a stage, an IAM policy that invokes a
//! function, and positions that are never rewired (a custom resource's `ServiceToken`, a log group,
//! `Outputs`). About a third of the cases are us-first SAM templates (`AWS::Serverless::Function`s,
//! `Transform: [CanaryDeployments, AWS::Serverless-2016-10-31]`), where the version, alias and
//! deployment group are SAM's to generate from `AutoPublishAlias` and `DeploymentPreference`.
//! Each case checks that the expansion:
//!
//! - reports no error, and is byte-identical when run twice;
//! - changes nothing when expanded again (the consumed keys are gone, so a second pass has no work);
//! - keeps every input resource and property, except the consumed `CanaryDeployment` keys, values
//!   rewired to an alias, and API deployments renamed as docs/rewiring.md documents, in the input's key order;
//! - points every invoking reference to a marked function at that function's alias, and leaves
//!   references to unmarked functions and never-rewired positions exactly as they were;
//! - creates a version and an alias per marked function and a deployment group per enabled one;
//! - only refers (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`, `Condition`) to things that exist,
//!   and creates no dependency cycle (checked twice, by depth-first search and by Kahn's algorithm);
//! - under every assignment of the template's conditions, has no empty IAM statement or policy and
//!   no reference from a created resource to one that is not created (`deploy_checks`).
//!
//! Functions exist under one of two conditions or none; a function may have its own trigger topic
//! that subscribes a function (itself, another, marked or not) and an alarm that watches an event
//! source mapping invoking a function. When those make an enabled function's deployment wait, round
//! a circle, for its own alias, the expansion must refuse the template at the trigger or alarm.
//!
//! `PROPTEST_CASES` raises the number of cases by hand; the default keeps the file well under a
//! minute in a debug build.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// A strategy for the struct `$name`, one strategy per field, each field named once. The fields are
/// drawn in the order written (as nested pairs, which draw as a flat tuple would).
macro_rules! struct_strategy {
    ($name:ident { $($field:ident: $strategy:expr),+ $(,)? }) => {
        struct_strategy!(@pairs $($strategy),+)
            .prop_map(|struct_strategy!(@pattern $($field),+)| $name { $($field),+ })
    };
    (@pairs) => { Just(()) };
    (@pairs $head:expr $(, $tail:expr)*) => { ($head, struct_strategy!(@pairs $($tail),*)) };
    (@pattern) => { () };
    (@pattern $head:ident $(, $tail:ident)*) => { ($head, struct_strategy!(@pattern $($tail),*)) };
}

mod common;
mod deploy_checks;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use canary_engine::json::{Map, Value};
use canary_engine::settings::PREDEFINED_TYPES;
use canary_engine::{cfn, json};
use canary_engine::{expand, Context, Expansion};
use canary_test_support::cfn_lint;
use proptest::prelude::*;
use proptest::sample::select;

const DEFAULT_CASES: u32 = 512;

const FUNCTIONS: [&str; 4] = ["Orders", "Billing", "Search", "Mailer"];
/// The conditions a function may exist under (over two parameters, so all four combinations occur).
const CONDITIONS: [&str; 2] = ["IsProd", "IsPremium"];
const HOOKS: [&str; 2] = ["PreCheck", "PostCheck"];
const ALARMS: [&str; 2] = ["LatencyAlarm", "ErrorsAlarm"];
const ALIASES: [&str; 5] = ["Live", "live", "blue-green", "v_2", "Prod1"];
/// The traffic shapes `Type` names: CodeDeploy's predefined ones, short and once in full.
fn named_types() -> Vec<&'static str> {
    PREDEFINED_TYPES.iter().copied().chain(["CodeDeployDefault.LambdaCanary10Percent5Minutes"]).collect()
}

// ---------------------------------------------------------------------------------------------
// The generated model.

/// How a reference to a function is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    Ref,
    GetAttList,
    GetAttString,
    Sub,
    SubVarMap,
    Join,
    If,
}

const FORMS: [Form; 7] =
    [Form::Ref, Form::GetAttList, Form::GetAttString, Form::Sub, Form::SubVarMap, Form::Join, Form::If];
/// Forms of an API Gateway integration URI (an ARN inside a longer string).
const URI_FORMS: [Form; 4] = [Form::Sub, Form::SubVarMap, Form::Join, Form::If];

#[derive(Debug, Clone)]
enum TypeSpec {
    Named(&'static str),
    Shape { canary: bool, percentage: u32, minutes: u32 },
    Parameter,
}

#[derive(Debug, Clone, Copy)]
enum EnabledSpec {
    Omitted,
    Bool(bool),
    Text(bool),
    Condition,
    EqualsParameter,
    NotCondition,
}

#[derive(Debug, Clone, Copy)]
enum HookForm {
    LogicalId,
    Ref,
    GetAtt,
}

#[derive(Debug, Clone, Copy)]
enum AlarmForm {
    LogicalId,
    Ref,
    Name,
}

#[derive(Debug, Clone)]
enum AutoRollbackSpec {
    Omitted,
    Off,
    Events(Vec<&'static str>),
}

#[derive(Debug, Clone)]
struct Marking {
    in_metadata: bool,
    traffic: Option<TypeSpec>,
    alias: Option<&'static str>,
    pre_hook: Option<(usize, HookForm)>,
    post_hook: Option<(usize, HookForm)>,
    alarms: Vec<(usize, AlarmForm)>,
    external_alarm: bool,
    rollback_on: [Option<u64>; 4],
    trigger: bool,
    auto_rollback: AutoRollbackSpec,
    provisioned: Option<u64>,
    enabled: EnabledSpec,
    ignore_poll: Option<bool>,
    external_role: bool,
    group_name: bool,
    /// The function's own trigger topic `<Fn>Events`, which subscribes the function of this index
    /// (itself, another marked one, or an unmarked one).
    topic: Option<usize>,
    /// An alarm `<Fn>InvokerAlarm` in `Alarms` that watches `<Fn>Watched`, an event source mapping
    /// that invokes the function of this index.
    invoker_alarm: Option<usize>,
}

#[derive(Debug, Clone)]
struct FunctionSpec {
    marking: Option<Marking>,
    /// One of `CONDITIONS`.
    condition: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct SourceSpec {
    kind: usize,
    target: usize,
    form: Form,
}

#[derive(Debug, Clone)]
struct ApiSpec {
    body: Option<(usize, Form)>,
    method: Option<(usize, Form)>,
    authorizer: Option<(usize, Form)>,
}

#[derive(Debug, Clone)]
struct Spec {
    defaults_type: Option<TypeSpec>,
    boundary: bool,
    functions: Vec<FunctionSpec>,
    sources: Vec<SourceSpec>,
    api: Option<ApiSpec>,
    /// An IAM policy allowing `lambda:InvokeFunction` on a function: (function, `Fn::Sub` form,
    /// attached to the hooks' role, which may close a cycle through the hook policy).
    iam: Option<(usize, bool, bool, bool)>,
    /// A function given a literal `FunctionName`, a bucket notifying it by an ARN built from that
    /// name, the bucket's permission naming it by name with a `SourceArn` built from the bucket's
    /// name, and, when the flag is set, a permission for a bucket outside the template.
    literal: Option<(usize, bool)>,
    prod: bool,
    premium: bool,
    /// Functions and hooks are `AWS::Serverless::Function`s in a template that lists this macro
    /// before SAM's transform: settings become SAM's `AutoPublishAlias` and `DeploymentPreference`.
    serverless: bool,
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn form() -> impl Strategy<Value = Form> {
    select(FORMS.to_vec())
}

fn uri_form() -> impl Strategy<Value = Form> {
    select(URI_FORMS.to_vec())
}

fn type_spec() -> impl Strategy<Value = TypeSpec> {
    prop_oneof![
        4 => select(named_types()).prop_map(TypeSpec::Named),
        2 => (any::<bool>(), 1u32..=99, 1u32..=60)
            .prop_map(|(canary, percentage, minutes)| TypeSpec::Shape { canary, percentage, minutes }),
        1 => Just(TypeSpec::Parameter),
    ]
}

fn enabled_spec() -> impl Strategy<Value = EnabledSpec> {
    prop_oneof![
        4 => Just(EnabledSpec::Omitted),
        1 => any::<bool>().prop_map(EnabledSpec::Bool),
        1 => any::<bool>().prop_map(EnabledSpec::Text),
        1 => Just(EnabledSpec::Condition),
        1 => Just(EnabledSpec::EqualsParameter),
        1 => Just(EnabledSpec::NotCondition),
    ]
}

/// A hook: an index below `HOOKS.len()` names one of `HOOKS` (unmarked functions with their own
/// role); above, another of `FUNCTIONS` (marked or not), fixed up in `spec()` never to be the
/// function itself.
fn hook() -> impl Strategy<Value = Option<(usize, HookForm)>> {
    proptest::option::weighted(
        0.4,
        (
            0..HOOKS.len() + FUNCTIONS.len(),
            select(vec![HookForm::LogicalId, HookForm::Ref, HookForm::GetAtt]),
        ),
    )
}

fn hook_name(index: usize) -> &'static str {
    if index < HOOKS.len() {
        HOOKS[index]
    } else {
        FUNCTIONS[index - HOOKS.len()]
    }
}

fn auto_rollback() -> impl Strategy<Value = AutoRollbackSpec> {
    prop_oneof![
        3 => Just(AutoRollbackSpec::Omitted),
        1 => Just(AutoRollbackSpec::Off),
        1 => proptest::sample::subsequence(
                vec!["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"],
                1..=3,
            )
            .prop_map(AutoRollbackSpec::Events),
    ]
}

fn marking() -> impl Strategy<Value = Marking> {
    // Each alarm at most once: CodeDeploy refuses a repeated alarm, and so does the engine.
    let alarm_form = || select(vec![AlarmForm::LogicalId, AlarmForm::Ref, AlarmForm::Name]);
    let alarms = (proptest::sample::subsequence(vec![0usize, 1], 0..=2), alarm_form(), alarm_form())
        .prop_map(|(ids, a, b)| ids.into_iter().zip([a, b]).collect::<Vec<_>>());
    struct_strategy!(Marking {
        in_metadata: any::<bool>(),
        traffic: proptest::option::weighted(0.7, type_spec()),
        alias: proptest::option::weighted(0.5, select(ALIASES.to_vec())),
        pre_hook: hook(),
        post_hook: hook(),
        alarms: alarms,
        external_alarm: any::<bool>(),
        topic: proptest::option::weighted(0.3, 0..FUNCTIONS.len()),
        invoker_alarm: proptest::option::weighted(0.15, 0..FUNCTIONS.len()),
        rollback_on: [
            proptest::option::weighted(0.3, 1u64..20),
            proptest::option::weighted(0.3, 1u64..20),
            proptest::option::weighted(0.3, 1u64..100),
            proptest::option::weighted(0.3, 1u64..30_000),
        ],
        trigger: proptest::bool::weighted(0.3),
        auto_rollback: auto_rollback(),
        provisioned: proptest::option::weighted(0.2, 1u64..10),
        enabled: enabled_spec(),
        ignore_poll: proptest::option::weighted(0.2, any::<bool>()),
        external_role: proptest::bool::weighted(0.15),
        group_name: proptest::bool::weighted(0.2),
    })
}

fn function_spec(always_marked: bool) -> BoxedStrategy<FunctionSpec> {
    let marking = if always_marked {
        marking().prop_map(Some).boxed()
    } else {
        proptest::option::weighted(0.6, marking()).boxed()
    };
    (marking, proptest::option::weighted(0.3, select(CONDITIONS.to_vec())))
        .prop_map(|(marking, condition)| FunctionSpec { marking, condition })
        .boxed()
}

fn spec() -> impl Strategy<Value = Spec> {
    let functions = (function_spec(true), proptest::collection::vec(function_spec(false), 0..=3))
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect::<Vec<_>>());
    let source = (0..SOURCE_KINDS.len(), 0..FUNCTIONS.len(), form());
    let api_target = || proptest::option::weighted(0.6, (0..FUNCTIONS.len(), uri_form()));
    let api = (api_target(), api_target(), api_target()).prop_map(|(body, method, authorizer)| ApiSpec {
        body,
        method,
        authorizer,
    });
    (
        proptest::option::weighted(0.5, type_spec()),
        proptest::bool::weighted(0.2),
        functions,
        proptest::collection::vec(source, 0..=10),
        proptest::option::weighted(0.5, api),
        proptest::option::weighted(0.4, (0..FUNCTIONS.len(), any::<bool>(), any::<bool>(), any::<bool>())),
        any::<bool>(),
        proptest::bool::weighted(0.3),
        any::<bool>(),
        proptest::option::weighted(0.4, (0..FUNCTIONS.len(), any::<bool>())),
    )
        .prop_map(
            |(defaults_type, boundary, functions, sources, api, iam, prod, serverless, premium, literal)| {
                let n = functions.len();
                let mut spec = Spec {
                    defaults_type,
                    boundary,
                    functions,
                    sources: sources
                        .into_iter()
                        .map(|(kind, target, form)| SourceSpec { kind, target: target % n, form })
                        .collect(),
                    api,
                    iam: iam.map(|(target, sub, hook_role, guarded)| (target % n, sub, hook_role, guarded)),
                    // SAM names a macro-first function's alias itself; literal names are for CloudFormation.
                    literal: literal.filter(|_| !serverless).map(|(target, outside)| (target % n, outside)),
                    prod,
                    premium,
                    serverless,
                };
                // One EventInvokeConfig per function: CloudFormation identifies it by function and qualifier.
                let mut configured = BTreeSet::new();
                spec.sources.retain(|s| !is_event_invoke_config(s.kind) || configured.insert(s.target));
                if let Some(api) = &mut spec.api {
                    // The API's parts refer to one another, so they invoke only functions that always exist.
                    for target in [&mut api.body, &mut api.method, &mut api.authorizer] {
                        *target = target
                            .map(|(f, form)| (f % n, form))
                            .filter(|(f, _)| spec.functions[*f].condition.is_none());
                    }
                }
                // SAM's DeploymentPreference has no group name, no choice of rollback events and no
                // IgnorePollAlarmFailure; the engine refuses them in us-first templates.
                if spec.serverless {
                    for m in spec.functions.iter_mut().filter_map(|f| f.marking.as_mut()) {
                        m.group_name = false;
                        m.auto_rollback = AutoRollbackSpec::Omitted;
                        m.ignore_poll = m.ignore_poll.filter(|ignore| !ignore);
                    }
                }
                // A hook among the template's functions is another function than the one it tests, and
                // exists whenever the function does (a hook under another condition is refused). A
                // function's trigger topic and watched invoker exist under its condition, so they may
                // only name a function that exists then too. SAM deploys us-first functions with its own
                // deployment group, so those get neither.
                let conditions: Vec<Option<&str>> = spec.functions.iter().map(|f| f.condition).collect();
                let serverless = spec.serverless;
                for (i, f) in spec.functions.iter_mut().enumerate() {
                    let own = f.condition;
                    let Some(m) = &mut f.marking else { continue };
                    for (h, _) in [&mut m.pre_hook, &mut m.post_hook].into_iter().flatten() {
                        if *h >= HOOKS.len() {
                            let j = (*h - HOOKS.len()) % n;
                            let exists = conditions[j].is_none() || conditions[j] == own;
                            *h = if j == i || !exists { 0 } else { HOOKS.len() + j };
                        }
                    }
                    for target in [&mut m.topic, &mut m.invoker_alarm] {
                        *target = target
                            .map(|j| j % n)
                            .filter(|&j| !serverless && (conditions[j].is_none() || conditions[j] == own));
                    }
                }
                // `Type` is required: without template defaults every marked function names one.
                if spec.defaults_type.is_none() {
                    for f in &mut spec.functions {
                        if let Some(m) = &mut f.marking {
                            m.traffic.get_or_insert(TypeSpec::Named("AllAtOnce"));
                        }
                    }
                }
                spec
            },
        )
}

// ---------------------------------------------------------------------------------------------
// The model as a template.

fn reference(f: &str, form: Form) -> Value {
    match form {
        Form::Ref => json!({"Ref": f}),
        Form::GetAttList => json!({"Fn::GetAtt": [f, "Arn"]}),
        Form::GetAttString => json!({"Fn::GetAtt": format!("{f}.Arn")}),
        Form::Sub => json!({"Fn::Sub": format!("${{{f}.Arn}}")}),
        Form::SubVarMap => json!({"Fn::Sub": ["${Target}", {"Target": {"Fn::GetAtt": [f, "Arn"]}}]}),
        Form::Join => json!({"Fn::Join": ["", [{"Fn::GetAtt": [f, "Arn"]}]]}),
        Form::If => {
            json!({"Fn::If": ["IsProd", {"Fn::GetAtt": [f, "Arn"]}, {"Fn::Sub": format!("${{{f}.Arn}}")}]})
        }
    }
}

/// An API Gateway integration URI that invokes `f`.
fn uri(f: &str, form: Form) -> Value {
    const PREFIX: &str = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/";
    match form {
        Form::SubVarMap => json!({"Fn::Sub": [
            format!("{PREFIX}${{Fn}}/invocations"),
            {"Fn": {"Fn::GetAtt": [f, "Arn"]}}
        ]}),
        Form::Join => json!({"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"},
            ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [f, "Arn"]}, "/invocations"
        ]]}),
        Form::If => json!({"Fn::If": [
            "IsProd",
            {"Fn::Sub": format!("{PREFIX}${{{f}.Arn}}/invocations")},
            {"Fn::Sub": format!("{PREFIX}${{{f}.Arn}}/invocations")}
        ]}),
        _ => json!({"Fn::Sub": format!("{PREFIX}${{{f}.Arn}}/invocations")}),
    }
}

/// One invoker of docs/rewiring.md: its type, its properties around a reference, and the JSON pointer of the
/// reference inside the resource.
struct SourceKind {
    resource_type: &'static str,
    properties: fn(Value) -> Value,
    pointer: &'static str,
}

const ROLE: &str = "arn:aws:iam::123456789012:role/invoker";

const SOURCE_KINDS: &[SourceKind] = &[
    SourceKind {
        resource_type: "AWS::Lambda::Permission",
        properties: |r| json!({"Action": "lambda:InvokeFunction", "FunctionName": r, "Principal": "s3.amazonaws.com"}),
        pointer: "/Properties/FunctionName",
    },
    SourceKind {
        resource_type: "AWS::Lambda::EventSourceMapping",
        properties: |r| json!({"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:jobs", "FunctionName": r}),
        pointer: "/Properties/FunctionName",
    },
    SourceKind {
        resource_type: "AWS::Lambda::Url",
        properties: |r| json!({"AuthType": "AWS_IAM", "TargetFunctionArn": r}),
        pointer: "/Properties/TargetFunctionArn",
    },
    SourceKind {
        resource_type: "AWS::SNS::Topic",
        properties: |r| json!({"Subscription": [{"Protocol": "lambda", "Endpoint": r}]}),
        pointer: "/Properties/Subscription/0/Endpoint",
    },
    SourceKind {
        resource_type: "AWS::SNS::Subscription",
        properties: |r| {
            json!({"Protocol": "lambda", "TopicArn": "arn:aws:sns:us-east-1:123456789012:news", "Endpoint": r})
        },
        pointer: "/Properties/Endpoint",
    },
    SourceKind {
        resource_type: "AWS::S3::Bucket",
        properties: |r| {
            json!({"NotificationConfiguration": {"LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": r}]}})
        },
        pointer: "/Properties/NotificationConfiguration/LambdaConfigurations/0/Function",
    },
    SourceKind {
        resource_type: "AWS::Events::Rule",
        properties: |r| json!({"ScheduleExpression": "rate(1 hour)", "Targets": [{"Id": "fn", "Arn": r}]}),
        pointer: "/Properties/Targets/0/Arn",
    },
    SourceKind {
        resource_type: "AWS::Scheduler::Schedule",
        properties: |r| {
            json!({"ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": r, "RoleArn": ROLE}})
        },
        pointer: "/Properties/Target/Arn",
    },
    SourceKind {
        resource_type: "AWS::Logs::SubscriptionFilter",
        properties: |r| json!({"LogGroupName": "app", "FilterPattern": "", "DestinationArn": r}),
        pointer: "/Properties/DestinationArn",
    },
    SourceKind {
        resource_type: "AWS::IoT::TopicRule",
        properties: |r| {
            json!({"TopicRulePayload": {"Sql": "SELECT * FROM 'a'", "Actions": [{"Lambda": {"FunctionArn": r}}]}})
        },
        pointer: "/Properties/TopicRulePayload/Actions/0/Lambda/FunctionArn",
    },
    SourceKind {
        resource_type: "AWS::AppSync::DataSource",
        properties: |r| {
            json!({"ApiId": "api", "Name": "fn", "Type": "AWS_LAMBDA", "ServiceRoleArn": ROLE, "LambdaConfig": {"LambdaFunctionArn": r}})
        },
        pointer: "/Properties/LambdaConfig/LambdaFunctionArn",
    },
    SourceKind {
        resource_type: "AWS::Cognito::UserPool",
        properties: |r| json!({"LambdaConfig": {"PreSignUp": r}}),
        pointer: "/Properties/LambdaConfig/PreSignUp",
    },
    SourceKind {
        resource_type: "AWS::ElasticLoadBalancingV2::TargetGroup",
        properties: |r| json!({"TargetType": "lambda", "Targets": [{"Id": r}]}),
        pointer: "/Properties/Targets/0/Id",
    },
    SourceKind {
        resource_type: "AWS::Pipes::Pipe",
        properties: |r| json!({"RoleArn": ROLE, "Source": "arn:aws:sqs:us-east-1:123456789012:jobs", "Target": r}),
        pointer: "/Properties/Target",
    },
    SourceKind {
        resource_type: "AWS::SecretsManager::RotationSchedule",
        properties: |r| json!({"SecretId": "db", "RotationLambdaARN": r}),
        pointer: "/Properties/RotationLambdaARN",
    },
    SourceKind {
        resource_type: "AWS::StepFunctions::StateMachine",
        properties: |r| json!({"RoleArn": ROLE, "DefinitionString": "{\"StartAt\": \"Run\", \"States\": {\"Run\": {\"Type\": \"Task\", \"Resource\": \"${Worker}\", \"End\": true}}}", "DefinitionSubstitutions": {"Worker": r}}),
        pointer: "/Properties/DefinitionSubstitutions/Worker",
    },
    SourceKind {
        resource_type: "AWS::KinesisFirehose::DeliveryStream",
        properties: |r| {
            json!({"ExtendedS3DestinationConfiguration": {
                "BucketARN": "arn:aws:s3:::logs", "RoleARN": ROLE,
                "ProcessingConfiguration": {"Enabled": true, "Processors": [{"Type": "Lambda", "Parameters": [
                    {"ParameterName": "LambdaArn", "ParameterValue": r}
                ]}]}
            }})
        },
        pointer: "/Properties/ExtendedS3DestinationConfiguration/ProcessingConfiguration/Processors/0/Parameters/0/ParameterValue",
    },
    SourceKind {
        resource_type: "AWS::Config::ConfigRule",
        properties: |r| json!({"Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": r}}),
        pointer: "/Properties/Source/SourceIdentifier",
    },
    SourceKind {
        resource_type: "AWS::SES::ReceiptRule",
        properties: |r| json!({"RuleSetName": "mail", "Rule": {"Actions": [{"LambdaAction": {"FunctionArn": r}}]}}),
        pointer: "/Properties/Rule/Actions/0/LambdaAction/FunctionArn",
    },
    SourceKind {
        resource_type: "AWS::ApiGatewayV2::Integration",
        properties: |r| json!({"ApiId": "http", "IntegrationType": "AWS_PROXY", "IntegrationUri": r}),
        pointer: "/Properties/IntegrationUri",
    },
    SourceKind {
        resource_type: "AWS::ApiGatewayV2::Api",
        properties: |r| json!({"Name": "quick", "ProtocolType": "HTTP", "Target": r}),
        pointer: "/Properties/Target",
    },
    SourceKind {
        resource_type: "AWS::ApiGatewayV2::Authorizer",
        properties: |r| json!({"ApiId": "http", "AuthorizerType": "REQUEST", "Name": "auth", "AuthorizerUri": r}),
        pointer: "/Properties/AuthorizerUri",
    },
    // Last: its `Qualifier`, not the reference, is what moves to the alias (checked separately).
    SourceKind {
        resource_type: "AWS::Lambda::EventInvokeConfig",
        properties: |r| json!({"FunctionName": r, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0}),
        pointer: "/Properties/Qualifier",
    },
];

fn is_event_invoke_config(kind: usize) -> bool {
    SOURCE_KINDS[kind].resource_type == "AWS::Lambda::EventInvokeConfig"
}

fn is_permission(kind: usize) -> bool {
    SOURCE_KINDS[kind].resource_type == "AWS::Lambda::Permission"
}

/// Whether an S3 bucket of the template notifies function `target` (and so moves to its alias).
fn bucket_moves(spec: &Spec, target: usize) -> bool {
    spec.sources.iter().any(|s| s.target == target && SOURCE_KINDS[s.kind].resource_type == "AWS::S3::Bucket")
        || spec.literal.is_some_and(|(i, _)| i == target)
}

fn is_uri_position(kind: usize) -> bool {
    SOURCE_KINDS[kind].resource_type == "AWS::ApiGatewayV2::Authorizer"
}

fn type_value(t: &TypeSpec) -> Value {
    match t {
        TypeSpec::Named(n) => json!(n),
        TypeSpec::Shape { canary: true, percentage, minutes } => {
            json!(format!(
                "Canary{percentage}Percent{minutes}{}",
                if *minutes == 1 { "Minute" } else { "Minutes" }
            ))
        }
        TypeSpec::Shape { canary: false, percentage, minutes } => json!(format!(
            "Linear{percentage}PercentEvery{minutes}{}",
            if *minutes == 1 { "Minute" } else { "Minutes" }
        )),
        TypeSpec::Parameter => json!({"Ref": "DeploymentType"}),
    }
}

fn settings(function: &str, m: &Marking, boundary: bool) -> Value {
    let mut s = Map::new();
    if let Some(t) = &m.traffic {
        s.insert("Type", type_value(t));
    }
    if let Some(a) = m.alias {
        s.insert("Alias", json!(a));
    }
    for (key, hook) in [("PreTrafficHook", m.pre_hook), ("PostTrafficHook", m.post_hook)] {
        if let Some((h, form)) = hook {
            let h = hook_name(h);
            let v = match form {
                HookForm::LogicalId => json!(h),
                HookForm::Ref => json!({"Ref": h}),
                HookForm::GetAtt => json!({"Fn::GetAtt": [h, "Arn"]}),
            };
            s.insert(key, v);
        }
    }
    if !m.alarms.is_empty() || m.external_alarm || m.invoker_alarm.is_some() {
        let mut alarms: Vec<Value> = m
            .alarms
            .iter()
            .map(|(a, form)| match form {
                AlarmForm::LogicalId => json!(ALARMS[*a]),
                AlarmForm::Ref => json!({"Ref": ALARMS[*a]}),
                AlarmForm::Name => json!({"Name": {"Ref": ALARMS[*a]}}),
            })
            .collect();
        if m.external_alarm {
            alarms.push(json!({"Name": "shared-5xx-alarm"}));
        }
        if m.invoker_alarm.is_some() {
            alarms.push(json!(format!("{function}InvokerAlarm")));
        }
        s.insert("Alarms", Value::Array(alarms));
    }
    let metrics = ["Errors", "Throttles", "ErrorRate", "DurationP99"];
    let rollback: Map = metrics
        .iter()
        .zip(m.rollback_on)
        .filter_map(|(k, v)| v.map(|v| ((*k).to_owned(), json!(v))))
        .collect();
    if !rollback.is_empty() {
        s.insert("RollbackOn", Value::Object(rollback));
    }
    let mut triggers = Vec::new();
    if m.trigger {
        triggers.push(json!({"TriggerName": "deployments", "TriggerTargetArn": {"Ref": "DeployTopic"},
                "TriggerEvents": ["DeploymentFailure", "DeploymentSuccess"]}));
    }
    if m.topic.is_some() {
        triggers.push(json!({"TriggerName": "own", "TriggerTargetArn": {"Ref": format!("{function}Events")},
                "TriggerEvents": ["DeploymentSuccess"]}));
    }
    if !triggers.is_empty() {
        s.insert("Triggers", Value::Array(triggers));
    }
    match &m.auto_rollback {
        AutoRollbackSpec::Omitted => {}
        AutoRollbackSpec::Off => {
            s.insert("AutoRollback", json!(false));
        }
        AutoRollbackSpec::Events(e) => {
            s.insert("AutoRollback", json!(e));
        }
    }
    if let Some(p) = m.provisioned {
        s.insert("ProvisionedConcurrency", json!(p));
    }
    let enabled = match m.enabled {
        EnabledSpec::Omitted => None,
        EnabledSpec::Bool(b) => Some(json!(b)),
        EnabledSpec::Text(b) => Some(json!(b.to_string())),
        EnabledSpec::Condition => Some(json!({"Condition": "IsProd"})),
        EnabledSpec::EqualsParameter => Some(json!({"Fn::Equals": [{"Ref": "Stage"}, "prod"]})),
        EnabledSpec::NotCondition => Some(json!({"Fn::Not": [{"Condition": "IsProd"}]})),
    };
    if let Some(e) = enabled {
        s.insert("Enabled", e);
    }
    if let Some(b) = m.ignore_poll {
        s.insert("IgnorePollAlarmFailure", json!(b));
    }
    if m.external_role {
        s.insert(
            "ServiceRole",
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/codedeploy"}),
        );
    }
    if boundary {
        s.insert(
            "PermissionsBoundary",
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/boundary"}),
        );
    }
    if m.group_name {
        s.insert("DeploymentGroupName", json!({ "Fn::Sub": format!("${{AWS::StackName}}-{function}") }));
    }
    Value::Object(s)
}

fn function(
    serverless: bool,
    role: Option<Value>,
    marking: Option<Value>,
    in_metadata: bool,
    condition: Option<&str>,
) -> Value {
    let mut resource = Map::new();
    let resource_type = if serverless { "AWS::Serverless::Function" } else { "AWS::Lambda::Function" };
    resource.insert("Type", json!(resource_type));
    if let Some(condition) = condition {
        resource.insert("Condition", json!(condition));
    }
    let mut props = Map::new();
    props.insert("Handler", json!("index.handler"));
    props.insert("Runtime", json!("nodejs22.x"));
    match role {
        Some(role) => props.insert("Role", role),
        // SAM builds the role from `Policies`; the macro adds a hook's status permission there.
        None => props.insert("Policies", json!("AWSLambdaBasicExecutionRole")),
    };
    if serverless {
        props.insert("InlineCode", json!("exports.handler = async (e) => e;"));
    } else {
        props.insert("Code", json!({"ZipFile": "exports.handler = async (e) => e;"}));
    }
    props.insert("Environment", json!({"Variables": {"STAGE": {"Ref": "Stage"}}}));
    if let Some(s) = marking {
        if in_metadata {
            resource.insert("Metadata", json!({"CanaryDeployment": s, "Owner": "team"}));
        } else {
            props.insert("CanaryDeployment", s);
        }
    }
    resource.insert("Properties", Value::Object(props));
    Value::Object(resource)
}

fn template(spec: &Spec) -> Value {
    let mut t = Map::new();
    t.insert("AWSTemplateFormatVersion", json!("2010-09-09"));
    if spec.serverless {
        t.insert("Transform", json!(["CanaryDeployments", "AWS::Serverless-2016-10-31"]));
    }
    if let Some(d) = &spec.defaults_type {
        t.insert("Metadata", json!({"CanaryDeployments": {"Type": type_value(d)}}));
    }
    t.insert(
        "Parameters",
        json!({
            "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
            "DeploymentType": {"Type": "String", "Default": "Linear10PercentEvery2Minutes"},
            "Tier": {"Type": "String", "AllowedValues": ["basic", "premium"], "Default": "basic"}
        }),
    );
    t.insert(
        "Conditions",
        json!({
            "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "IsPremium": {"Fn::Equals": [{"Ref": "Tier"}, "premium"]}
        }),
    );

    let mut resources = Map::new();
    resources.insert(
        "AppRole",
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}]
        }}),
    );
    resources.insert(
        "CheckRole",
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        }}),
    );
    for (f, fs) in FUNCTIONS.iter().zip(&spec.functions) {
        let marking = fs.marking.as_ref().map(|m| settings(f, m, spec.boundary));
        let in_metadata = fs.marking.as_ref().is_some_and(|m| m.in_metadata);
        let mut resource = function(
            spec.serverless,
            Some(json!({"Fn::GetAtt": ["AppRole", "Arn"]})),
            marking,
            in_metadata,
            fs.condition,
        );
        if spec.literal.is_some_and(|(i, _)| FUNCTIONS[i] == *f) {
            resource["Properties"]["FunctionName"] = json!(literal_name(f));
        }
        resources.insert(*f, resource);
        resources.insert(
            format!("{f}Logs"),
            with_condition(
                json!({"Type": "AWS::Logs::LogGroup", "Properties": {
                    "LogGroupName": {"Fn::Sub": format!("/aws/lambda/${{{f}}}")}, "RetentionInDays": 7}}),
                fs.condition,
            ),
        );
    }
    for h in HOOKS {
        // A SAM hook lets SAM build its role; a raw one has its role in the template.
        let role = (!spec.serverless).then(|| json!({"Fn::GetAtt": ["CheckRole", "Arn"]}));
        resources.insert(h, function(spec.serverless, role, None, false, None));
    }
    for a in ALARMS {
        resources.insert(
            a,
            json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
                "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}}),
        );
    }
    resources.insert("DeployTopic", json!({"Type": "AWS::SNS::Topic"}));
    // Trigger topics that subscribe functions, and alarms that watch invokers, under the condition
    // of the function whose settings name them.
    for (f, fs) in FUNCTIONS.iter().zip(&spec.functions) {
        let Some(m) = &fs.marking else { continue };
        let conditioned = |mut r: Value| {
            if let Some(c) = fs.condition {
                r["Condition"] = json!(c);
            }
            r
        };
        if let Some(g) = m.topic {
            let g = FUNCTIONS[g];
            resources.insert(
                format!("{f}Events"),
                conditioned(json!({"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [
                    {"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": [g, "Arn"]}}]}})),
            );
        }
        if let Some(g) = m.invoker_alarm {
            let g = FUNCTIONS[g];
            resources.insert(
                format!("{f}Watched"),
                conditioned(json!({"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                    "FunctionName": {"Ref": g}, "StartingPosition": "LATEST",
                    "EventSourceArn": {"Fn::Sub": format!("arn:${{AWS::Partition}}:kinesis:${{AWS::Region}}:${{AWS::AccountId}}:stream/{f}")}}})),
            );
            resources.insert(
                format!("{f}InvokerAlarm"),
                conditioned(json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "Namespace": "AWS/Lambda", "MetricName": "IteratorAge", "Statistic": "Maximum", "Period": 60,
                    "Dimensions": [{"Name": "EventSourceMappingUUID", "Value": {"Ref": format!("{f}Watched")}}],
                    "EvaluationPeriods": 1, "Threshold": 60000, "ComparisonOperator": "GreaterThanThreshold"}})),
            );
        }
    }
    for (i, s) in spec.sources.iter().enumerate() {
        let kind = &SOURCE_KINDS[s.kind];
        let f = FUNCTIONS[s.target];
        let r = if is_event_invoke_config(s.kind) {
            json!({"Ref": f})
        } else if is_uri_position(s.kind) {
            uri(f, s.form)
        } else {
            reference(f, s.form)
        };
        resources.insert(
            format!("Source{i}"),
            with_condition(
                json!({"Type": kind.resource_type, "Properties": (kind.properties)(r)}),
                spec.functions[s.target].condition,
            ),
        );
    }
    if let Some(api) = &spec.api {
        let mut body = json!({"openapi": "3.0.1", "info": {"title": "orders", "version": "1"}, "paths": {}});
        if let Some((f, form)) = api.body {
            body["paths"]["/orders/{id}"] = json!({"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": uri(FUNCTIONS[f], form)}}});
        }
        resources.insert("Api", json!({"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}}));
        let mut depends_on = Vec::new();
        if let Some((f, form)) = api.method {
            resources.insert(
                "ApiMethod",
                json!({"Type": "AWS::ApiGateway::Method", "Properties": {
                    "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                    "HttpMethod": "POST", "AuthorizationType": "NONE",
                    "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri(FUNCTIONS[f], form)}}}),
            );
            depends_on.push(json!("ApiMethod"));
        }
        if let Some((f, form)) = api.authorizer {
            resources.insert(
                "ApiAuthorizer",
                json!({"Type": "AWS::ApiGateway::Authorizer", "Properties": {
                    "RestApiId": {"Ref": "Api"}, "Name": "token", "Type": "TOKEN",
                    "IdentitySource": "method.request.header.Authorization",
                    "AuthorizerUri": uri(FUNCTIONS[f], form)}}),
            );
        }
        resources.insert(
            "ApiDeployment",
            json!({"Type": "AWS::ApiGateway::Deployment", "DependsOn": depends_on,
                   "Properties": {"RestApiId": {"Ref": "Api"}, "Description": "first"}}),
        );
        resources.insert(
            "ApiStage",
            json!({"Type": "AWS::ApiGateway::Stage", "Properties": {
                "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "ApiDeployment"}, "StageName": "v1"}}),
        );
    }
    if let Some((i, sub, hook_role, guarded)) = spec.iam {
        let f = FUNCTIONS[i];
        let mut resource =
            if sub { json!({"Fn::Sub": format!("${{{f}.Arn}}")}) } else { json!({"Fn::GetAtt": [f, "Arn"]}) };
        if guarded {
            // Beside an ARN every assignment keeps, so the statement is never left empty.
            resource = json!([
                {"Fn::Sub": format!("{LAMBDA_ARN}unrelated")},
                {"Fn::If": ["IsProd", resource, {"Ref": "AWS::NoValue"}]}
            ]);
        }
        resources.insert(
            "InvokerPolicy",
            with_condition(
                json!({"Type": "AWS::IAM::Policy", "Properties": {
                    "PolicyName": "invoke", "Roles": [{"Ref": if hook_role { "CheckRole" } else { "AppRole" }}],
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": resource}]}}}),
                spec.functions[i].condition,
            ),
        );
    }
    if let Some((i, outside)) = spec.literal {
        let f = FUNCTIONS[i];
        let condition = spec.functions[i].condition;
        resources.insert(
            "LiteralUploads",
            with_condition(
                json!({"Type": "AWS::S3::Bucket", "DependsOn": "LiteralPermission", "Properties": {
                    "BucketName": LITERAL_BUCKET,
                    "NotificationConfiguration": {"LambdaConfigurations": [{"Event": "s3:ObjectCreated:*",
                        "Function": {"Fn::Sub": format!("{LAMBDA_ARN}{}", literal_name(f))}}]}}}),
                condition,
            ),
        );
        resources.insert(
            "LiteralPermission",
            with_condition(
                json!({"Type": "AWS::Lambda::Permission", "Properties": {
                    "Action": "lambda:InvokeFunction", "FunctionName": literal_name(f),
                    "Principal": "s3.amazonaws.com", "SourceAccount": {"Ref": "AWS::AccountId"},
                    "SourceArn": {"Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::{LITERAL_BUCKET}")}}}),
                condition,
            ),
        );
        if outside {
            resources.insert(
                "OutsidePermission",
                with_condition(
                    json!({"Type": "AWS::Lambda::Permission", "Properties": {
                        "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": [f, "Arn"]},
                        "Principal": "s3.amazonaws.com", "SourceAccount": {"Ref": "AWS::AccountId"},
                        "SourceArn": "arn:aws:s3:::a-bucket-of-another-stack"}}),
                    condition,
                ),
            );
        }
    }
    resources.insert(
        "Seeder",
        with_condition(
            json!({"Type": "Custom::Seed", "Properties": {"ServiceToken": {"Fn::GetAtt": [FUNCTIONS[0], "Arn"]}}}),
            spec.functions[0].condition,
        ),
    );
    t.insert("Resources", Value::Object(resources));

    let outputs: Map = FUNCTIONS
        .iter()
        .zip(&spec.functions)
        .map(|(f, fs)| {
            let mut output = json!({"Value": {"Fn::GetAtt": [f, "Arn"]}});
            if let Some(c) = fs.condition {
                output["Condition"] = json!(c);
            }
            (format!("{f}Arn"), output)
        })
        .collect();
    t.insert("Outputs", Value::Object(outputs));
    Value::Object(t)
}

/// A resource that refers to a function exists under the function's condition: a valid template
/// refers to nothing that may not exist.
/// The bucket of `Spec::literal`, named so that its permission's `SourceArn` can be built from it.
const LITERAL_BUCKET: &str = "literal-uploads-123456789012";
/// A function ARN up to its name, built from pseudo parameters.
const LAMBDA_ARN: &str = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:";

/// The literal `FunctionName` of `f` in `Spec::literal`.
fn literal_name(f: &str) -> String {
    format!("{}-worker", f.to_lowercase())
}

fn with_condition(mut resource: Value, condition: Option<&str>) -> Value {
    if let Some(c) = condition {
        resource["Condition"] = json!(c);
    }
    resource
}

fn context(spec: &Spec) -> Context {
    let mut parameter_values = Map::new();
    parameter_values.insert("Stage", json!(if spec.prod { "prod" } else { "dev" }));
    parameter_values.insert("Tier", json!(if spec.premium { "premium" } else { "basic" }));
    Context {
        region: "eu-west-1".into(),
        account_id: "123456789012".into(),
        parameter_values,
        smoke_hook_code: None,
    }
}

fn enabled(m: &Marking, prod: bool) -> bool {
    match m.enabled {
        EnabledSpec::Omitted => true,
        EnabledSpec::Bool(b) | EnabledSpec::Text(b) => b,
        EnabledSpec::Condition | EnabledSpec::EqualsParameter => prod,
        EnabledSpec::NotCondition => !prod,
    }
}

fn alias_name(m: &Marking) -> &'static str {
    m.alias.unwrap_or("Live")
}

/// docs/generated-resources.md: `<Fn>Alias<Name>`, `-` written `D` and `_` written `U`.
fn alias_logical_id(f: &str, name: &str) -> String {
    format!("{f}Alias{}", name.replace('-', "D").replace('_', "U"))
}

// ---------------------------------------------------------------------------------------------
// Reading templates.

/// Every logical ID, parameter or pseudo parameter a value refers to, through `Ref`, `Fn::GetAtt`
/// (both forms) and `Fn::Sub` (read by the engine: a variable hides only the placeholder of its whole
/// name, as cfn-lint reads it), in order and with repeats.
fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| refs_in(i, out)),
        Value::Object(m) => {
            if m.len() == 1 {
                let (k, inner) = m.iter().next().expect("one key");
                match (k.as_str(), inner) {
                    ("Ref", Value::String(name)) => {
                        out.push(name.to_string());
                        return;
                    }
                    ("Fn::GetAtt", Value::Array(a)) if !a.is_empty() => {
                        if let Some(name) = a[0].as_str() {
                            out.push(name.to_owned());
                        }
                        a[1..].iter().for_each(|i| refs_in(i, out));
                        return;
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        out.push(s.split_once('.').map_or(s.as_str(), |(n, _)| n).to_owned());
                        return;
                    }
                    ("Fn::Sub", Value::String(s)) => {
                        cfn::sub_references(s, None, &mut |id| out.push(id.to_owned()));
                        return;
                    }
                    ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                        if let Some(s) = a[0].as_str() {
                            cfn::sub_references(s, a[1].as_object(), &mut |id| out.push(id.to_owned()));
                        }
                        refs_in(&a[1], out);
                        return;
                    }
                    _ => {}
                }
            }
            m.values().for_each(|i| refs_in(i, out));
        }
        _ => {}
    }
}

fn refs(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    refs_in(v, &mut out);
    out
}

/// Condition names a value uses (`Fn::If` first argument, `{Condition: …}`).
fn conditions_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| conditions_in(i, out)),
        Value::Object(m) => {
            if let Some(Value::Array(a)) = m.get("Fn::If") {
                if let Some(c) = a.first().and_then(Value::as_str) {
                    out.push(c.to_owned());
                }
            }
            if m.len() == 1 {
                if let Some(Value::String(c)) = m.get("Condition") {
                    out.push(c.to_string());
                }
            }
            m.values().for_each(|i| conditions_in(i, out));
        }
        _ => {}
    }
}

fn depends_on(resource: &Value) -> Vec<String> {
    match resource.get("DependsOn") {
        Some(Value::String(s)) => vec![s.to_string()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn resources(t: &Value) -> &Map {
    t["Resources"].as_object().expect("Resources is an object")
}

fn resource_type(r: &Value) -> &str {
    r["Type"].as_str().unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Canonical form for the survival check: a reference to a marked function and a reference to its
// alias both read as the token `{"@fn": F}` (and `${@F}` inside `Fn::Sub`), and a renamed API
// deployment reads as its old ID. So "input survives in output" becomes a structural comparison.

struct Canon {
    /// Marked function or its alias logical ID → the function.
    function_of: HashMap<String, String>,
    /// New logical ID of a renamed resource → its input ID.
    renamed: HashMap<String, String>,
    /// A marked function's literal name qualified with its alias (`name:Live`) → the name alone.
    qualified_names: Vec<(String, String)>,
}

impl Canon {
    fn name(&self, id: &str) -> String {
        self.renamed.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// `s` with every literal function name qualified with its alias read as the name alone.
    fn unqualify(&self, s: &str) -> String {
        let mut s = s.to_owned();
        for (qualified, name) in &self.qualified_names {
            s = s.replace(qualified.as_str(), name);
        }
        s
    }

    fn sub(&self, s: &str) -> String {
        let unqualified = self.unqualify(s);
        let s = unqualified.as_str();
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let var = &after[..end];
            let (name, attr) = match var.split_once('.') {
                Some((n, a)) => (n, Some(a)),
                None => (var, None),
            };
            match (self.function_of.get(name), attr) {
                (Some(f), None | Some("Arn")) => out.push_str(&format!("${{@{f}}}")),
                _ => match attr {
                    Some(a) => out.push_str(&format!("${{{}.{a}}}", self.name(name))),
                    None => out.push_str(&format!("${{{}}}", self.name(name))),
                },
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn value(&self, v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(m) if m.len() == 1 => {
                let (k, inner) = m.iter().next().expect("one key");
                match (k.as_str(), inner) {
                    ("Ref", Value::String(id)) => match self.function_of.get(id.as_str()) {
                        Some(f) => json!({ "@fn": f }),
                        None => json!({ "Ref": self.name(id) }),
                    },
                    ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 && a[0].is_string() => {
                        let id = a[0].as_str().expect("string");
                        match (self.function_of.get(id), a[1].as_str()) {
                            (Some(f), Some("Arn")) => json!({ "@fn": f }),
                            _ => json!({"Fn::GetAtt": [self.name(id), a[1]]}),
                        }
                    }
                    ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                        Some((id, "Arn")) if self.function_of.contains_key(id) => {
                            json!({ "@fn": self.function_of[id] })
                        }
                        Some((id, attr)) => json!({"Fn::GetAtt": [self.name(id), attr]}),
                        None => v.clone(),
                    },
                    ("Fn::Sub", Value::String(s)) => json!({ "Fn::Sub": self.sub(s) }),
                    ("Fn::Sub", Value::Array(a)) if a.len() == 2 && a[0].is_string() => {
                        json!({"Fn::Sub": [self.sub(a[0].as_str().expect("string")), self.value(&a[1])]})
                    }
                    _ => json!({ k.clone(): self.value(inner) }),
                }
            }
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), self.value(v))).collect()),
            Value::String(s) => json!(self.unqualify(s)),
            _ => v.clone(),
        }
    }
}

/// Whether everything in `a` (canonical input) is still in `b` (canonical output): objects keep every
/// key, lists keep every item in order (items may be added beside them, as IAM statements gain the
/// alias ARN), and a single value may have become a list that holds it. `Qualifier: $LATEST` may
/// have become an alias name (docs/rewiring.md, `EventInvokeConfig`). Returns the path of the first loss.
fn survives(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            for (k, va) in ma {
                let p = format!("{path}/{k}");
                let vb = mb.get(k).ok_or_else(|| format!("{p}: missing from the output"))?;
                survives(va, vb, &p)?;
            }
            Ok(())
        }
        (Value::Array(xa), Value::Array(xb)) => {
            let mut j = 0;
            for (i, x) in xa.iter().enumerate() {
                loop {
                    if j >= xb.len() {
                        return Err(format!("{path}/{i}: {x} missing from the output list {b}"));
                    }
                    j += 1;
                    if survives(x, &xb[j - 1], &format!("{path}/{i}")).is_ok() {
                        break;
                    }
                }
            }
            Ok(())
        }
        (_, Value::Array(xb)) if xb.iter().any(|x| survives(a, x, path).is_ok()) => Ok(()),
        (Value::String(s), Value::String(_)) if s == "$LATEST" && path.ends_with("/Qualifier") => Ok(()),
        _ => Err(format!("{path}: {a} became {b}")),
    }
}

/// Whether the keys of `a` that are also in `b` come in the same order there, at every level.
fn order_kept(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let positions: Vec<usize> = ma.keys().filter_map(|k| mb.keys().position(|x| x == k)).collect();
            if positions.windows(2).any(|w| w[0] > w[1]) {
                let ka: Vec<&str> = ma.keys().map(|k| k.as_str()).collect();
                let kb: Vec<&str> = mb.keys().map(|k| k.as_str()).collect();
                return Err(format!("{path}: key order {ka:?} became {kb:?}"));
            }
            for (k, va) in ma {
                if let Some(vb) = mb.get(k) {
                    order_kept(va, vb, &format!("{path}/{k}"))?;
                }
            }
            Ok(())
        }
        (Value::Array(xa), Value::Array(xb)) if xa.len() == xb.len() => {
            for (i, (x, y)) in xa.iter().zip(xb).enumerate() {
                order_kept(x, y, &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The properties.

fn errors(e: &Expansion) -> String {
    e.diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

/// Generated templates whose expansion was checked in full, those refused for a cycle the settings
/// make, and the condition assignments under which outputs were checked.
static EXPANDED: AtomicUsize = AtomicUsize::new(0);
static REFUSED_CYCLES: AtomicUsize = AtomicUsize::new(0);
static ASSIGNMENTS: AtomicUsize = AtomicUsize::new(0);

/// Whether the settings make a cycle no structure avoids: an enabled function's deployment group
/// waits for its trigger topic or watched invoker, which waits for (subscribes or invokes) the alias
/// of an enabled function, whose alias waits for its own deployment group, and so on back.
fn expects_cycle(spec: &Spec) -> bool {
    let on = |i: usize| spec.functions[i].marking.as_ref().is_some_and(|m| enabled(m, spec.prod));
    let next = |i: usize| -> Vec<usize> {
        let m = spec.functions[i].marking.as_ref().expect("an enabled function is marked");
        [m.topic, m.invoker_alarm].into_iter().flatten().filter(|&g| on(g)).collect()
    };
    (0..spec.functions.len()).filter(|&i| on(i)).any(|start| {
        let mut seen = BTreeSet::new();
        let mut todo = next(start);
        while let Some(i) = todo.pop() {
            if i == start {
                return true;
            }
            if seen.insert(i) {
                todo.extend(next(i));
            }
        }
        false
    })
}

fn check(spec: &Spec) -> Result<(), TestCaseError> {
    let input = template(spec);
    let ctx = context(spec);
    let first = expand(input.clone(), &ctx);
    if expects_cycle(spec) {
        // Refused, at the trigger or alarm that closes it, naming the cycle.
        prop_assert!(first.has_errors(), "a cycle the settings make was not reported");
        for d in first.diagnostics.iter().filter(|d| d.is_error()) {
            let at = d.path.to_string();
            prop_assert!(
                d.message.contains("dependency cycle")
                    && (at.contains("/Triggers/") || at.contains("/Alarms/")),
                "unexpected error: {}",
                d
            );
        }
        REFUSED_CYCLES.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    prop_assert!(!first.has_errors(), "a valid template was refused:\n{}", errors(&first));
    let output = first.template;
    let text = serde_json::to_string(&output).expect("serializable");

    // Deterministic: the same input gives byte-identical output.
    let again = expand(input.clone(), &ctx);
    prop_assert_eq!(&text, &serde_json::to_string(&again.template).expect("serializable"));

    // Idempotent: the consumed keys are gone, so a second pass changes nothing.
    let second = expand(output.clone(), &ctx);
    prop_assert!(!second.has_errors(), "expanding the output again failed:\n{}", errors(&second));
    prop_assert_eq!(
        &text,
        &serde_json::to_string(&second.template).expect("serializable"),
        "expanding the output again changed it"
    );

    let in_res = resources(&input);
    let out_res = resources(&output);

    // Each marked function has a version and an alias of the documented ID; enabled ones a
    // deployment group, disabled ones none (docs/settings.md, `Enabled`).
    let mut function_of = HashMap::new();
    let mut alias_of = BTreeMap::new();
    let mut any_enabled = false;
    // SAM's resources, generated after this macro: refer to them is fine, they exist by then.
    let mut sam_generated = BTreeSet::new();
    for (f, fs) in FUNCTIONS.iter().zip(&spec.functions) {
        let Some(m) = &fs.marking else { continue };
        function_of.insert((*f).to_owned(), (*f).to_owned());
        let alias_id = alias_logical_id(f, alias_name(m));
        if spec.serverless {
            // SAM publishes the version and the alias (under this same logical ID) and, when
            // enabled, the deployment group.
            let props = &out_res[*f]["Properties"];
            prop_assert_eq!(&props["AutoPublishAlias"], &json!(alias_name(m)), "{} AutoPublishAlias", f);
            prop_assert!(props.get("CanaryDeployment").is_none());
            if enabled(m, spec.prod) {
                prop_assert!(
                    props.get("DeploymentPreference").is_some(),
                    "{} has no DeploymentPreference",
                    f
                );
            }
            sam_generated.insert(alias_id.clone());
            sam_generated.insert(format!("{f}DeploymentGroup"));
            // SAM's own reference forms for an AutoPublishAlias function.
            sam_generated.insert(format!("{f}.Version"));
            sam_generated.insert(format!("{f}.Alias"));
            function_of.insert(alias_id.clone(), (*f).to_owned());
            alias_of.insert((*f).to_owned(), (alias_id, alias_name(m)));
            continue;
        }
        let alias = out_res.get(&alias_id);
        prop_assert!(alias.is_some(), "no alias {alias_id} for marked {f}");
        let alias = alias.expect("checked");
        prop_assert_eq!(resource_type(alias), "AWS::Lambda::Alias");
        prop_assert_eq!(&alias["Properties"]["Name"], &json!(alias_name(m)));
        prop_assert!(refs(&alias["Properties"]["FunctionName"]) == vec![(*f).to_owned()]);
        let version_refs = refs(&alias["Properties"]["FunctionVersion"]);
        prop_assert!(
            version_refs.len() == 1,
            "alias {alias_id} FunctionVersion {}",
            alias["Properties"]["FunctionVersion"]
        );
        let version = &out_res[&version_refs[0]];
        prop_assert_eq!(resource_type(version), "AWS::Lambda::Version");
        let version_prefix = format!("{f}Version");
        prop_assert!(version_refs[0].starts_with(&version_prefix), "version ID {}", version_refs[0]);
        let group = out_res.get(&format!("{f}DeploymentGroup"));
        let on = enabled(m, spec.prod);
        any_enabled |= on;
        prop_assert_eq!(group.is_some(), on, "deployment group of {} (enabled: {})", f, on);
        prop_assert_eq!(
            alias.get("UpdatePolicy").is_some(),
            on,
            "UpdatePolicy of {} (enabled: {})",
            alias_id,
            on
        );
        if let Some(condition) = fs.condition {
            for id in [alias_id.as_str(), version_refs[0].as_str(), &format!("{f}DeploymentGroup")] {
                if let Some(r) = out_res.get(id) {
                    prop_assert_eq!(
                        r.get("Condition"),
                        Some(&json!(condition)),
                        "{} lost its function's Condition",
                        id
                    );
                }
            }
        }
        function_of.insert(alias_id.clone(), (*f).to_owned());
        alias_of.insert((*f).to_owned(), (alias_id, alias_name(m)));
    }
    if spec.serverless {
        sam_generated.insert("ServerlessDeploymentApplication".to_owned());
    }
    prop_assert_eq!(
        out_res.contains_key("CanaryDeploymentsApplication"),
        any_enabled && !spec.serverless,
        "a CodeDeploy application exists exactly when a function is enabled"
    );

    // API deployments of an API whose integrations moved get a new ID (docs/rewiring.md).
    let mut renamed = HashMap::new();
    if let Some(api) = &spec.api {
        let moved = [api.body, api.method, api.authorizer]
            .iter()
            .flatten()
            .any(|(f, _)| alias_of.contains_key(FUNCTIONS[*f]));
        let candidates: Vec<&canary_engine::json::Str> = out_res
            .iter()
            .filter(|(id, r)| {
                id.starts_with("ApiDeployment")
                    && !in_res.contains_key(id)
                    && resource_type(r) == "AWS::ApiGateway::Deployment"
            })
            .map(|(id, _)| id)
            .collect();
        if moved {
            prop_assert!(
                !out_res.contains_key("ApiDeployment"),
                "ApiDeployment kept its ID after its integrations moved"
            );
            prop_assert_eq!(candidates.len(), 1, "renamed deployments: {:?}", candidates);
            let new_id = candidates[0].to_string();
            prop_assert_eq!(&out_res["ApiStage"]["Properties"]["DeploymentId"], &json!({"Ref": new_id}));
            renamed.insert(new_id, "ApiDeployment".to_owned());
        } else {
            prop_assert!(out_res.contains_key("ApiDeployment"), "ApiDeployment renamed though nothing moved");
            prop_assert!(candidates.is_empty());
        }
    }

    // Every input resource and property survives (canonically), in the input's key order.
    let qualified_names = spec
        .literal
        .iter()
        .filter_map(|(i, _)| alias_of.get(FUNCTIONS[*i]).map(|(_, alias)| (FUNCTIONS[*i], alias)))
        .map(|(f, alias)| (format!("{}:{alias}", literal_name(f)), literal_name(f)))
        .collect();
    let canon = Canon { function_of, renamed: renamed.clone(), qualified_names };
    let mut consumed = input.clone();
    // The macro takes itself out of `Transform` (the other transforms stay, in order).
    if let Some(Value::Array(transforms)) = consumed.get_mut("Transform") {
        transforms.retain(|t| t != "CanaryDeployments");
    }
    if let Some(Value::Object(meta)) = consumed.get_mut("Metadata") {
        meta.remove("CanaryDeployments");
        if meta.is_empty() {
            consumed.as_object_mut().expect("object").remove("Metadata");
        }
    }
    for (id, r) in consumed["Resources"].as_object_mut().expect("object") {
        if let Some(Value::Object(props)) = r.get_mut("Properties") {
            props.remove("CanaryDeployment");
        }
        if let Some(Value::Object(meta)) = r.get_mut("Metadata") {
            meta.remove("CanaryDeployment");
        }
        let _ = id;
    }
    let new_id_of: HashMap<&str, &str> = renamed.iter().map(|(n, o)| (o.as_str(), n.as_str())).collect();
    for (key, value) in consumed.as_object().expect("object") {
        if key == "Resources" {
            continue;
        }
        let out = output.get(key);
        prop_assert!(out.is_some(), "top-level {key} lost");
        if let Err(e) = survives(value, out.expect("checked"), key) {
            return Err(TestCaseError::fail(e));
        }
    }
    let mut last_position = 0;
    for (id, r) in consumed["Resources"].as_object().expect("object") {
        let out_id = new_id_of.get(id.as_str()).copied().unwrap_or(id);
        let out = out_res.get(out_id);
        prop_assert!(out.is_some(), "resource {id} lost");
        let (a, b) = (canon.value(r), canon.value(out.expect("checked")));
        if let Err(e) = survives(&a, &b, &format!("Resources/{id}")) {
            return Err(TestCaseError::fail(e));
        }
        if let Err(e) = order_kept(r, out.expect("checked"), &format!("Resources/{id}")) {
            return Err(TestCaseError::fail(e));
        }
        let position = out_res.keys().position(|x| x == out_id).expect("present");
        prop_assert!(position >= last_position, "resource {} moved before an earlier input resource", id);
        last_position = position;
    }
    if let Err(e) = order_kept(&input, &output, "") {
        // Renamed deployments are reported above; here only the top-level sections matter.
        if !e.starts_with("/Resources") {
            return Err(TestCaseError::fail(e));
        }
    }

    // Invoking references to marked functions point at the alias; others are untouched.
    for (i, s) in spec.sources.iter().enumerate() {
        let id = format!("Source{i}");
        let kind = &SOURCE_KINDS[s.kind];
        let f = FUNCTIONS[s.target];
        let before = input["Resources"][&id].pointer(kind.pointer).expect("generated");
        let after = out_res[&id].pointer(kind.pointer);
        prop_assert!(after.is_some(), "{id} ({}) lost {}", kind.resource_type, kind.pointer);
        let after = after.expect("checked");
        match alias_of.get(f) {
            None => prop_assert_eq!(
                before,
                after,
                "{} ({}) changed though {} is not marked",
                id,
                kind.resource_type,
                f
            ),
            // A permission without `SourceArn` for `s3.amazonaws.com` moves only with a bucket of the
            // template that moves to the alias; otherwise it stays, and the alias gets its own.
            Some((alias_id, _)) if is_permission(s.kind) && !bucket_moves(spec, s.target) => {
                prop_assert_eq!(before, after, "{} moved without the bucket it serves", id);
                let beside = format!("{id}CanaryAliasPermission{f}");
                prop_assert!(out_res.contains_key(&beside), "{} has no alias permission beside it", id);
                // In the permission's own form, pointed at the alias.
                let r = refs(&out_res[&beside]["Properties"]["FunctionName"]);
                prop_assert!(r.contains(alias_id) && !r.iter().any(|x| x == f), "{} names {:?}", beside, r);
                prop_assert_eq!(out_res[&beside].get("Condition"), out_res[&id].get("Condition"));
            }
            Some((alias_id, name)) if is_event_invoke_config(s.kind) => {
                prop_assert_eq!(after, &json!(name), "{} Qualifier", id);
                prop_assert_eq!(&out_res[&id]["Properties"]["FunctionName"], &json!({"Ref": f}));
                prop_assert!(
                    depends_on(&out_res[&id]).contains(alias_id),
                    "{} does not depend on {}",
                    id,
                    alias_id
                );
            }
            Some((alias_id, _)) => {
                let r = refs(after);
                prop_assert!(
                    r.contains(alias_id) && !r.iter().any(|x| x == f),
                    "{} ({}) {}: {} should point at {}",
                    id,
                    kind.resource_type,
                    kind.pointer,
                    after,
                    alias_id
                );
            }
        }
    }
    if let Some(api) = &spec.api {
        let positions = [
            (
                "Api",
                "/Properties/Body/paths/~1orders~1{id}/get/x-amazon-apigateway-integration/uri",
                api.body,
            ),
            ("ApiMethod", "/Properties/Integration/Uri", api.method),
            ("ApiAuthorizer", "/Properties/AuthorizerUri", api.authorizer),
        ];
        for (id, pointer, target) in positions {
            let Some((f, _)) = target else { continue };
            let f = FUNCTIONS[f];
            let after = out_res[id].pointer(pointer).expect("kept");
            let r = refs(after);
            match alias_of.get(f) {
                Some((alias_id, _)) => prop_assert!(
                    r.contains(alias_id) && !r.iter().any(|x| x == f),
                    "{}{}: {} should point at {}",
                    id,
                    pointer,
                    after,
                    alias_id
                ),
                None => prop_assert_eq!(after, input["Resources"][id].pointer(pointer).expect("generated")),
            }
        }
    }
    // IAM statements gain the alias ARN and lose nothing (docs/rewiring.md).
    if let Some((f, _, _, guarded)) = spec.iam {
        let f = FUNCTIONS[f];
        let before =
            &input["Resources"]["InvokerPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"];
        let after = &out_res["InvokerPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"];
        let kept = after == before
            || after.as_array().is_some_and(|a| {
                a.contains(before) || before.as_array().is_some_and(|b| b.iter().all(|item| a.contains(item)))
            });
        prop_assert!(kept, "InvokerPolicy lost {before}: {after}");
        if let Some((alias_id, name)) = alias_of.get(f) {
            // The alias ARN, as `{Ref: Alias}` or built from the function's ARN and the alias name
            // (the form that keeps a hook's role out of a dependency cycle).
            let mut qualified = json!({ "Fn::Sub": format!("${{{f}.Arn}}:{name}") });
            if guarded {
                // In the branch of the condition that guards the function's ARN.
                qualified = json!({"Fn::If": ["IsProd", qualified, {"Ref": "AWS::NoValue"}]});
            }
            let grants_alias = refs(after).contains(alias_id)
                || after == &qualified
                || after.as_array().is_some_and(|a| a.contains(&qualified));
            prop_assert!(grants_alias, "InvokerPolicy does not allow {alias_id}: {after}");
        }
    }
    // Literal names move as references do; a permission for a bucket outside the template stays,
    // with the alias's permission beside it.
    if let Some((i, outside)) = spec.literal {
        let f = FUNCTIONS[i];
        let function = &out_res["LiteralUploads"]["Properties"]["NotificationConfiguration"]
            ["LambdaConfigurations"][0]["Function"];
        let permission = &out_res["LiteralPermission"]["Properties"]["FunctionName"];
        match alias_of.get(f) {
            Some((alias_id, name)) => {
                let qualified = format!("{}:{name}", literal_name(f));
                prop_assert_eq!(function, &json!({"Fn::Sub": format!("{LAMBDA_ARN}{qualified}")}));
                prop_assert_eq!(permission, &json!(qualified));
                for id in ["LiteralUploads", "LiteralPermission"] {
                    prop_assert!(
                        depends_on(&out_res[id]).contains(alias_id),
                        "{} does not wait for {}",
                        id,
                        alias_id
                    );
                }
                if outside {
                    prop_assert_eq!(&out_res["OutsidePermission"], &input["Resources"]["OutsidePermission"]);
                    let beside = &out_res[&format!("OutsidePermissionCanaryAliasPermission{f}")];
                    prop_assert_eq!(&beside["Properties"]["FunctionName"], &json!({"Ref": alias_id}));
                    prop_assert_eq!(
                        &beside["Properties"]["SourceArn"],
                        &input["Resources"]["OutsidePermission"]["Properties"]["SourceArn"]
                    );
                    let warned = first.diagnostics.iter().any(|d| {
                        !d.is_error()
                            && d.path.to_string() == "Resources/OutsidePermission/Properties/SourceArn"
                            && d.message.contains("a-bucket-of-another-stack")
                    });
                    prop_assert!(warned, "no warning names the outside invoker of OutsidePermission");
                }
            }
            None => {
                for id in ["LiteralUploads", "LiteralPermission"] {
                    prop_assert_eq!(&out_res[id], &input["Resources"][id]);
                }
            }
        }
    }
    // Never rewired: custom resource service tokens, log groups, outputs.
    prop_assert_eq!(&out_res["Seeder"], &input["Resources"]["Seeder"]);
    for f in FUNCTIONS.iter().take(spec.functions.len()) {
        prop_assert_eq!(&out_res[&format!("{f}Logs")], &input["Resources"][&format!("{f}Logs")]);
    }
    prop_assert_eq!(&output["Outputs"], &input["Outputs"]);

    // Every reference in the output resolves, and the dependency graph has no cycle.
    let parameters: BTreeSet<&str> =
        output["Parameters"].as_object().expect("kept").keys().map(|k| k.as_str()).collect();
    let conditions: BTreeSet<&str> =
        output["Conditions"].as_object().expect("kept").keys().map(|k| k.as_str()).collect();
    let mut graph: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (id, r) in out_res {
        let mut targets = refs(r);
        for t in &targets {
            let known = out_res.contains_key(t)
                || parameters.contains(t.as_str())
                || cfn::is_pseudo_parameter(t)
                || sam_generated.contains(t);
            prop_assert!(known, "{id} refers to {t}, which does not exist");
        }
        let d = depends_on(r);
        for t in &d {
            prop_assert!(
                out_res.contains_key(t) || sam_generated.contains(t),
                "{id} DependsOn {t}, which does not exist"
            );
        }
        targets.extend(d);
        let mut used = Vec::new();
        conditions_in(r, &mut used);
        if let Some(Value::String(c)) = r.get("Condition") {
            used.push(c.to_string());
        }
        for c in used {
            prop_assert!(conditions.contains(c.as_str()), "{id} uses condition {c}, which does not exist");
        }
        // A SAM function's DeploymentPreference becomes SAM's deployment group, not part of the
        // function: what it refers to (alarms on the function, hooks) is no dependency of the function.
        if resource_type(r) == "AWS::Serverless::Function" {
            let mut own = r.clone();
            if let Some(Value::Object(props)) = own.get_mut("Properties") {
                props.remove("DeploymentPreference");
            }
            targets = refs(&own);
            targets.extend(depends_on(r));
        }
        graph.insert(id, targets.into_iter().filter(|t| out_res.contains_key(t)).collect());
    }
    if let Some(cycle) = find_cycle(&graph) {
        return Err(TestCaseError::fail(format!("dependency cycle: {}", cycle.join(" -> "))));
    }
    // The same by another algorithm, on the template as written, and what IAM and CloudFormation
    // check under every assignment of the conditions: no empty statement, no dangling reference.
    if let Some(cycle) = deploy_checks::cycle(&output) {
        return Err(TestCaseError::fail(format!("dependency cycle among {cycle:?}")));
    }
    let (problems, assignments) = deploy_checks::deploy_problems(&output);
    prop_assert!(problems.is_empty(), "under some assignment of the conditions:\n{}", problems.join("\n"));
    EXPANDED.fetch_add(1, Ordering::Relaxed);
    ASSIGNMENTS.fetch_add(assignments, Ordering::Relaxed);
    Ok(())
}

/// A cycle in `graph`, if any, as the list of nodes around it.
fn find_cycle(graph: &BTreeMap<&str, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<&str, BTreeSet<String>>,
        marks: &mut HashMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node).copied().unwrap_or(Mark::New) {
            Mark::Done => return None,
            Mark::Open => {
                let start = stack.iter().position(|n| n == node).expect("open node is on the stack");
                let mut cycle = stack[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            Mark::New => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// The run's configuration: `DEFAULT_CASES` cases from a fixed seed, so the test command is
/// reproducible; `PROPTEST_CASES` and `PROPTEST_RNG_SEED` change them by hand. A failure prints its
/// shrunk `Spec` and is not persisted to a file.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var("PROPTEST_CASES").is_err() {
        config.cases = DEFAULT_CASES;
    }
    if std::env::var("PROPTEST_RNG_SEED").is_err() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x00CA_9A47);
    }
    config.failure_persistence = None;
    config.max_shrink_iters = 2000;
    config
}

#[test]
fn expansion_keeps_its_invariants() {
    let mut runner = proptest::test_runner::TestRunner::new(config());
    if let Err(e) = runner.run(&spec(), |spec| check(&spec)) {
        panic!("{e}");
    }
    let (expanded, refused) = (EXPANDED.load(Ordering::Relaxed), REFUSED_CYCLES.load(Ordering::Relaxed));
    eprintln!(
        "{expanded} generated templates expanded and checked acyclic with no empty IAM statement or dangling \
         reference under {} condition assignments; {refused} refused for a cycle their settings make",
        ASSIGNMENTS.load(Ordering::Relaxed)
    );
    // Both outcomes must occur, or the generator no longer covers them.
    assert!(expanded > 0 && refused > 0, "expanded {expanded}, refused {refused}");
}

#[test]
fn cycle_finder_finds_cycles() {
    // The acyclicity check above must be able to fail.
    let mut graph: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    graph.insert("A", ["B".to_owned()].into());
    graph.insert("B", ["C".to_owned()].into());
    graph.insert("C", BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    graph.insert("C", ["A".to_owned()].into());
    assert_eq!(find_cycle(&graph), Some(vec!["A".into(), "B".into(), "C".into(), "A".into()]));
}

#[test]
fn survival_check_catches_losses() {
    // The survival check above must be able to fail: a dropped property, a dropped list item and
    // a changed value are all losses; an added key or an ARN added beside the old one is not.
    let a = json!({"P": {"X": 1, "L": ["a", "b"]}});
    assert!(survives(&a, &json!({"P": {"X": 1, "L": ["a", "b"], "New": 2}}), "").is_ok());
    assert!(survives(&a, &json!({"P": {"L": ["a", "b"]}}), "").is_err());
    assert!(survives(&a, &json!({"P": {"X": 1, "L": ["a"]}}), "").is_err());
    assert!(survives(&a, &json!({"P": {"X": 2, "L": ["a", "b"]}}), "").is_err());
    assert!(survives(&json!({"R": "arn"}), &json!({"R": ["arn", "alias"]}), "").is_ok());
    assert!(order_kept(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1}), "").is_err());
}

#[test]
fn canonical_form_equates_function_and_alias_references() {
    let canon = Canon {
        function_of: [("Fn".to_owned(), "Fn".to_owned()), ("FnAliasLive".to_owned(), "Fn".to_owned())].into(),
        renamed: HashMap::new(),
        qualified_names: vec![("fn-worker:Live".to_owned(), "fn-worker".to_owned())],
    };
    for before in FORMS.map(|f| reference("Fn", f)) {
        let b = canon.value(&before);
        assert_ne!(b, before, "{before} not canonicalised");
    }
    assert_eq!(
        canon.value(&json!({"Fn::GetAtt": ["Fn", "Arn"]})),
        canon.value(&json!({"Ref": "FnAliasLive"}))
    );
    assert_eq!(
        canon.value(&json!({"Fn::Sub": "x${Fn.Arn}y"})),
        canon.value(&json!({"Fn::Sub": "x${FnAliasLive}y"}))
    );
    assert_ne!(canon.value(&json!({"Ref": "Other"})), canon.value(&json!({"Ref": "FnAliasLive"})));
    assert_eq!(canon.value(&json!("fn-worker:Live")), canon.value(&json!("fn-worker")));
    assert_eq!(
        canon.value(&json!({"Fn::Sub": format!("{LAMBDA_ARN}fn-worker:Live")})),
        canon.value(&json!({"Fn::Sub": format!("{LAMBDA_ARN}fn-worker")}))
    );
}

/// How many generated expansions `generated_expansions_pass_cfn_lint` lints in one cfn-lint run.
const LINTED_CASES: usize = 100;

/// cfn-lint, over a batch of generated expansions (in one call: it starts slowly), reports no error.
/// The batch comes from the same generator, from its own fixed seed.
#[test]
fn generated_expansions_pass_cfn_lint() {
    use proptest::strategy::ValueTree;
    let mut config = config();
    config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x11E7_0C1D);
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let dir = std::env::temp_dir().join(format!("canary-generated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let mut files = Vec::new();
    let mut attempts = 0;
    while files.len() < LINTED_CASES && attempts < 4 * LINTED_CASES {
        attempts += 1;
        let mut spec = spec().new_tree(&mut runner).expect("a generated spec").current();
        // `Ref` gives a function's name, which positions that take only an ARN reject; the ARN
        // forms are accepted everywhere.
        for s in &mut spec.sources {
            if s.form == Form::Ref {
                s.form = Form::GetAttList;
            }
        }
        if expects_cycle(&spec) {
            continue;
        }
        let expansion = expand(template(&spec), &context(&spec));
        assert!(!expansion.has_errors(), "{spec:?}:\n{}", errors(&expansion));
        let file = dir.join(format!("case{}.json", files.len()));
        std::fs::write(&file, serde_json::to_string_pretty(&expansion.template).expect("serializable"))
            .expect("written");
        files.push(file);
    }
    let Some(findings) = cfn_lint::lint(&files) else {
        std::fs::remove_dir_all(&dir).ok();
        return;
    };
    assert!(
        findings.passes(),
        "cfn-lint found errors in generated expansions (kept in {}): {}",
        dir.display(),
        findings.report()
    );
    std::fs::remove_dir_all(&dir).ok();
    eprintln!("cfn-lint: {} generated expansions, 0 errors", files.len());
}

// Version IDs over layers, mappings and conditions, and qualified references: their own generators.
#[path = "properties/versions_qualifiers.rs"]
mod versions_qualifiers;
