//! `Enabled` and the conditions it may be written with.

use super::*;

#[test]
fn enabled_literals() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "Enabled": false}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": "false"}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": "no"}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Enabled": false}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  enabled: false
            {"Type": "AllAtOnce", "Enabled": "false"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  enabled: false
            {"Type": "AllAtOnce", "Enabled": "no"}
                error: Resources/Api/Properties/CanaryDeployment/Enabled: Enabled must be true, false, or a condition over parameters (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), found "no"
                Api: None
        "#]],
    );
}

#[test]
fn enabled_from_parameters() {
    check_each(
        &[
            // `Flag` defaults to "true"; the given value wins over the Default.
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Ref": "Flag"}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Ref": "Flag"}}"#).values(r#"{"Flag": "False"}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}"#)
                .values(r#"{"Stage": "dev"}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Enabled": {"Ref": "Flag"}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
            {"Type": "AllAtOnce", "Enabled": {"Ref": "Flag"}} with {"Flag": "False"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  enabled: false
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}} with {"Stage": "dev"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  enabled: false
        "#]],
    );
}

#[test]
fn enabled_condition_operators() {
    check_each(
        &[
            case(
                r#"{"Type": "AllAtOnce", "Enabled": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsIreland"}]}]}}"#,
            ),
            case(
                r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [1, "2"]}]}}"#,
            ),
            case(
                r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::FindInMap": ["Stages", {"Ref": "Stage"}, "Canary"]}, true]}}"#,
            ),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Enabled": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsIreland"}]}]}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  enabled: false
            {"Type": "AllAtOnce", "Enabled": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": [1, "2"]}]}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::FindInMap": ["Stages", {"Ref": "Stage"}, "Canary"]}, true]}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
        "#]],
    );
}

#[test]
fn enabled_pseudo_parameters() {
    check_each(
        &[
            case(
                r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]}}"#,
            )
            .region("cn-north-1"),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws"]}}"#)
                .region("us-gov-west-1"),
            case(
                r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]}}"#,
            ),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "prod"]}}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]}} in cn-north-1
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws"]}} in us-gov-west-1
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  enabled: false
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "prod"]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Ref: AWS::StackName is not known when the macro runs: Enabled can depend on parameters and on AWS::Region, AWS::AccountId, AWS::Partition, AWS::URLSuffix
                Api: None
        "#]],
    );
}

#[test]
fn enabled_over_resource_attributes() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "Topic"}, "x"]}}"#),
            case(
                r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::GetAtt": ["Topic", "TopicName"]}, "x"]}}"#,
            ),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "Topic"}, "x"]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Ref: Enabled can only depend on parameters, found a Ref to resource Topic
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::GetAtt": ["Topic", "TopicName"]}, "x"]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Fn::GetAtt: Enabled can only depend on parameters, found Fn::GetAtt of a resource attribute
                Api: None
        "#]],
    );
}

#[test]
fn enabled_condition_errors() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Condition": "IsPord"}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Condition": "LoopA"}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::And": [true]}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Ref": "Stage"}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::Sub": "x"}, "x"]}}"#),
            // Every operand is evaluated, so a broken one is reported even when an earlier one decides.
            case(r#"{"Type": "AllAtOnce", "Enabled": {"Fn::Or": [true, {"Ref": "Stag"}]}}"#),
            case(r#"{"Type": "AllAtOnce", "Enabled": 1}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Enabled": {"Condition": "IsPord"}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Condition: condition "IsPord" is not in the template's Conditions (did you mean "IsProd"?)
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Condition": "LoopA"}}
                error: Conditions/LoopB/Condition: condition "LoopA" depends on itself: LoopA -> LoopB -> LoopA
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Ref": "NoDefault"}, "x"]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Ref: parameter NoDefault has no value (give the parameter a value, or a Default)
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Fn::And": [true]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::And: Fn::And takes a list of 2 to 10 conditions, found a list of 1 item
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Ref": "Stage"}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Ref: a condition must be true or false, found "prod" (the value of parameter Stage)
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Fn::Equals": [{"Fn::Sub": "x"}, "x"]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Equals/0/Fn::Sub: Fn::Sub cannot be evaluated in a condition: accepted are true, false, {Ref: Parameter} whose value is true or false, Fn::Equals, Fn::Not, Fn::And, Fn::Or or {Condition: Name}, with operands a string, a number, a bool, {Ref: Parameter} or Fn::FindInMap
                Api: None
            {"Type": "AllAtOnce", "Enabled": {"Fn::Or": [true, {"Ref": "Stag"}]}}
                error: Resources/Api/Properties/CanaryDeployment/Enabled/Fn::Or/1/Ref: Ref to "Stag", which is not a parameter of the template (did you mean "Stage"?)
                Api: None
            {"Type": "AllAtOnce", "Enabled": 1}
                error: Resources/Api/Properties/CanaryDeployment/Enabled: Enabled must be true, false, or a condition over parameters (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), found the number 1
                Api: None
        "#]],
    );
}
