//! `Type`: predefined names, shapes, config names, references to parameters and deployment configs.

use super::*;

#[test]
fn type_predefined_names_map_to_codedeploy_defaults() {
    check_types(
        crate::settings::PREDEFINED_TYPES,
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
fn type_ref_to_parameters_and_resources() {
    check_each(
        &[
            case(r#"{"Type": {"Ref": "Shape"}}"#),
            case(r#"{"Type": {"Ref": "Shape"}}"#).values(r#"{"Shape": "Linear10PercentEvery1Minute"}"#),
            case(r#"{"Type": {"Ref": "Shape"}}"#).values(r#"{"Shape": "Canary10Percent"}"#),
            case(r#"{"Type": {"Ref": "NoDefault"}}"#),
            case(r#"{"Type": {"Ref": "SlowRollout"}}"#),
            case(r#"{"Type": {"Ref": "Topic"}}"#),
            case(r#"{"Type": {"Ref": "SlowRolout"}}"#),
            case(r#"{"Type": {"Ref": "Subnets"}}"#),
        ],
        expect![[r#"
            {"Type": {"Ref": "Shape"}}
                Api:
                  traffic: Shape(Shape { kind: Canary, percentage: 25, interval_minutes: 20 })
            {"Type": {"Ref": "Shape"}} with {"Shape": "Linear10PercentEvery1Minute"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
            {"Type": {"Ref": "Shape"}} with {"Shape": "Canary10Percent"}
                error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type "Canary10Percent" (from parameter Shape) is not a traffic shape: accepted are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880
                Api: None
            {"Type": {"Ref": "NoDefault"}}
                error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to parameter NoDefault, but parameter NoDefault has no value (give the parameter a value, or a Default)
                Api: None
            {"Type": {"Ref": "SlowRollout"}}
                Api:
                  traffic: ConfigResource("SlowRollout")
            {"Type": {"Ref": "Topic"}}
                error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to Topic, an AWS::SNS::Topic: accepted are a parameter or an AWS::CodeDeploy::DeploymentConfig
                Api: None
            {"Type": {"Ref": "SlowRolout"}}
                error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to "SlowRolout", which is neither a parameter nor a resource of the template (did you mean "SlowRollout"?)
                Api: None
            {"Type": {"Ref": "Subnets"}}
                error: Resources/Api/Properties/CanaryDeployment/Type/Ref: Type refers to parameter Subnets, a list: accepted is a String parameter
                Api: None
        "#]],
    );
}

#[test]
fn type_wrong_json_type() {
    check_each(
        &[case(r#"{"Type": 10}"#), case(r#"{"Type": {"Fn::Sub": "Canary${Pct}Percent5Minutes"}}"#)],
        expect![[r#"
            {"Type": 10}
                error: Resources/Api/Properties/CanaryDeployment/Type: Type must be a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig, found the number 10
                Api: None
            {"Type": {"Fn::Sub": "Canary${Pct}Percent5Minutes"}}
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
