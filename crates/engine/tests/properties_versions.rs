//! The version rule as a property: for a random function and a random edit, the version ID changes
//! exactly when the edit changes what Lambda stores in a version, in each transform order the
//! engine sees (raw; SAM first with SAM's own version and alias; macro first, where the plan names
//! the version SAM will publish from the `AutoPublishCodeSha256` written for it: `tests/updates.rs`
//! checks that against the real translator).
//!
//! Edits of three kinds: a versioned property changed (must publish), a function-level property
//! changed (`Tags`, `ReservedConcurrentExecutions`, `CodeSigningConfigArn`, `RecursiveLoop`, the
//! `CanaryDeployment` setting itself: must not), and a rewrite that gives Lambda the same
//! configuration (an explicit default, a number as a string, a literal as an equal parameter,
//! mapping, `Fn::Join` or `Fn::Sub`, a property under a false `Fn::If` with `AWS::NoValue`, an empty
//! `Environment`, another spelling of a `Fn::GetAtt`, reordered keys: must not).
//!
//! `PROPTEST_CASES` raises the number of cases; the default is [`CASES`].

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use canary_engine::json::{Map, Value};
use canary_engine::{expand, json, Context};
use proptest::prelude::*;
use proptest::sample::select;

const CASES: u32 = 512;

/// A versioned property with values Lambda stores differently, none of them its default.
fn versioned() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("Timeout", vec![json!(10), json!(30), json!(900)]),
        ("MemorySize", vec![json!(256), json!(512), json!(1024)]),
        ("Runtime", vec![json!("python3.12"), json!("python3.13"), json!("nodejs20.x")]),
        ("Handler", vec![json!("app.handler"), json!("app.other"), json!("main.run")]),
        ("Description", vec![json!("orders"), json!("billing")]),
        ("Architectures", vec![json!(["arm64"])]),
        ("EphemeralStorage", vec![json!({"Size": 1024}), json!({"Size": 2048})]),
        ("TracingConfig", vec![json!({"Mode": "Active"})]),
        (
            "Environment",
            vec![json!({"Variables": {"LEVEL": "info"}}), json!({"Variables": {"LEVEL": "debug"}})],
        ),
        (
            "Layers",
            vec![
                json!(["arn:aws:lambda:us-east-1:123456789012:layer:shared:1"]),
                json!(["arn:aws:lambda:us-east-1:123456789012:layer:shared:2"]),
            ],
        ),
        (
            "KmsKeyArn",
            vec![
                json!("arn:aws:kms:us-east-1:123456789012:key/a"),
                json!("arn:aws:kms:us-east-1:123456789012:key/b"),
            ],
        ),
        ("LoggingConfig", vec![json!({"LogFormat": "JSON"})]),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    /// A versioned property gets another value, or is added, or removed.
    Versioned(usize, Option<usize>),
    FunctionLevel(usize),
    Rewrite(usize, usize),
}

#[derive(Debug, Clone, Copy)]
enum Order {
    Raw,
    SamFirst,
    MacroFirst,
}

fn base_strategy() -> impl Strategy<Value = Vec<Option<usize>>> {
    let pools: Vec<usize> = versioned().iter().map(|(_, values)| values.len()).collect();
    pools.into_iter().map(|n| proptest::option::weighted(0.5, 0..n).boxed()).collect::<Vec<_>>()
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let n = versioned().len();
    prop_oneof![
        (0..n, proptest::option::of(0usize..3)).prop_map(|(p, v)| Edit::Versioned(p, v)),
        (0usize..5).prop_map(Edit::FunctionLevel),
        (0usize..11, 0..n).prop_map(|(kind, p)| Edit::Rewrite(kind, p)),
    ]
}

