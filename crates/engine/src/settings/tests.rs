//! Settings tests: one `check` driver over a fixed template, asserting the rendered diagnostics and the
//! settings that differ from the defaults. `UPDATE_EXPECT=1 cargo test -p canary-engine` re-blesses.

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
    for (function, settings) in functions {
        let res = parse_function_settings(
            function,
            settings,
            &settings_path(function),
            &defaults,
            &scope,
            &mut diagnostics,
        );
        results.push((function, res));
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
    for (function, res) in results {
        match res {
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
    out
}

fn check(settings: &str, expect: Expect) {
    expect.assert_eq(&run(None, "{}", &[("Api", settings)], "eu-west-1"));
}

fn check_values(values: &str, settings: &str, expect: Expect) {
    expect.assert_eq(&run(None, values, &[("Api", settings)], "eu-west-1"));
}

fn check_region(region: &str, settings: &str, expect: Expect) {
    expect.assert_eq(&run(None, "{}", &[("Api", settings)], region));
}

fn check_defaults(defaults: &str, functions: &[(&str, &str)], expect: Expect) {
    expect.assert_eq(&run(Some(defaults), "{}", functions, "eu-west-1"));
}

/// One line per `Type` value: what it becomes, or its diagnostics.
fn check_types(types: &[&str], expect: Expect) {
    let mut out = String::new();
    for ty in types {
        let settings = crate::json!({ "Type": ty }).to_string();
        let res = run(None, "{}", &[("Api", &settings)], "eu-west-1");
        let res =
            res.replace("Api:\n  traffic: ", "=> ").replace("Resources/Api/Properties/CanaryDeployment/", "");
        out.push_str(&format!("{ty:?}\n{}", textwrap(&res)));
    }
    expect.assert_eq(&out);
}

fn textwrap(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

// ---- Type ----

#[test]
fn type_predefined_names_map_to_codedeploy_defaults() {
    check_types(
        &[
            "Canary10Percent5Minutes",
            "Canary10Percent10Minutes",
            "Canary10Percent15Minutes",
            "Canary10Percent30Minutes",
            "Linear10PercentEvery1Minute",
            "Linear10PercentEvery2Minutes",
            "Linear10PercentEvery3Minutes",
            "Linear10PercentEvery10Minutes",
            "AllAtOnce",
        ],
        expect![[r#"
            "Canary10Percent5Minutes"
                => ConfigName("CodeDeployDefault.LambdaCanary10Percent5Minutes")
            "Canary10Percent10Minutes"
                => ConfigName("CodeDeployDefault.LambdaCanary10Percent10Minutes")
            "Canary10Percent15Minutes"
                => ConfigName("CodeDeployDefault.LambdaCanary10Percent15Minutes")
            "Canary10Percent30Minutes"
                => ConfigName("CodeDeployDefault.LambdaCanary10Percent30Minutes")
            "Linear10PercentEvery1Minute"
                => ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
            "Linear10PercentEvery2Minutes"
                => ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery2Minutes")
            "Linear10PercentEvery3Minutes"
                => ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery3Minutes")
            "Linear10PercentEvery10Minutes"
                => ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery10Minutes")
            "AllAtOnce"
                => ConfigName("CodeDeployDefault.LambdaAllAtOnce")
        "#]],
    );
}

#[test]
fn type_shapes_accept_singular_and_plural_and_map_predefined_ones() {
    check_types(
        &[
            "Canary10Percent5Minute",
            "Linear10PercentEvery1Minutes",
            "Linear10PercentEvery10Minute",
            "Canary25Percent20Minutes",
            "Canary5Percent1Minute",
            "Canary5Percent1Minutes",
            "Linear20PercentEvery1Minute",
            "Linear99PercentEvery2880Minutes",
            "Canary1Percent2880Minutes",
        ],
        expect![[r#"
            "Canary10Percent5Minute"
                => ConfigName("CodeDeployDefault.LambdaCanary10Percent5Minutes")
            "Linear10PercentEvery1Minutes"
                => ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
            "Linear10PercentEvery10Minute"
                => ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery10Minutes")
            "Canary25Percent20Minutes"
                => Shape(Shape { kind: Canary, percentage: 25, interval_minutes: 20 })
            "Canary5Percent1Minute"
                => Shape(Shape { kind: Canary, percentage: 5, interval_minutes: 1 })
            "Canary5Percent1Minutes"
                => Shape(Shape { kind: Canary, percentage: 5, interval_minutes: 1 })
            "Linear20PercentEvery1Minute"
                => Shape(Shape { kind: Linear, percentage: 20, interval_minutes: 1 })
            "Linear99PercentEvery2880Minutes"
                => Shape(Shape { kind: Linear, percentage: 99, interval_minutes: 2880 })
            "Canary1Percent2880Minutes"
                => Shape(Shape { kind: Canary, percentage: 1, interval_minutes: 2880 })
        "#]],
    );
}

#[test]
fn type_config_names() {
    check_types(
        &[
            "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            "CodeDeployDefault.LambdaAllAtOnce",
            "MyCompanyRollout",
            "AllAtOnse",
        ],
        expect![[r#"
            "CodeDeployDefault.LambdaCanary10Percent5Minutes"
                => ConfigName("CodeDeployDefault.LambdaCanary10Percent5Minutes")
            "CodeDeployDefault.LambdaAllAtOnce"
                => ConfigName("CodeDeployDefault.LambdaAllAtOnce")
            "MyCompanyRollout"
                warning: Type: Type "MyCompanyRollout" is neither a predefined config nor a traffic shape, so it is used as the name of a deployment config outside the template, which must exist in the account at deploy time (accepted shapes are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880)
                => ConfigName("MyCompanyRollout")
            "AllAtOnse"
                warning: Type: Type "AllAtOnse" is neither a predefined config nor a traffic shape, so it is used as the name of a deployment config outside the template, which must exist in the account at deploy time (did you mean "AllAtOnce"?)
                => ConfigName("AllAtOnse")
        "#]],
    );
}

#[test]
fn type_malformed_and_out_of_range() {
    check_types(
        &[
            "Canary10Percent",
            "Linear0PercentEvery1Minute",
            "Linear100PercentEvery1Minute",
            "Canary10Percent0Minutes",
            "Canary10Percent2881Minutes",
            "Canary10Percent5Minuts",
            "Linear10Percent5Minutes",
            "canary10percent5minutes",
            "Canary99999999999999999999999Percent5Minutes",
            "CodeDeployDefault.LambdaCanary10Percent5Minute",
            "CodeDeployDefault.OneAtATime",
            "",
        ],
        expect![[r#"
            "Canary10Percent"
                error: Type: Type "Canary10Percent" is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880
                Api: None
            "Linear0PercentEvery1Minute"
                error: Type: Type "Linear0PercentEvery1Minute" shifts 0 percent: accepted percentages are 1 to 99
                Api: None
            "Linear100PercentEvery1Minute"
                error: Type: Type "Linear100PercentEvery1Minute" shifts 100 percent: accepted percentages are 1 to 99
                Api: None
            "Canary10Percent0Minutes"
                error: Type: Type "Canary10Percent0Minutes" waits 0 minutes: accepted intervals are 1 to 2880 minutes
                Api: None
            "Canary10Percent2881Minutes"
                error: Type: Type "Canary10Percent2881Minutes" waits 2881 minutes: accepted intervals are 1 to 2880 minutes
                Api: None
            "Canary10Percent5Minuts"
                error: Type: Type "Canary10Percent5Minuts" is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880 (did you mean "Canary10Percent5Minutes"?)
                Api: None
            "Linear10Percent5Minutes"
                error: Type: Type "Linear10Percent5Minutes" is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880 (did you mean "Linear10PercentEvery5Minutes"?)
                Api: None
            "canary10percent5minutes"
                error: Type: Type "canary10percent5minutes" is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880 (did you mean "Canary10Percent5Minutes"?)
                Api: None
            "Canary99999999999999999999999Percent5Minutes"
                error: Type: Type "Canary99999999999999999999999Percent5Minutes" shifts 99999999999999999999999 percent: accepted percentages are 1 to 99
                Api: None
            "CodeDeployDefault.LambdaCanary10Percent5Minute"
                error: Type: Type "CodeDeployDefault.LambdaCanary10Percent5Minute" is not a predefined Lambda deployment config: accepted are CodeDeployDefault.Lambda followed by one of Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce (did you mean "CodeDeployDefault.LambdaCanary10Percent5Minutes"?)
                Api: None
            "CodeDeployDefault.OneAtATime"
                error: Type: Type "CodeDeployDefault.OneAtATime" is not a predefined Lambda deployment config: accepted are CodeDeployDefault.Lambda followed by one of Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce (did you mean "CodeDeployDefault.LambdaAllAtOnce"?)
                Api: None
            ""
                error: Type: Type must be a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig, found ""
                Api: None
        "#]],
    );
}

#[test]
fn type_linear_longer_than_two_days_warns() {
    check(
        r#"{"Type": "Linear1PercentEvery60Minutes"}"#,
        expect![[r#"
        warning: Resources/Api/Properties/CanaryDeployment/Type: Type "Linear1PercentEvery60Minutes" shifts traffic over 5940 minutes, longer than the 2880 minutes (48 hours) CodeDeploy allows a Lambda deployment
        Api:
          traffic: Shape(Shape { kind: Linear, percentage: 1, interval_minutes: 60 })
    "#]],
    );
}

#[test]
fn type_ref_to_parameter_uses_default() {
    check(
        r#"{"Type": {"Ref": "Shape"}}"#,
        expect![[r#"
        Api:
          traffic: Shape(Shape { kind: Canary, percentage: 25, interval_minutes: 20 })
    "#]],
    );
}

#[test]
fn type_ref_to_parameter_uses_given_value() {
    check_values(
        r#"{"Shape": "Linear10PercentEvery1Minute"}"#,
        r#"{"Type": {"Ref": "Shape"}}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
    "#]],
    );
}

#[test]
fn type_ref_to_parameter_value_is_parsed_like_a_literal() {
    check_values(
        r#"{"Shape": "Canary10Percent"}"#,
        r#"{"Type": {"Ref": "Shape"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type "Canary10Percent" (from parameter Shape) is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880
        Api: None
    "#]],
    );
}

#[test]
fn type_ref_to_parameter_without_value() {
    check(
        r#"{"Type": {"Ref": "NoDefault"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to parameter NoDefault, but parameter NoDefault has no value (give the parameter a value, or a Default)
        Api: None
    "#]],
    );
}

#[test]
fn type_ref_to_deployment_config_resource() {
    check(
        r#"{"Type": {"Ref": "SlowRollout"}}"#,
        expect![[r#"
        Api:
          traffic: ConfigResource("SlowRollout")
    "#]],
    );
}

#[test]
fn type_ref_to_other_resource_or_unknown() {
    check(
        r#"{"Type": {"Ref": "Topic"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to Topic, an AWS::SNS::Topic: accepted are a parameter or an AWS::CodeDeploy::DeploymentConfig
        Api: None
    "#]],
    );
    check(
        r#"{"Type": {"Ref": "SlowRolout"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to "SlowRolout", which is neither a parameter nor a resource of the template (did you mean "SlowRollout"?)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": {"Ref": "Subnets"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to parameter Subnets, a list: accepted is a String parameter
        Api: None
    "#]],
    );
}

#[test]
fn type_wrong_json_type() {
    check(
        r#"{"Type": 10}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type: Type must be a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig, found the number 10
        Api: None
    "#]],
    );
    check(
        r#"{"Type": {"Fn::Sub": "Canary${Pct}Percent5Minutes"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Type: Type must be a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig, found {Fn::Sub: …}
        Api: None
    "#]],
    );
}

#[test]
fn type_missing_names_the_function() {
    check(
        r#"{}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment: function Api has no Type: accepted are a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig (set Type here, or for every function in Metadata/CanaryDeployments)
        Api: None
    "#]],
    );
}

// ---- Alias ----

#[test]
fn alias_valid_names() {
    check(
        r#"{"Type": "AllAtOnce", "Alias": "blue-green_2"}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          alias: "blue-green_2"
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Alias": "Live"}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
    "#]],
    );
}

#[test]
fn alias_rejected_names() {
    check(
        r#"{"Type": "AllAtOnce", "Alias": "2024"}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alias: Alias "2024" is not a Lambda alias name: accepted is a string of 1 to 128 letters, digits, - or _, not all digits
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Alias": "prod.live"}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alias: Alias "prod.live" is not a Lambda alias name: accepted is a string of 1 to 128 letters, digits, - or _, not all digits
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Alias": ""}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alias: Alias "" is not a Lambda alias name: accepted is a string of 1 to 128 letters, digits, - or _, not all digits
        Api: None
    "#]],
    );
    check(
        &format!(r#"{{"Type": "AllAtOnce", "Alias": "{}"}}"#, "a".repeat(129)),
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alias: Alias "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is not a Lambda alias name: accepted is a string of 1 to 128 letters, digits, - or _, not all digits
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Alias": 7}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alias: Alias must be a string of 1 to 128 letters, digits, - or _, not all digits, found the number 7
        Api: None
    "#]],
    );
}

// ---- Hooks ----

#[test]
fn hooks_in_the_template() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHook", "PostTrafficHook": "PostHook"}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          pre_traffic_hook: Some(Function("PreHook"))
          post_traffic_hook: Some(Function("PostHook"))
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "PreHook"}, "PostTrafficHook": {"Fn::GetAtt": ["PostHook", "Arn"]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              pre_traffic_hook: Some(Function("PreHook"))
              post_traffic_hook: Some(Function("PostHook"))
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Fn::GetAtt": "PreHook.Arn"}}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          pre_traffic_hook: Some(Function("PreHook"))
    "#]],
    );
}

#[test]
fn hooks_outside_the_template() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "arn:aws:lambda:eu-west-1:123456789012:function:smoke", "PostTrafficHook": "shared-smoke-tests"}"#,
        expect![[r#"
            warning: Resources/Api/Properties/CanaryDeployment/PostTrafficHook: PostTrafficHook names "shared-smoke-tests", which is not a function of the template, so a function of that name must exist in the account and region at deploy time (for a function outside the template, write its ARN to say so)
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              pre_traffic_hook: Some(External("arn:aws:lambda:eu-west-1:123456789012:function:smoke"))
              post_traffic_hook: Some(External("shared-smoke-tests"))
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "HookArn"}}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          pre_traffic_hook: Some(External("arn:aws:lambda:eu-west-1:123456789012:function:audit"))
    "#]],
    );
}

#[test]
fn hook_near_miss_of_a_template_function_is_a_warning_with_a_suggestion() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHoook"}"#,
        expect![[r#"
            warning: Resources/Api/Properties/CanaryDeployment/PreTrafficHook: PreTrafficHook names "PreHoook", which is not a function of the template, so a function of that name must exist in the account and region at deploy time (did you mean "PreHook"? For a function outside the template, write its ARN)
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              pre_traffic_hook: Some(External("PreHoook"))
        "#]],
    );
}

#[test]
fn hook_missing_from_the_template() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "PreHok"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook/Ref: PreTrafficHook refers to "PreHok", which is not a resource of the template (did you mean "PreHook"?)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PostTrafficHook": {"Fn::GetAtt": ["Nothing", "Arn"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PostTrafficHook/Fn::GetAtt: PostTrafficHook refers to "Nothing", which is not a resource of the template
        Api: None
    "#]],
    );
}

#[test]
fn hook_not_a_function() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "Topic"}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook: PreTrafficHook names Topic, an AWS::SNS::Topic: accepted is the logical ID of a function in the template, {Ref: Function}, {Fn::GetAtt: [Function, Arn]}, or the name or ARN of a function outside the template
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "ErrorsAlarm"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook/Ref: PreTrafficHook refers to ErrorsAlarm, an AWS::CloudWatch::Alarm: accepted is a Lambda function
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Fn::GetAtt": ["PreHook", "Version"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook/Fn::GetAtt: PreTrafficHook takes the Arn of a function, found Fn::GetAtt PreHook.Version
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": ["PreHook"]}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook: PreTrafficHook must be the logical ID of a function in the template, {Ref: Function}, {Fn::GetAtt: [Function, Arn]}, or the name or ARN of a function outside the template, found a list of 1 item
        Api: None
    "#]],
    );
}

#[test]
fn hook_is_the_function_itself() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "Api", "PostTrafficHook": {"Ref": "Api"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/PostTrafficHook: PostTrafficHook is Api, the function itself: a function cannot be its own hook
        error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook: PreTrafficHook is Api, the function itself: a function cannot be its own hook
        Api: None
    "#]],
    );
}

// ---- Alarms ----

#[test]
fn alarms_every_form() {
    check(
        r#"{"Type": "AllAtOnce", "Alarms": [
            "ErrorsAlarm",
            "HealthAlarm",
            {"Name": "team-wide-5xx"},
            {"Name": {"Fn::Sub": "${AWS::StackName}-latency"}},
            {"Ref": "LatencyAlarm"},
            {"Ref": "AlarmName"},
            {"Fn::If": ["IsProd", "ErrorsAlarm", {"Ref": "AWS::NoValue"}]}
        ]}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              alarms: [{"Name":{"Ref":"ErrorsAlarm"}},{"Name":{"Ref":"HealthAlarm"}},{"Name":"team-wide-5xx"},{"Name":{"Fn::Sub":"${AWS::StackName}-latency"}},{"Name":{"Ref":"LatencyAlarm"}},{"Name":{"Ref":"AlarmName"}},{"Fn::If":["IsProd",{"Name":{"Ref":"ErrorsAlarm"}},{"Ref":"AWS::NoValue"}]}]
        "#]],
    );
}

#[test]
fn alarms_missing_or_wrong() {
    check(
        r#"{"Type": "AllAtOnce", "Alarms": [
            "ErorsAlarm",
            "external-alarm",
            "Topic",
            {"Ref": "Nope"},
            {"Nmae": "x"},
            {"Name": ""},
            {"Fn::If": ["IsPord", "LatencyAlarm", "Missing"]},
            {"Fn::Sub": "x"},
            42
        ]}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/Alarms/0: alarm "ErorsAlarm" is not a resource of the template (did you mean "ErrorsAlarm"? For an alarm outside the template, write {Name: "ErorsAlarm"})
            error: Resources/Api/Properties/CanaryDeployment/Alarms/1: alarm "external-alarm" is not a resource of the template (for an alarm outside the template, write {Name: "external-alarm"})
            error: Resources/Api/Properties/CanaryDeployment/Alarms/2: alarm Topic is an AWS::SNS::Topic: accepted is the logical ID of an AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm in the template, {Name: name}, {Ref: …}, or Fn::If of these
            error: Resources/Api/Properties/CanaryDeployment/Alarms/3/Ref: alarm Ref to "Nope", which is neither a parameter nor a resource of the template
            error: Resources/Api/Properties/CanaryDeployment/Alarms/4/Nmae: unknown alarm key "Nmae": accepted are Name (did you mean "Name"?)
            error: Resources/Api/Properties/CanaryDeployment/Alarms/5/Name: Name must be an alarm name of 1 to 255 characters or Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select, found ""
            error: Resources/Api/Properties/CanaryDeployment/Alarms/6/Fn::If/0: condition "IsPord" is not in the template's Conditions (did you mean "IsProd"?)
            error: Resources/Api/Properties/CanaryDeployment/Alarms/6/Fn::If/2: alarm "Missing" is not a resource of the template (for an alarm outside the template, write {Name: "Missing"})
            error: Resources/Api/Properties/CanaryDeployment/Alarms/7: an alarm must be the logical ID of an AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm in the template, {Name: name}, {Ref: …}, or Fn::If of these, found {Fn::Sub: …}
            error: Resources/Api/Properties/CanaryDeployment/Alarms/8: an alarm must be the logical ID of an AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm in the template, {Name: name}, {Ref: …}, or Fn::If of these, found the number 42
            Api: None
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Alarms": "ErrorsAlarm"}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alarms: Alarms must be a list of alarms, each the logical ID of an AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm in the template, {Name: name}, {Ref: …}, or Fn::If of these, found "ErrorsAlarm"
        Api: None
    "#]],
    );
}

#[test]
fn alarms_listed_twice() {
    check(
        r#"{"Type": "AllAtOnce", "Alarms": ["ErrorsAlarm", {"Ref": "ErrorsAlarm"}]}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alarms/1: alarm {"Name":{"Ref":"ErrorsAlarm"}} is already listed at Resources/Api/Properties/CanaryDeployment/Alarms/0: CodeDeploy accepts each alarm once
        Api: None
    "#]],
    );
}

#[test]
fn eleven_alarms_are_too_many() {
    let names: Vec<String> = (0..11).map(|i| format!(r#"{{"Name": "alarm-{i}"}}"#)).collect();
    check(
        &format!(r#"{{"Type": "AllAtOnce", "Alarms": [{}]}}"#, names.join(",")),
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alarms: 11 alarms in total (11 in Alarms, 0 from RollbackOn): CodeDeploy accepts at most 10 per deployment group
        Api: None
    "#]],
    );
}

#[test]
fn alarms_and_rollback_on_count_together() {
    let names: Vec<String> = (0..8).map(|i| format!(r#"{{"Name": "alarm-{i}"}}"#)).collect();
    check(
        &format!(
            r#"{{"Type": "AllAtOnce", "Alarms": [{}], "RollbackOn": {{"Errors": 1, "Throttles": 1, "ErrorRate": 5}}}}"#,
            names.join(",")
        ),
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/Alarms: 11 alarms in total (8 in Alarms, 3 from RollbackOn): CodeDeploy accepts at most 10 per deployment group
            Api: None
        "#]],
    );
}

// ---- RollbackOn ----

#[test]
fn rollback_on_valid() {
    check(
        r#"{"Type": "AllAtOnce", "RollbackOn": {"Errors": 5, "Throttles": "3", "ErrorRate": 2.5, "DurationP99": 900000}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              rollback_on: RollbackOn { errors: Some(5), throttles: Some(3), error_rate: Some(2.5), duration_p99: Some(900000) }
        "#]],
    );
}

#[test]
fn rollback_on_errors() {
    check(
        r#"{"Type": "AllAtOnce", "RollbackOn": {"Erors": 5, "Throttles": 0, "ErrorRate": 150, "DurationP99": 900001}}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/RollbackOn/DurationP99: DurationP99 must be an integer from 1 to 900000, found 900001
            error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Erors: unknown RollbackOn metric "Erors": accepted are Errors, Throttles, ErrorRate, DurationP99 (did you mean "Errors"?)
            error: Resources/Api/Properties/CanaryDeployment/RollbackOn/ErrorRate: ErrorRate must be a percentage above 0 and at most 100, found 150
            error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Throttles: Throttles must be an integer of at least 1, found 0
            Api: None
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "RollbackOn": {"Errors": 1.5, "ErrorRate": 0, "DurationP99": -3}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/RollbackOn/DurationP99: DurationP99 must be an integer from 1 to 900000, found -3
        error: Resources/Api/Properties/CanaryDeployment/RollbackOn/ErrorRate: ErrorRate must be a percentage above 0 and at most 100, found 0
        error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Errors: Errors must be an integer of at least 1, found the number 1.5
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "RollbackOn": ["Errors"]}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/RollbackOn: RollbackOn must be an object with any of Errors, Throttles, ErrorRate, DurationP99, found a list of 1 item
        Api: None
    "#]],
    );
}

// ---- Triggers ----

#[test]
fn triggers_valid() {
    check(
        r#"{"Type": "AllAtOnce", "Triggers": [
            {"TriggerName": "failures", "TriggerTargetArn": {"Ref": "Topic"}, "TriggerEvents": ["DeploymentFailure", "DeploymentRollback"]},
            {"TriggerName": "all", "TriggerTargetArn": "arn:aws:sns:eu-west-1:123456789012:deployments"}
        ]}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              triggers: [{"TriggerName":"failures","TriggerTargetArn":{"Ref":"Topic"},"TriggerEvents":["DeploymentFailure","DeploymentRollback"]},{"TriggerName":"all","TriggerTargetArn":"arn:aws:sns:eu-west-1:123456789012:deployments"}]
        "#]],
    );
}

#[test]
fn triggers_errors() {
    check(
        r#"{"Type": "AllAtOnce", "Triggers": [
            {"TriggerName": "a", "TriggerTargetArn": "arn:aws:sqs:eu-west-1:123456789012:q", "TriggerEvents": ["DeploymentFail"]},
            {"TriggerTargetArn": {"Ref": "Topik"}, "TriggerEvent": ["DeploymentStart"]},
            {"TriggerName": "a", "TriggerTargetArn": 5, "TriggerEvents": []},
            "topic"
        ]}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/Triggers/0/TriggerEvents/0: unknown trigger event "DeploymentFail": accepted are DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop, DeploymentRollback, DeploymentReady, InstanceStart, InstanceSuccess, InstanceFailure, InstanceReady (did you mean "DeploymentFailure"?)
            error: Resources/Api/Properties/CanaryDeployment/Triggers/0/TriggerTargetArn: TriggerTargetArn "arn:aws:sqs:eu-west-1:123456789012:q" is not an SNS topic ARN: accepted are arn:<partition>:sns:<region>:<account>:<topic> or Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select
            error: Resources/Api/Properties/CanaryDeployment/Triggers/1: a trigger needs TriggerName
            error: Resources/Api/Properties/CanaryDeployment/Triggers/1/TriggerEvent: unknown trigger key "TriggerEvent": accepted are TriggerName, TriggerTargetArn, TriggerEvents (did you mean "TriggerEvents"?)
            error: Resources/Api/Properties/CanaryDeployment/Triggers/1/TriggerTargetArn/Ref: "Topik" is neither a parameter nor a resource of the template (did you mean "Topic"?)
            error: Resources/Api/Properties/CanaryDeployment/Triggers/2/TriggerEvents: TriggerEvents must be a non-empty list of DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop, DeploymentRollback, DeploymentReady, InstanceStart, InstanceSuccess, InstanceFailure, InstanceReady, found an empty list
            error: Resources/Api/Properties/CanaryDeployment/Triggers/2/TriggerName: TriggerName "a" is used twice: CodeDeploy names each trigger once
            error: Resources/Api/Properties/CanaryDeployment/Triggers/2/TriggerTargetArn: TriggerTargetArn must be an SNS topic ARN or Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select, found the number 5
            error: Resources/Api/Properties/CanaryDeployment/Triggers/3: a trigger must be an object with TriggerName, TriggerTargetArn, TriggerEvents, found "topic"
            Api: None
        "#]],
    );
}

// ---- ServiceRole, PermissionsBoundary, DeploymentGroupName ----

#[test]
fn roles_and_names_valid() {
    check(
        r#"{"Type": "AllAtOnce",
            "ServiceRole": {"Fn::GetAtt": ["DeployRole", "Arn"]},
            "PermissionsBoundary": "arn:aws-cn:iam::aws:policy/PowerUserAccess",
            "DeploymentGroupName": "api-prod.v2"}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              service_role: {"Fn::GetAtt":["DeployRole","Arn"]}
              permissions_boundary: "arn:aws-cn:iam::aws:policy/PowerUserAccess"
              deployment_group_name: "api-prod.v2"
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce",
            "ServiceRole": "arn:aws:iam::123456789012:role/service-role/codedeploy",
            "PermissionsBoundary": {"Ref": "Boundary"},
            "DeploymentGroupName": {"Fn::Sub": "${AWS::StackName}-api"}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              service_role: "arn:aws:iam::123456789012:role/service-role/codedeploy"
              permissions_boundary: {"Ref":"Boundary"}
              deployment_group_name: {"Fn::Sub":"${AWS::StackName}-api"}
        "#]],
    );
}

#[test]
fn roles_and_names_errors() {
    check(
        r#"{"Type": "AllAtOnce",
            "ServiceRole": {"Ref": "DeployRole"},
            "PermissionsBoundary": "arn:aws:iam::123456789012:role/not-a-policy",
            "DeploymentGroupName": "api prod"}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/DeploymentGroupName: DeploymentGroupName "api prod" is not a deployment group name: accepted are 1 to 100 letters, digits or . _ + = , @ -
            error: Resources/Api/Properties/CanaryDeployment/PermissionsBoundary: PermissionsBoundary "arn:aws:iam::123456789012:role/not-a-policy" is not an IAM policy ARN: accepted is an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>) or Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select
            error: Resources/Api/Properties/CanaryDeployment/ServiceRole/Ref: ServiceRole refers to DeployRole, whose Ref is the role's name, not its ARN (write {Fn::GetAtt: [DeployRole, Arn]})
            Api: None
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce",
            "ServiceRole": "codedeploy-role",
            "PermissionsBoundary": {"Fn::GetAtt": ["Boundry", "PolicyArn"]},
            "DeploymentGroupName": {"Fn::Base64": "x"}}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/DeploymentGroupName: DeploymentGroupName must be a string of 1 to 100 letters, digits or . _ + = , @ -, or Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select, found {Fn::Base64: …}
            error: Resources/Api/Properties/CanaryDeployment/PermissionsBoundary/Fn::GetAtt: "Boundry" is not a resource of the template (did you mean "Boundary"?)
            error: Resources/Api/Properties/CanaryDeployment/ServiceRole: ServiceRole "codedeploy-role" is not an IAM role ARN: accepted is an IAM role ARN (arn:<partition>:iam::<account>:role/<name>) or Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select
            Api: None
        "#]],
    );
}

