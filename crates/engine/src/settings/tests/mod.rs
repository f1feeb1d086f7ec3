//! Settings tests: one `check` driver over a fixed template, asserting the rendered diagnostics and the
//! settings that differ from the defaults. `UPDATE_EXPECT=1 cargo test -p canary-engine` re-blesses.

mod alarms;
mod alias_and_hooks;
mod enabled;
mod fields;
mod object;
mod smoke_test;
mod traffic;

use crate::json::{Map, Value};
use expect_test::{expect, Expect};

use super::*;
use crate::diag::{self, Path};

/// Every kind of thing a setting may point at, once.
const TEMPLATE: &str = r#"{
  "Parameters": {
    "Stage": {"Type": "String", "Default": "prod"},
    "Shape": {"Type": "String", "Default": "Canary25Percent20Minutes"},
    "NoDefault": {"Type": "String"},
    "Flag": {"Type": "String", "Default": "true"},
    "HookArn": {"Type": "String", "Default": "arn:aws:lambda:eu-west-1:123456789012:function:audit"},
    "AlarmName": {"Type": "String", "Default": "external-alarm"},
    "Subnets": {"Type": "CommaDelimitedList", "Default": "a,b"}
  },
  "Mappings": {"Stages": {"prod": {"Canary": "true"}, "dev": {"Canary": false}}},
  "Conditions": {
    "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
    "IsIreland": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
    "LoopA": {"Fn::Not": [{"Condition": "LoopB"}]},
    "LoopB": {"Condition": "LoopA"}
  },
  "Resources": {
    "Api": {"Type": "AWS::Lambda::Function"},
    "Worker": {"Type": "AWS::Lambda::Function"},
    "PreHook": {"Type": "AWS::Lambda::Function"},
    "PostHook": {"Type": "AWS::Serverless::Function"},
    "ErrorsAlarm": {"Type": "AWS::CloudWatch::Alarm"},
    "LatencyAlarm": {"Type": "AWS::CloudWatch::Alarm"},
    "HealthAlarm": {"Type": "AWS::CloudWatch::CompositeAlarm"},
    "Topic": {"Type": "AWS::SNS::Topic"},
    "SlowRollout": {"Type": "AWS::CodeDeploy::DeploymentConfig"},
    "DeployRole": {"Type": "AWS::IAM::Role"},
    "Boundary": {"Type": "AWS::IAM::ManagedPolicy"}
  }
}"#;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e}"))
}

fn settings_path(function: &str) -> Path {
    Path::resource(function).key("Properties").key("CanaryDeployment")
}

/// Parses `settings` for each of `functions` (with `defaults` and parameter `values`) and renders
/// the diagnostics, then each function's settings.
fn run(defaults: Option<&str>, values: &str, functions: &[(&str, &str)], region: &str) -> String {
    let functions: Vec<(&str, Value)> = functions.iter().map(|(f, settings)| (*f, json(settings))).collect();
    run_values(defaults.map(json), values, &functions, region)
}

fn run_values(defaults: Option<Value>, values: &str, functions: &[(&str, Value)], region: &str) -> String {
    let template = json(TEMPLATE);
    let template = template.as_object().expect("template object");
    let values: Map = json(values).as_object().cloned().expect("values object");
    let scope = Scope {
        resources: template["Resources"].as_object().expect("resources"),
        parameters: template["Parameters"].as_object().expect("parameters"),
        parameter_values: &values,
        conditions: ConditionEvaluator::new(template, &values, region, "123456789012"),
    };
    let mut diagnostics = Vec::new();
    let defaults = match defaults {
        Some(d) => parse_defaults(&d, &defaults_path(), &mut diagnostics),
        None => Map::new(),
    };
    let mut results = Vec::new();
    for (function, raw) in functions {
        let settings = parse_function_settings(
            function,
            raw,
            &settings_path(function),
            &defaults,
            &scope,
            &mut diagnostics,
        );
        results.push((function, settings));
    }
    // A problem is reported once: `finish` must have no duplicate left to remove.
    let n_reported = diagnostics.len();
    assert_eq!(
        diag::finish(diagnostics.clone()).len(),
        n_reported,
        "duplicate diagnostics: {diagnostics:#?}"
    );
    // Rendered as users see them: sorted by path.
    let diagnostics = diag::finish(diagnostics);
    let mut out = String::new();
    for d in &diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    for (function, settings) in results {
        match settings {
            None => out.push_str(&format!("{function}: None\n")),
            Some(settings) => {
                let own = settings_path(function).to_string();
                let own_error =
                    diagnostics.iter().any(|d| d.is_error() && d.path.to_string().starts_with(&own));
                assert!(!own_error, "settings returned despite errors:\n{out}");
                out.push_str(&format!("{function}:\n{}", render(&settings)));
            }
        }
    }
    out
}

