//! The settings object as a whole (unknown keys, wrong types, every error at once), the template
//! defaults, and cases across keys (partitions, deep nesting).

use super::*;

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
            error: Resources/Api/Properties/CanaryDeployment/Alais: unknown setting "Alais": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled, SmokeTest (did you mean "Alias"?)
            error: Resources/Api/Properties/CanaryDeployment/Frobnicate: unknown setting "Frobnicate": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled, SmokeTest
            error: Resources/Api/Properties/CanaryDeployment/Tpye: unknown setting "Tpye": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled, SmokeTest (did you mean "Type"?)
            Api: None
        "#]],
    );
}

#[test]
fn settings_must_be_an_object() {
    check_each(
        &[case(r#""Canary10Percent5Minutes""#), case(r#"true"#)],
        expect![[r#"
            "Canary10Percent5Minutes"
                error: Resources/Api/Properties/CanaryDeployment: CanaryDeployment must be an object of settings ({} for all defaults), found "Canary10Percent5Minutes"
                Api: None
            true
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
            error: Resources/Api/Properties/CanaryDeployment/Extra: unknown setting "Extra": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled, SmokeTest
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
            error: Metadata/CanaryDeployments/Alais: unknown setting "Alais": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled, SmokeTest (did you mean "Alias"?)
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
            error: Metadata/CanaryDeployments/Tyep: unknown setting "Tyep": accepted are Type, Alias, PreTrafficHook, PostTrafficHook, Alarms, RollbackOn, Triggers, ServiceRole, PermissionsBoundary, DeploymentGroupName, AutoRollback, IgnorePollAlarmFailure, ProvisionedConcurrency, Enabled, SmokeTest (did you mean "Type"?)
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