// ---- AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency ----

#[test]
fn auto_rollback_forms() {
    check(
        r#"{"Type": "AllAtOnce", "AutoRollback": false}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          auto_rollback: []
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "AutoRollback": true}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "AutoRollback": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              auto_rollback: ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]
        "#]],
    );
}

#[test]
fn auto_rollback_errors() {
    check(
        r#"{"Type": "AllAtOnce", "AutoRollback": []}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/AutoRollback: AutoRollback must be true, false, or a non-empty list of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found an empty list (write AutoRollback: false to turn automatic rollback off)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "AutoRollback": ["DEPLOYMENT_FAILURES", 3]}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/AutoRollback/0: AutoRollback event must be one of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found "DEPLOYMENT_FAILURES" (did you mean "DEPLOYMENT_FAILURE"?)
        error: Resources/Api/Properties/CanaryDeployment/AutoRollback/1: AutoRollback event must be one of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found the number 3
        Api: None
    "#]],
    );
}

#[test]
fn flags_and_counts() {
    check(
        r#"{"Type": "AllAtOnce", "IgnorePollAlarmFailure": "true", "ProvisionedConcurrency": "5"}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          ignore_poll_alarm_failure: true
          provisioned_concurrency: Some(5)
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "IgnorePollAlarmFailure": "yes", "ProvisionedConcurrency": 0}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/IgnorePollAlarmFailure: IgnorePollAlarmFailure must be true or false, found "yes"
        error: Resources/Api/Properties/CanaryDeployment/ProvisionedConcurrency: ProvisionedConcurrency must be an integer of at least 1, found 0
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "ProvisionedConcurrency": "five"}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/ProvisionedConcurrency: ProvisionedConcurrency must be an integer of at least 1, found "five"
        Api: None
    "#]],
    );
}