fn sections() -> Value {
    json!({
        "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Same": {"Type": "String", "Default": "placeholder"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Mappings": {"Same": {"dev": {"Value": "placeholder"}}},
        "Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}},
    })
}

/// The function's properties (in `AWS::Lambda::Function`'s spelling, but `Code`) for a base.
fn properties(base: &[Option<usize>]) -> Map {
    let mut props = Map::new();
    props.insert("Role", json!({"Fn::GetAtt": ["Role", "Arn"]}));
    for ((name, values), chosen) in versioned().into_iter().zip(base) {
        if let Some(i) = chosen {
            props.insert(name, values[*i].clone());
        }
    }
    props
}

/// Applies `edit`; returns the template sections to use, the canary setting, and whether Lambda's
/// stored configuration changed (`None` when the edit does not apply to this base).
fn apply(edit: &Edit, props: &mut Map, sections: &mut Value, canary: &mut Value) -> Option<bool> {
    let versioned = versioned();
    match edit {
        Edit::Versioned(p, value) => {
            let (name, values) = &versioned[*p];
            let before = props.get(name).cloned();
            match value.map(|v| v % values.len()) {
                Some(v) if Some(&values[v]) != before.as_ref() => {
                    props.insert(*name, values[v].clone());
                }
                None if before.is_some() => {
                    props.shift_remove(name);
                }
                _ => return None,
            }
            Some(true)
        }
        Edit::FunctionLevel(kind) => {
            match kind {
                0 => props.insert("Tags", json!([{"Key": "team", "Value": "a"}])),
                1 => props.insert("ReservedConcurrentExecutions", json!(7)),
                2 => props.insert(
                    "CodeSigningConfigArn",
                    json!("arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"),
                ),
                3 => props.insert("RecursiveLoop", json!("Allow")),
                _ => {
                    *canary = json!({"Type": "Linear10PercentEvery1Minute", "Alias": "live"});
                    None
                }
            };
            Some(false)
        }
        Edit::Rewrite(kind, p) => {
            let (name, _) = &versioned[*p];
            let current = props.get(name).cloned();
            match (kind, current) {
                // An explicit default where the property is absent.
                (0, None) => {
                    let default = match *name {
                        "Timeout" => json!(3),
                        "MemorySize" => json!(128),
                        "Architectures" => json!(["x86_64"]),
                        "EphemeralStorage" => json!({"Size": 512}),
                        "TracingConfig" => json!({"Mode": "PassThrough"}),
                        "Environment" => json!({}),
                        "Layers" => json!([]),
                        "Description" => json!(""),
                        "LoggingConfig" => json!({"LogFormat": "Text"}),
                        _ => return None,
                    };
                    props.insert(*name, default);
                }
                // The property only in prod, deployed to dev.
                (1, None) => {
                    let value = versioned[*p].1[0].clone();
                    props.insert(*name, json!({"Fn::If": ["IsProd", value, {"Ref": "AWS::NoValue"}]}));
                }
                (2, None) => {
                    props.insert("Environment", json!({"Variables": {}}));
                    if *name != "Environment" {
                        return None;
                    }
                }
                // A number as the string CloudFormation converts.
                (3, Some(Value::Number(n))) => {
                    props.insert(*name, n.to_string().into());
                }
                // A string as an equal parameter, mapping value, Join or Sub.
                (4..=7, Some(Value::String(s))) => {
                    sections["Parameters"]["Same"]["Default"] = s.as_str().into();
                    sections["Mappings"]["Same"]["dev"]["Value"] = s.as_str().into();
                    let (head, tail) = s.split_at(s.len() / 2);
                    let rewritten = match kind {
                        4 => json!({"Ref": "Same"}),
                        5 => json!({"Fn::FindInMap": ["Same", {"Ref": "Stage"}, "Value"]}),
                        6 => json!({"Fn::Join": ["", [head, tail]]}),
                        _ => json!({"Fn::Sub": [format!("{head}${{Tail}}"), {"Tail": tail}]}),
                    };
                    props.insert(*name, rewritten);
                }
                // Another spelling of the role's GetAtt.
                (8, _) => {
                    props.insert("Role", json!({"Fn::GetAtt": "Role.Arn"}));
                }
                (9, _) => {
                    props.insert("Role", json!({"Fn::Sub": "${Role.Arn}"}));
                }
                // The members in reverse order.
                (10, _) => {
                    let reversed: Vec<_> = props.iter().map(|(k, v)| (k.clone(), v.clone())).rev().collect();
                    *props = reversed.into_iter().collect();
                }
                _ => return None,
            }
            Some(false)
        }
    }
}

fn template(order: Order, props: &Map, sections: &Value, canary: &Value) -> Value {
    let mut template = sections.clone();
    let mut props = props.clone();
    let function = match order {
        Order::MacroFirst => {
            props.insert("CodeUri", json!({"Bucket": "artifacts", "Key": "app-v1.zip"}));
            props.insert("CanaryDeployment", canary.clone());
            json!({"Type": "AWS::Serverless::Function", "Properties": props})
        }
        _ => {
            props.insert("Code", json!({"S3Bucket": "artifacts", "S3Key": "app-v1.zip"}));
            json!({"Type": "AWS::Lambda::Function", "Metadata": {"CanaryDeployment": canary}, "Properties": props})
        }
    };
    template["Resources"]["Fn"] = function;
    if let Order::SamFirst = order {
        // What SAM generates for AutoPublishAlias: a version named by its own hash, and the alias.
        let tags = json!([{"Key": "lambda:createdBy", "Value": "SAM"}]);
        let fn_props = template["Resources"]["Fn"]["Properties"].as_object_mut().unwrap();
        let mut all_tags = tags.as_array().unwrap().clone();
        if let Some(Value::Array(own)) = fn_props.get("Tags") {
            all_tags.extend(own.iter().cloned());
        }
        fn_props.insert("Tags", Value::Array(all_tags));
        template["Resources"]["FnVersion0123456789"] = json!({"Type": "AWS::Lambda::Version",
            "DeletionPolicy": "Retain", "Properties": {"FunctionName": {"Ref": "Fn"}}});
        template["Resources"]["FnAliaslive"] = json!({"Type": "AWS::Lambda::Alias", "Properties": {
            "Name": "live", "FunctionName": {"Ref": "Fn"},
            "FunctionVersion": {"Fn::GetAtt": ["FnVersion0123456789", "Version"]}}});
    }
    template
}

/// The version ID the deploy publishes, and what changes the function's stored configuration along
/// with it (its `Description`, or the hash SAM appends to it).
fn deployed(order: Order, props: &Map, sections: &Value, canary: &Value) -> (String, Value) {
    let ctx = Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values: Map::new(),
        smoke_hook_code: None,
    };
    let expansion = expand(template(order, props, sections, canary), &ctx);
    let errors: Vec<String> =
        expansion.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "{order:?}: {errors:?}");
    let id = expansion.plan[0].version_logical_id.clone().unwrap();
    let function = &expansion.template["Resources"]["Fn"]["Properties"];
    let stamp = match order {
        Order::MacroFirst => function["AutoPublishCodeSha256"].clone(),
        _ => {
            let resources = expansion.template["Resources"].as_object().unwrap();
            assert_eq!(resources[id.as_str()]["Type"], "AWS::Lambda::Version", "{order:?}");
            assert!(!resources.contains_key("FnVersion0123456789"), "SAM's version is replaced");
            let alias = resources.values().find(|r| r["Type"] == "AWS::Lambda::Alias").unwrap();
            assert_eq!(
                alias["Properties"]["FunctionVersion"],
                json!({"Fn::GetAtt": [id.as_str(), "Version"]})
            );
            function["Description"].clone()
        }
    };
    (id, stamp)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_version_is_published_exactly_when_lambda_stores_a_change(
        base in base_strategy(),
        edit in edit_strategy(),
        order in select(vec![Order::Raw, Order::SamFirst, Order::MacroFirst]),
    ) {
        let props = properties(&base);
        let sections = sections();
        let canary = json!({"Type": "Canary10Percent5Minutes", "Alias": "live"});
        let (mut after, mut after_sections, mut after_canary) = (props.clone(), sections.clone(), canary.clone());
        let changes = apply(&edit, &mut after, &mut after_sections, &mut after_canary);
        // An edit that does not apply to this function (removing what it lacks) is drawn again.
        prop_assume!(changes.is_some());
        let changes = changes.unwrap_or_default();
        let (v1, s1) = deployed(order, &props, &sections, &canary);
        let (v2, s2) = deployed(order, &after, &after_sections, &after_canary);
        prop_assert_eq!(v1 != v2, changes, "{:?} {:?}: {} -> {}", order, edit, v1, v2);
        // Lambda has a new configuration to publish exactly when a version is asked for.
        prop_assert_eq!(s1 != s2, changes, "{:?} {:?}: {} -> {}", order, edit, s1, s2);
    }
}
