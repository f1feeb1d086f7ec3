//! `Enabled` and the conditions it may be written with.

use super::*;

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