// ---- Enabled and conditions ----

#[test]
fn enabled_literals() {
    check(
        r#"{"Type": "AllAtOnce", "Enabled": false}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          enabled: false
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": "false"}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          enabled: false
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": "no"}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled: Enabled must be true, false, or a condition over parameters (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), found "no"
        Api: None
    "#]],
    );
}

#[test]
fn enabled_from_parameters() {
    // `Flag` defaults to "true"; the given value wins over the Default.
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Ref": "Flag"}}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
    "#]],
    );
    check_values(
        r#"{"Flag": "False"}"#,
        r#"{"Type": "AllAtOnce", "Enabled": {"Ref": "Flag"}}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          enabled: false
    "#]],
    );
    check_values(
        r#"{"Stage": "dev"}"#,
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              enabled: false
        "#]],
    );
}

#[test]
fn enabled_condition_operators() {
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsIreland"}]}]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              enabled: false
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [1, "2"]}]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::FindInMap": ["Stages", {"Ref": "Stage"}, "Canary"]}, true]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
        "#]],
    );
}

#[test]
fn enabled_pseudo_parameters() {
    check_region(
        "cn-north-1",
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
        "#]],
    );
    check_region(
        "us-gov-west-1",
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws"]}}"#,
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              enabled: false
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]}}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "prod"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Ref: AWS::StackName is not known when the macro runs: Enabled can depend on parameters and on AWS::Region, AWS::AccountId, AWS::Partition, AWS::URLSuffix
        Api: None
    "#]],
    );
}

