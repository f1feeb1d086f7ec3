//! Worst-case templates: the shapes that once made one expansion cost seconds or hundreds of
//! megabytes, each at any size. `bench/worst.sh` runs them at growing sizes through the release CLI
//! and Lambda; `tests/worst_case.rs` holds the engine to a generous bound on each; the fuzz seeds in
//! `fuzz/corpus/` are small instances of them.
//!
//! Every shape is a valid template apart from what it stresses, so the engine goes all the way
//! through analysis (and, where the input allows, generation) rather than stopping at a first error.

use canary_engine::json;
use canary_engine::json::{Map, Value};

/// The shapes, by the name the CLI and the scripts use, each with its generator at size `n` (what
/// `n` counts is in each generator's documentation).
pub const SHAPES: &[(&str, Generator)] = &[
    ("glob", glob),
    ("conditions", conditions),
    ("long-hook", long_hook),
    ("long-ids", |n| long_ids(30, n)),
    ("long-default", |n| long_default(n, 1_000_000)),
    ("rollback", rollback),
    ("small", small),
    ("triggers", |n| triggers(n, 10)),
    ("mapping-fanout", mapping_fanout),
    ("layer-fanout", layer_fanout),
    ("join-fanout", join_fanout),
];

/// A shape's template at a size.
pub type Generator = fn(usize) -> Value;

/// The template of `shape` at size `n`.
pub fn template(shape: &str, n: usize) -> Option<Value> {
    SHAPES.iter().find(|(name, _)| *name == shape).map(|(_, generate)| generate(n))
}

/// `fragment` wrapped in CloudFormation's macro event, as the Lambda receives it.
pub fn event(fragment: Value, request_id: &str) -> Value {
    json!({
        "region": "us-east-1",
        "accountId": "123456789012",
        "fragment": fragment,
        "transformId": "123456789012::CanaryDeployments",
        "params": {},
        "requestId": request_id,
        "templateParameterValues": {}
    })
}

fn function() -> Value {
    json!({
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": "index.handler",
            "Runtime": "python3.12",
            "Role": "arn:aws:iam::123456789012:role/fn",
            "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"}
        }
    })
}

fn marked(settings: Value) -> Value {
    let mut resource = function();
    if let Value::Object(members) = &mut resource {
        members.insert("Metadata", json!({ "CanaryDeployment": settings }));
    }
    resource
}

/// `n` resources `Function0` to `Function{n-1}`, each `resource(i)`.
fn numbered(n: usize, resource: impl Fn(usize) -> Value) -> Map {
    (0..n).map(|i| (format!("Function{i}"), resource(i))).collect()
}

/// An IAM `Action` of `n` stars and a letter, in a role allowed to invoke a marked function: a
/// backtracking matcher tries every split of `lambda:invokefunction` between the stars before
/// finding that the letter never matches.
pub fn glob(n: usize) -> Value {
    let action = format!("{}z", "*".repeat(n));
    json!({
        "Resources": {
            "Fn": marked(json!({"Type": "AllAtOnce"})),
            "Caller": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
                    },
                    "Policies": [{
                        "PolicyName": "invoke",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": action, "Resource": {"Fn::GetAtt": ["Fn", "Arn"]}}]
                        }
                    }]
                }
            }
        }
    })
}

/// `n` named conditions, each an `Fn::Or` of the next one ten times, the first deciding `Enabled`:
/// evaluated without memory of a condition's value, the last is evaluated 10^(n-1) times.
pub fn conditions(n: usize) -> Value {
    let n = n.max(1);
    let mut conditions = Map::new();
    for i in 0..n {
        let body = if i + 1 == n {
            json!({"Fn::Equals": [{"Ref": "Stage"}, "prod"]})
        } else {
            Value::Array(vec![json!({ "Condition": format!("C{}", i + 1) }); 10])
        };
        let body = if i + 1 == n { body } else { json!({ "Fn::Or": body }) };
        conditions.insert(format!("C{i}"), body);
    }
    json!({
        "Parameters": {"Stage": {"Type": "String", "Default": "prod"}},
        "Conditions": conditions,
        "Resources": {"Fn": marked(json!({"Type": "AllAtOnce", "Enabled": {"Condition": "C0"}}))}
    })
}

/// A `PreTrafficHook` of `n` characters that names no function of the template: the suggestion of
/// a close function name compares it with every function's logical ID.
pub fn long_hook(n: usize) -> Value {
    let hook = "h".repeat(n);
    json!({
        "Resources": {
            "Fn": marked(json!({"Type": "AllAtOnce", "PreTrafficHook": hook})),
            "HookFn": function()
        }
    })
}

