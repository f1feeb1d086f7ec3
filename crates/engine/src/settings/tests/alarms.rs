//! `Alarms` and `RollbackOn`, and their count against CodeDeploy's limit.

use super::*;

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
    check_each(
        &[
            case(
                r#"{"Type": "AllAtOnce", "RollbackOn": {"Erors": 5, "Throttles": 0, "ErrorRate": 150, "DurationP99": 900001}}"#,
            ),
            case(
                r#"{"Type": "AllAtOnce", "RollbackOn": {"Errors": 1.5, "ErrorRate": 0, "DurationP99": -3}}"#,
            ),
            case(r#"{"Type": "AllAtOnce", "RollbackOn": ["Errors"]}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "RollbackOn": {"Erors": 5, "Throttles": 0, "ErrorRate": 150, "DurationP99": 900001}}
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/DurationP99: DurationP99 must be an integer from 1 to 900000, found 900001
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Erors: unknown RollbackOn metric "Erors": accepted are Errors, Throttles, ErrorRate, DurationP99 (did you mean "Errors"?)
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/ErrorRate: ErrorRate must be a percentage above 0 and at most 100, found 150
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Throttles: Throttles must be an integer of at least 1, found 0
                Api: None
            {"Type": "AllAtOnce", "RollbackOn": {"Errors": 1.5, "ErrorRate": 0, "DurationP99": -3}}
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/DurationP99: DurationP99 must be an integer from 1 to 900000, found -3
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/ErrorRate: ErrorRate must be a percentage above 0 and at most 100, found 0
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn/Errors: Errors must be an integer of at least 1, found the number 1.5
                Api: None
            {"Type": "AllAtOnce", "RollbackOn": ["Errors"]}
                error: Resources/Api/Properties/CanaryDeployment/RollbackOn: RollbackOn must be an object with any of Errors, Throttles, ErrorRate, DurationP99, found a list of 1 item
                Api: None
        "#]],
    );
}