#[test]
fn enabled_over_resource_attributes() {
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "Topic"}, "x"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Ref: Enabled can only depend on parameters, found a Ref to resource Topic
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::GetAtt": ["Topic", "TopicName"]}, "x"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Fn::GetAtt: Enabled can only depend on parameters, found Fn::GetAtt of a resource attribute
        Api: None
    "#]],
    );
}

#[test]
fn enabled_condition_errors() {
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Condition": "IsPord"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Condition: condition "IsPord" is not in the template's Conditions (did you mean "IsProd"?)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Condition": "LoopA"}}"#,
        expect![[r#"
        error: Conditions/LoopB/Condition: condition "LoopA" depends on itself: LoopA -> LoopB -> LoopA
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Ref: parameter NoDefault has no value (give the parameter a value, or a Default)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::And": [true]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::And: Fn::And takes a list of 2 to 10 conditions, found a list of 1 item
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Ref": "Stage"}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Ref: a condition must be true or false, found "prod" (the value of parameter Stage)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::Sub": "x"}, "x"]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Fn::Sub: Fn::Sub cannot be evaluated in a condition: accepted are true, false, {Ref: Parameter} whose value is true or false, Fn::Equals, Fn::Not, Fn::And, Fn::Or or {Condition: Name}, with operands a string, a number, a bool, {Ref: Parameter} or Fn::FindInMap
        Api: None
    "#]],
    );
    // Every operand is evaluated, so a broken one is reported even when an earlier one decides.
    check(
        r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Or": [true, {"Ref": "Stag"}]}}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Or/1/Ref: Ref to "Stag", which is not a parameter of the template (did you mean "Stage"?)
        Api: None
    "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "Enabled": 1}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Enabled: Enabled must be true, false, or a condition over parameters (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), found the number 1
        Api: None
    "#]],
    );
}