/// `functions` marked functions with 200-character logical IDs, each with a `PreTrafficHook` of
/// `hook_chars` characters naming no function.
pub fn long_ids(functions: usize, hook_chars: usize) -> Value {
    let mut resources = Map::new();
    for i in 0..functions {
        let id = format!("F{i:0>199}");
        let hook = format!("{i:0>6}{}", "x".repeat(hook_chars.saturating_sub(6)));
        resources.insert(id, marked(json!({"Type": "AllAtOnce", "PreTrafficHook": hook})));
    }
    json!({ "Resources": resources })
}

/// `n` marked functions, each with every `RollbackOn` metric (four alarms generated per function).
pub fn rollback(n: usize) -> Value {
    let resources = numbered(n, |_| {
        marked(json!({
            "Type": "Canary10Percent5Minutes",
            "RollbackOn": {"Errors": 1, "Throttles": 1, "ErrorRate": 5, "DurationP99": 3000}
        }))
    });
    json!({ "Resources": resources })
}

/// `n` small marked functions (about 240 bytes each: 25,000 of them make a 6 MB event).
pub fn small(n: usize) -> Value {
    let resources = numbered(n, |_| {
        json!({
            "Type": "AWS::Lambda::Function",
            "Properties": {"Handler": "index.handler", "Runtime": "python3.12", "Role": "arn:aws:iam::123456789012:role/fn", "Timeout": 30},
            "Metadata": {"CanaryDeployment": {"Type": "AllAtOnce"}}
        })
    });
    json!({ "Resources": resources })
}

/// `n` marked functions, each notifying `topics` SNS topics of its own: each function's grant
/// policy lists its topics once.
pub fn triggers(n: usize, topics: usize) -> Value {
    triggers_named(n, topics, 0)
}

/// [`triggers`] with trigger and topic names padded to `padding` more characters.
pub fn triggers_named(n: usize, topics: usize, padding: usize) -> Value {
    let pad = "t".repeat(padding);
    let resources = numbered(n, |i| {
        let triggers: Vec<Value> = (0..topics)
            .map(|topic| {
                json!({
                    "TriggerName": format!("notify{topic}{pad}"),
                    "TriggerTargetArn": format!("arn:aws:sns:us-east-1:123456789012:topic-{i}-{topic}{pad}"),
                    "TriggerEvents": ["DeploymentFailure"]
                })
            })
            .collect();
        marked(json!({"Type": "AllAtOnce", "Triggers": Value::Array(triggers)}))
    });
    json!({ "Resources": resources })
}

/// `n` marked functions that inherit one trigger from the template defaults, its name `length`
/// characters long: every function's deployment group copies it.
pub fn long_default(n: usize, length: usize) -> Value {
    let resources = numbered(n, |_| marked(json!({})));
    json!({
        "Metadata": {"CanaryDeployments": {"Type": "AllAtOnce", "Triggers": [{
            "TriggerName": "n".repeat(length),
            "TriggerTargetArn": "arn:aws:sns:us-east-1:123456789012:deployments",
            "TriggerEvents": ["DeploymentFailure"]
        }]}},
        "Resources": resources
    })
}

/// A mapping value as long as the version rule still copies into each reference (128 bytes).
fn copied_value() -> String {
    "m".repeat(128)
}

/// One marked function with `n` environment variables, each `Fn::FindInMap` of the same 128-byte
/// mapping value: the version's hash resolves every reference, which must not cost more than a
/// bounded copy each.
pub fn mapping_fanout(n: usize) -> Value {
    let variables: Map =
        (0..n).map(|i| (format!("V{i}"), json!({"Fn::FindInMap": ["Values", "all", "value"]}))).collect();
    let mut function = marked(json!({"Type": "AllAtOnce"}));
    function["Properties"]["Environment"] = json!({ "Variables": variables });
    json!({
        "Mappings": {"Values": {"all": {"value": copied_value()}}},
        "Resources": {"Function": function}
    })
}

/// One marked function listing one layer of the template `n` times: the layer's resolved
/// properties stand for each reference.
pub fn layer_fanout(n: usize) -> Value {
    let layers: Vec<Value> = (0..n).map(|_| json!({"Ref": "Layer"})).collect();
    let mut function = marked(json!({"Type": "AllAtOnce"}));
    function["Properties"]["Layers"] = Value::Array(layers);
    json!({
        "Resources": {
            "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {
                "Content": {"S3Bucket": "artifacts", "S3Key": copied_value()}}},
            "Function": function
        }
    })
}

/// One marked function whose one environment variable is the `Fn::Join` of `n` references to one
/// mapping value: the joined text grows with each, and is built once.
pub fn join_fanout(n: usize) -> Value {
    let pieces: Vec<Value> = (0..n).map(|_| json!({"Fn::FindInMap": ["Values", "all", "value"]})).collect();
    let mut function = marked(json!({"Type": "AllAtOnce"}));
    function["Properties"]["Environment"] = json!({"Variables": {"JOINED": {"Fn::Join": ["", pieces]}}});
    json!({
        "Mappings": {"Values": {"all": {"value": copied_value()}}},
        "Resources": {"Function": function}
    })
}
