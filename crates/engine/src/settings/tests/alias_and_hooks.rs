//! `Alias`, `PreTrafficHook` and `PostTrafficHook`.

use super::*;

// ---- Alias ----

#[test]
fn alias_valid_names() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "Alias": "blue-green_2"}"#),
            case(r#"{"Type": "AllAtOnce", "Alias": "Live"}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "Alias": "blue-green_2"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  alias: "blue-green_2"
            {"Type": "AllAtOnce", "Alias": "Live"}
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
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHook", "PostTrafficHook": "PostHook"}"#),
            case(
                r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "PreHook"}, "PostTrafficHook": {"Fn::GetAtt": ["PostHook", "Arn"]}}"#,
            ),
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Fn::GetAtt": "PreHook.Arn"}}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "PreTrafficHook": "PreHook", "PostTrafficHook": "PostHook"}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  pre_traffic_hook: Some(Function("PreHook"))
                  post_traffic_hook: Some(Function("PostHook"))
            {"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "PreHook"}, "PostTrafficHook": {"Fn::GetAtt": ["PostHook", "Arn"]}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  pre_traffic_hook: Some(Function("PreHook"))
                  post_traffic_hook: Some(Function("PostHook"))
            {"Type": "AllAtOnce", "PreTrafficHook": {"Fn::GetAtt": "PreHook.Arn"}}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  pre_traffic_hook: Some(Function("PreHook"))
        "#]],
    );
}

#[test]
fn hooks_outside_the_template() {
    check_each(
        &[
            case(
                r#"{"Type": "AllAtOnce", "PreTrafficHook": "arn:aws:lambda:eu-west-1:123456789012:function:smoke", "PostTrafficHook": "shared-smoke-tests"}"#,
            ),
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "HookArn"}}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "PreTrafficHook": "arn:aws:lambda:eu-west-1:123456789012:function:smoke", "PostTrafficHook": "shared-smoke-tests"}
                warning: Resources/Api/Properties/CanaryDeployment/PostTrafficHook: PostTrafficHook names "shared-smoke-tests", which is not a function of the template, so a function of that name must exist in the account and region at deploy time (for a function outside the template, write its ARN to say so)
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  pre_traffic_hook: Some(External("arn:aws:lambda:eu-west-1:123456789012:function:smoke"))
                  post_traffic_hook: Some(External("shared-smoke-tests"))
            {"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "HookArn"}}
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
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "PreHok"}}"#),
            case(r#"{"Type": "AllAtOnce", "PostTrafficHook": {"Fn::GetAtt": ["Nothing", "Arn"]}}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "PreHok"}}
                error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook/Ref: PreTrafficHook refers to "PreHok", which is not a resource of the template (did you mean "PreHook"?)
                Api: None
            {"Type": "AllAtOnce", "PostTrafficHook": {"Fn::GetAtt": ["Nothing", "Arn"]}}
                error: Resources/Api/Properties/CanaryDeployment/PostTrafficHook/Fn::GetAtt: PostTrafficHook refers to "Nothing", which is not a resource of the template
                Api: None
        "#]],
    );
}

#[test]
fn hook_not_a_function() {
    check_each(
        &[
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": "Topic"}"#),
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "ErrorsAlarm"}}"#),
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": {"Fn::GetAtt": ["PreHook", "Version"]}}"#),
            case(r#"{"Type": "AllAtOnce", "PreTrafficHook": ["PreHook"]}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "PreTrafficHook": "Topic"}
                error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook: PreTrafficHook names Topic, an AWS::SNS::Topic: accepted is the logical ID of a function in the template, {Ref: Function}, {Fn::GetAtt: [Function, Arn]}, or the name or ARN of a function outside the template
                Api: None
            {"Type": "AllAtOnce", "PreTrafficHook": {"Ref": "ErrorsAlarm"}}
                error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook/Ref: PreTrafficHook refers to ErrorsAlarm, an AWS::CloudWatch::Alarm: accepted is a Lambda function
                Api: None
            {"Type": "AllAtOnce", "PreTrafficHook": {"Fn::GetAtt": ["PreHook", "Version"]}}
                error: Resources/Api/Properties/CanaryDeployment/PreTrafficHook/Fn::GetAtt: PreTrafficHook takes the Arn of a function, found Fn::GetAtt PreHook.Version
                Api: None
            {"Type": "AllAtOnce", "PreTrafficHook": ["PreHook"]}
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