// ---- The object as a whole ----

#[test]
fn empty_object_takes_every_default() {
    check(
        r#"{"Type": "Canary10Percent5Minutes"}"#,
        expect![[r#"
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaCanary10Percent5Minutes")
    "#]],
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    check(
        r#"{"Tpye": "AllAtOnce", "Alais": "Live", "Frobnicate": 1}"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Alais: unknown setting "Alais": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled (did you mean "Alias"?)
        error: Resources/Api/Properties/CanaryDeployment/Frobnicate: unknown setting "Frobnicate": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled
        error: Resources/Api/Properties/CanaryDeployment/Tpye: unknown setting "Tpye": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled (did you mean "Type"?)
        Api: None
    "#]],
    );
}

#[test]
fn settings_must_be_an_object() {
    check(
        r#""Canary10Percent5Minutes""#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment: CanaryDeployment must be an object of settings ({} for all defaults), found "Canary10Percent5Minutes"
        Api: None
    "#]],
    );
    check(
        r#"true"#,
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment: CanaryDeployment must be an object of settings ({} for all defaults), found true
        Api: None
    "#]],
    );
}

#[test]
fn every_error_is_reported_at_once() {
    check(
        r#"{"Type": "Canary0Percent5Minutes", "Alias": "1", "PreTrafficHook": "Api", "RollbackOn": {"Errors": 0},
            "AutoRollback": "sometimes", "Enabled": {"Ref": "Topic"}, "Extra": 1}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/Alias: Alias "1" is not a Lambda alias name: accepted is a string of 1 to 128 letters, digits, - or _, not all digits
            error: Resources/Api/Properties/CanaryDeployment/AutoRollback: AutoRollback must be true, false, or a non-empty list of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found "sometimes"
            error: Resources/Api/Properties/CanaryDeployment/Enabled/Ref: Enabled can only depend on parameters, found a Ref to resource Topic
            error: Resources/Api/Properties/CanaryDeployment/Extra: unknown setting "Extra": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled
            error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook: PreTrafficHook is Api, the function itself: a function cannot be its own hook
            error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Errors: Errors must be an integer of at least 1, found 0
            error: Resources/Api/Properties/CanaryDeployment/Type: Type "Canary0Percent5Minutes" shifts 0 percent: accepted percentages are 1 to 99
            Api: None
        "#]],
    );
}

/// Whatever JSON each key is given, the parser answers with diagnostics at that key's path, never a
/// panic and never settings built from a bad value.
#[test]
fn every_key_rejects_wrong_types_at_its_path() {
    let odd = [r#"null"#, r#"[[[]]]"#, r#"{"a": {"b": null}}"#, r#"-1.5"#];
    for key in KNOWN_KEYS {
        for value in odd {
            let settings = format!(r#"{{"Type": "AllAtOnce", "{key}": {value}}}"#);
            let out = run(None, "{}", &[("Api", &settings)], "eu-west-1");
            let at = format!("error: Resources/Api/Properties/CanaryDeployment/{key}");
            assert!(out.contains(&at) && out.ends_with("Api: None\n"), "{key} = {value}:\n{out}");
        }
    }
}

// ---- Template defaults ----

#[test]
fn defaults_fill_in_and_function_keys_win() {
    check_defaults(
        r#"{"Type": "Linear10PercentEvery1Minute", "Alias": "live", "RollbackOn": {"Errors": 1, "Throttles": 1},
            "Alarms": ["ErrorsAlarm"], "PreTrafficHook": "PreHook"}"#,
        &[
            ("Api", r#"{}"#),
            ("Worker", r#"{"Type": "AllAtOnce", "RollbackOn": {"DurationP99": 500}, "Alarms": []}"#),
        ],
        expect![[r#"
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
              alias: "live"
              pre_traffic_hook: Some(Function("PreHook"))
              alarms: [{"Name":{"Ref":"ErrorsAlarm"}}]
              rollback_on: RollbackOn { errors: Some(1), throttles: Some(1), error_rate: None, duration_p99: None }
            Worker:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              alias: "live"
              pre_traffic_hook: Some(Function("PreHook"))
              rollback_on: RollbackOn { errors: None, throttles: None, error_rate: None, duration_p99: Some(500) }
        "#]],
    );
}

#[test]
fn defaults_errors_are_reported_once_at_their_path() {
    check_defaults(
        r#"{"Type": "Canary10Percent", "Alais": "x", "PostTrafficHook": "PostHok", "DeploymentGroupName": "shared"}"#,
        &[("Api", r#"{}"#), ("Worker", r#"{}"#)],
        expect![[r#"
            error: Metadata/CanaryDeployments/Alais: unknown setting "Alais": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled (did you mean "Alias"?)
            error: Metadata/CanaryDeployments/DeploymentGroupName: DeploymentGroupName cannot be a template default: every function's deployment group needs its own name (set DeploymentGroupName on each function's CanaryDeployment instead)
            warning: Metadata/CanaryDeployments/PostTrafficHook: PostTrafficHook names "PostHok", which is not a function of the template, so a function of that name must exist in the account and region at deploy time (did you mean "PostHook"? For a function outside the template, write its ARN)
            error: Metadata/CanaryDeployments/Type: Type "Canary10Percent" is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880
            Api: None
            Worker: None
        "#]],
    );
}

#[test]
fn defaults_must_be_an_object() {
    check_defaults(
        r#"["Type"]"#,
        &[("Api", r#"{"Type": "AllAtOnce"}"#)],
        expect![[r#"
        error: Metadata/CanaryDeployments: CanaryDeployments must be an object of default settings, found a list of 1 item
        Api:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
    "#]],
    );
}

#[test]
fn default_hook_that_is_the_function_itself() {
    check_defaults(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHook"}"#,
        &[("Api", r#"{}"#), ("PreHook", r#"{}"#)],
        expect![[r#"
            error: Resources/PreHook/Properties/CanaryDeployment: PreTrafficHook from Metadata/CanaryDeployments is PreHook, the function itself: a function cannot be its own hook (set PreTrafficHook on this function to another function, or set the hook on each function that needs it instead of in the defaults)
            Api:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              pre_traffic_hook: Some(Function("PreHook"))
            PreHook: None
        "#]],
    );
}

#[test]
fn type_missing_in_function_and_defaults() {
    check_defaults(
        r#"{"Alias": "live"}"#,
        &[("Api", r#"{}"#), ("Worker", r#"{"Type": "AllAtOnce"}"#)],
        expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment: function Api has no Type: accepted are a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig (set Type here, or for every function in Metadata/CanaryDeployments)
        Api: None
        Worker:
          traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
          alias: "live"
    "#]],
    );
}

#[test]
fn default_deployment_group_name_fails_every_function_once() {
    check_defaults(
        r#"{"Type": "AllAtOnce", "DeploymentGroupName": "shared"}"#,
        &[("Api", r#"{}"#), ("Worker", r#"{"DeploymentGroupName": "worker"}"#)],
        expect![[r#"
            error: Metadata/CanaryDeployments/DeploymentGroupName: DeploymentGroupName cannot be a template default: every function's deployment group needs its own name (set DeploymentGroupName on each function's CanaryDeployment instead)
            Api: None
            Worker:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              deployment_group_name: "worker"
        "#]],
    );
}

#[test]
fn misspelt_type_is_not_also_reported_missing() {
    check_defaults(
        r#"{"Tyep": "AllAtOnce"}"#,
        &[("Api", r#"{}"#)],
        expect![[r#"
        error: Metadata/CanaryDeployments/Tyep: unknown setting "Tyep": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled (did you mean "Type"?)
        Api: None
    "#]],
    );
}

#[test]
fn trigger_target_must_be_a_topic() {
    check(
        r#"{"Type": "AllAtOnce", "Triggers": [{"TriggerName": "t", "TriggerTargetArn": {"Ref": "ErrorsAlarm"}}]}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/Triggers/0/TriggerTargetArn/Ref: TriggerTargetArn refers to ErrorsAlarm, an AWS::CloudWatch::Alarm: accepted is an AWS::SNS::Topic
            Api: None
        "#]],
    );
}

#[test]
fn partitions_follow_the_region() {
    let regions = ["eu-west-1", "cn-northwest-1", "us-gov-east-1", "us-iso-east-1", "us-isob-east-1"];
    let partitions: Vec<String> =
        regions.iter().map(|r| format!("{r} {}", partition_for_region(r))).collect();
    expect![[r#"
        eu-west-1 aws
        cn-northwest-1 aws-cn
        us-gov-east-1 aws-us-gov
        us-iso-east-1 aws-iso
        us-isob-east-1 aws-iso-b"#]]
    .assert_eq(&partitions.join("\n"));
}

/// Nesting that would otherwise recurse without end is refused with a diagnostic, not a stack
/// overflow.
#[test]
fn deep_nesting_is_refused() {
    // Built by hand: serde_json itself refuses to parse 128 levels.
    let mut condition = crate::json!({"Fn::Equals": ["a", "a"]});
    for _ in 0..150 {
        condition = crate::json!({ "Fn::Not": [condition] });
    }
    let settings = crate::json!({ "Type": "AllAtOnce", "Enabled": condition });
    let out = run_values(None, "{}", &[("Api", settings)], "eu-west-1");
    assert!(out.contains("condition nests deeper than 100 levels") && out.ends_with("Api: None\n"), "{out}");

    let mut alarm = crate::json!("ErrorsAlarm");
    for _ in 0..20 {
        alarm = crate::json!({ "Fn::If": ["IsProd", alarm, {"Ref": "AWS::NoValue"}] });
    }
    let settings = crate::json!({ "Type": "AllAtOnce", "Alarms": [alarm] });
    let out = run_values(None, "{}", &[("Api", settings)], "eu-west-1");
    assert!(
        out.contains("Fn::If nests more than 8 levels deep in Alarms") && out.ends_with("Api: None\n"),
        "{out}"
    );
}
