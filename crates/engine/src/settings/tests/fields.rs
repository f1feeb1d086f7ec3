//! `Triggers`, `ServiceRole`, `PermissionsBoundary`, `DeploymentGroupName`, `AutoRollback`,
//! `IgnorePollAlarmFailure` and `ProvisionedConcurrency`.

use super::*;

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
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "AutoRollback": false}"#),
            case(r#"{"Type": "AllAtOnce", "AutoRollback": true}"#),
            case(
                r#"{"Type": "AllAtOnce", "AutoRollback": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}"#,
            ),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "AutoRollback": false}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  auto_rollback: []
            {"Type": "AllAtOnce", "AutoRollback": true}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
            {"Type": "AllAtOnce", "AutoRollback": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  auto_rollback: ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]
        "#]],
    );
}

#[test]
fn auto_rollback_errors() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "AutoRollback": []}"#),
            case(r#"{"Type": "AllAtOnce", "AutoRollback": ["DEPLOYMENT_FAILURES", 3]}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "AutoRollback": []}
                error: Resources/Api/Properties/CanaryDeployment/AutoRollback: AutoRollback must be true, false, or a non-empty list of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found an empty list (write AutoRollback: false to turn automatic rollback off)
                Api: None
            {"Type": "AllAtOnce", "AutoRollback": ["DEPLOYMENT_FAILURES", 3]}
                error: Resources/Api/Properties/CanaryDeployment/AutoRollback/0: AutoRollback event must be one of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found "DEPLOYMENT_FAILURES" (did you mean "DEPLOYMENT_FAILURE"?)
                error: Resources/Api/Properties/CanaryDeployment/AutoRollback/1: AutoRollback event must be one of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST, found the number 3
                Api: None
        "#]],
    );
}

#[test]
fn flags_and_counts() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "IgnorePollAlarmFailure": "true", "ProvisionedConcurrency": "5"}"#),
            case(r#"{"Type": "AllAtOnce", "IgnorePollAlarmFailure": "yes", "ProvisionedConcurrency": 0}"#),
            case(r#"{"Type": "AllAtOnce", "ProvisionedConcurrency": "five"}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "IgnorePollAlarmFailure": "true", "ProvisionedConcurrency": "5"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  ignore_poll_alarm_failure: true
                  provisioned_concurrency: Some(5)
            {"Type": "AllAtOnce", "IgnorePollAlarmFailure": "yes", "ProvisionedConcurrency": 0}
                error: Resources/Api/Properties/CanaryDeployment/IgnorePollAlarmFailure: IgnorePollAlarmFailure must be true or false, found "yes"
                error: Resources/Api/Properties/CanaryDeployment/ProvisionedConcurrency: ProvisionedConcurrency must be an integer of at least 1, found 0
                Api: None
            {"Type": "AllAtOnce", "ProvisionedConcurrency": "five"}
                error: Resources/Api/Properties/CanaryDeployment/ProvisionedConcurrency: ProvisionedConcurrency must be an integer of at least 1, found "five"
                Api: None
        "#]],
    );
}