/// The settings that differ from the defaults, one per line; `traffic` always.
fn render(s: &Settings) -> String {
    let mut out = format!("  traffic: {:?}\n", s.traffic);
    let mut line = |name: &str, differs: bool, value: String| {
        if differs {
            out.push_str(&format!("  {name}: {value}\n"));
        }
    };
    line("alias", s.alias != "Live", format!("{:?}", s.alias));
    line("pre_traffic_hook", s.pre_traffic_hook.is_some(), format!("{:?}", s.pre_traffic_hook));
    line("post_traffic_hook", s.post_traffic_hook.is_some(), format!("{:?}", s.post_traffic_hook));
    line("alarms", !s.alarms.is_empty(), Value::Array(s.alarms.clone()).to_string());
    line("rollback_on", s.rollback_on != RollbackOn::default(), format!("{:?}", s.rollback_on));
    line("triggers", !s.triggers.is_empty(), Value::Array(s.triggers.clone()).to_string());
    line("service_role", s.service_role.is_some(), format!("{}", s.service_role.clone().unwrap_or_default()));
    line(
        "permissions_boundary",
        s.permissions_boundary.is_some(),
        format!("{}", s.permissions_boundary.clone().unwrap_or_default()),
    );
    line(
        "deployment_group_name",
        s.deployment_group_name.is_some(),
        format!("{}", s.deployment_group_name.clone().unwrap_or_default()),
    );
    line(
        "auto_rollback",
        s.auto_rollback != RollbackEvent::ALL,
        format!("{:?}", s.auto_rollback.iter().map(|e| e.as_str()).collect::<Vec<_>>()),
    );
    line("ignore_poll_alarm_failure", s.ignore_poll_alarm_failure, "true".to_owned());
    line(
        "provisioned_concurrency",
        s.provisioned_concurrency.is_some(),
        format!("{:?}", s.provisioned_concurrency),
    );
    line("enabled", !s.enabled, "false".to_owned());
    line("smoke_test", !s.smoke_test.is_empty(), SmokeCase::environment_value(&s.smoke_test));
    out
}

fn check(settings: &str, expect: Expect) {
    expect.assert_eq(&run(None, "{}", &[("Api", settings)], "eu-west-1"));
}

fn check_defaults(defaults: &str, functions: &[(&str, &str)], expect: Expect) {
    expect.assert_eq(&run(Some(defaults), "{}", functions, "eu-west-1"));
}

/// One settings object of a [`check_each`] table, with the parameter values and region it is read
/// with.
struct Case<'a> {
    settings: &'a str,
    values: &'a str,
    region: &'a str,
}

/// A case read with no parameter values given, in eu-west-1 (what [`check`] does).
fn case(settings: &str) -> Case<'_> {
    Case { settings, values: "{}", region: "eu-west-1" }
}

impl<'a> Case<'a> {
    fn values(self, values: &'a str) -> Self {
        Case { values, ..self }
    }

    fn region(self, region: &'a str) -> Self {
        Case { region, ..self }
    }
}

/// Several cases in one expectation: each settings object (with its values and region when they are
/// not the default ones), then what [`check`] renders for it, indented.
fn check_each(cases: &[Case<'_>], expect: Expect) {
    let mut out = String::new();
    for c in cases {
        out.push_str(c.settings);
        if c.values != "{}" {
            out.push_str(&format!(" with {}", c.values));
        }
        if c.region != "eu-west-1" {
            out.push_str(&format!(" in {}", c.region));
        }
        out.push('\n');
        out.push_str(&textwrap(&run(None, c.values, &[("Api", c.settings)], c.region)));
    }
    expect.assert_eq(&out);
}

/// One line per `Type` value: what it becomes, or its diagnostics.
fn check_types(types: &[&str], expect: Expect) {
    let mut out = String::new();
    for ty in types {
        let settings = crate::json!({ "Type": ty }).to_string();
        let rendered = run(None, "{}", &[("Api", &settings)], "eu-west-1");
        let rendered = rendered
            .replace("Api:\n  traffic: ", "=> ")
            .replace("Resources/Api/Properties/CanaryDeployment/", "");
        out.push_str(&format!("{ty:?}\n{}", textwrap(&rendered)));
    }
    expect.assert_eq(&out);
}

fn textwrap(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}
