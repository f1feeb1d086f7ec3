//! `SmokeTest`: its shape, literal JSON only, the environment's size, and its one conflict.

use super::*;
use crate::settings::{SmokeCase, SMOKE_TEST_VARIABLE};

#[test]
fn smoke_test_valid() {
    check_each(
        &[
            case(
                r#"{"Type": "AllAtOnce", "SmokeTest": [
                    {"Event": {"httpMethod": "GET", "path": "/health"}, "Expect": {"statusCode": 200}},
                    {"Event": {"Records": [{"body": "{\"orderId\": \"test\"}"}]}},
                    {"Event": "ping", "Expect": null}
                ]}"#,
            ),
            // An empty list is no smoke test.
            case(r#"{"Type": "AllAtOnce", "SmokeTest": []}"#),
        ],
        expect![[r#"
            {"Type": "AllAtOnce", "SmokeTest": [
                                {"Event": {"httpMethod": "GET", "path": "/health"}, "Expect": {"statusCode": 200}},
                                {"Event": {"Records": [{"body": "{\"orderId\": \"test\"}"}]}},
                                {"Event": "ping", "Expect": null}
                            ]}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
                  smoke_test: [{"Event":{"httpMethod":"GET","path":"/health"},"Expect":{"statusCode":200}},{"Event":{"Records":[{"body":"{\"orderId\": \"test\"}"}]}},{"Event":"ping","Expect":null}]
            {"Type": "AllAtOnce", "SmokeTest": []}
                Api:
                  traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
        "#]],
    );
}

#[test]
fn smoke_test_errors_all_at_once() {
    check(
        r#"{"Type": "AllAtOnce", "SmokeTest": [
            {"Expect": {"statusCode": 200}},
            {"Event": {"path": {"Fn::Sub": "/${AWS::Region}"}}, "Expected": 1},
            {"Event": [{"Ref": "Stage"}], "Expect": {"body": {"Fn::Join": ["", ["a"]]}}},
            "GET /health"
        ]}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest/0: a smoke test case needs Event: the JSON the new version is invoked with
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest/1/Event/path/Fn::Sub: Fn::Sub in a smoke test Event: accepted is literal JSON, since the cases reach the hook as text that CloudFormation does not resolve (write the value itself)
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest/1/Expected: unknown smoke test key "Expected": accepted are Event, Expect (did you mean "Expect"?)
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest/2/Event/0/Ref: Ref in a smoke test Event: accepted is literal JSON, since the cases reach the hook as text that CloudFormation does not resolve (write the value itself)
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest/2/Expect/body/Fn::Join: Fn::Join in a smoke test Expect: accepted is literal JSON, since the cases reach the hook as text that CloudFormation does not resolve (write the value itself)
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest/3: a smoke test case must be an object with Event, Expect, found "GET /health"
            Api: None
        "#]],
    );
    check(
        r#"{"Type": "AllAtOnce", "SmokeTest": {"Event": {}}}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest: SmokeTest must be a list of cases, objects with Event, Expect, found an object
            Api: None
        "#]],
    );
}

/// The cases must fit Lambda's 4 KB of environment variables, counted with their escapes: a case
/// whose own JSON is under the limit can be over it once its quotes are escaped.
#[test]
fn smoke_test_size_is_the_environment_limit() {
    let settings = |n: usize| {
        let body = "\\\"".repeat(n);
        format!(r#"{{"Type": "AllAtOnce", "SmokeTest": [{{"Event": {{"body": "{body}"}}}}]}}"#)
    };
    let size_of = |n: usize| {
        let case = SmokeCase { event: crate::json!({"body": "\"".repeat(n)}), expect: None };
        SmokeCase::environment_size(&[case])
    };
    // Each `"` of the body is `\"` in the case's JSON and `\\\"` in the variable's: 4 bytes.
    let fits = (0..2000).rev().find(|n| size_of(*n) <= crate::limits::MAX_ENVIRONMENT_BYTES).unwrap();
    assert!(size_of(fits + 1) > crate::limits::MAX_ENVIRONMENT_BYTES);
    // The count is the variables' JSON, as Lambda's API carries them.
    let case = SmokeCase { event: crate::json!({"body": "\"".repeat(fits)}), expect: None };
    let variables = serde_json::json!({SMOKE_TEST_VARIABLE: SmokeCase::environment_value(&[case])});
    assert_eq!(serde_json::to_string(&variables).unwrap().len(), size_of(fits));
    assert!(run(None, "{}", &[("Api", &settings(fits))], "eu-west-1").contains("smoke_test:"));
    let over = run(None, "{}", &[("Api", &settings(fits + 1))], "eu-west-1");
    assert!(over.starts_with(&format!(
        "error: Resources/Api/Properties/CanaryDeployment/SmokeTest: SmokeTest takes {} bytes as the hook's environment variable, over Lambda's limit of 4096 bytes",
        size_of(fits + 1)
    )), "{over}");
}

#[test]
fn smoke_test_and_pre_traffic_hook_conflict() {
    check(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHook", "SmokeTest": [{"Event": {}}]}"#,
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest: SmokeTest runs as the pre-traffic hook, and this function has PreTrafficHook too: CodeDeploy takes one BeforeAllowTrafficHook (keep SmokeTest, or PreTrafficHook and invoke the cases from that hook)
            Api: None
        "#]],
    );
    // A post-traffic hook is no conflict; a default hook is, once per function that inherits both.
    check_defaults(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHook"}"#,
        &[
            ("Api", r#"{"SmokeTest": [{"Event": {}}], "PostTrafficHook": "PostHook"}"#),
            ("Worker", r#"{"SmokeTest": []}"#),
        ],
        expect![[r#"
            error: Resources/Api/Properties/CanaryDeployment/SmokeTest: SmokeTest runs as the pre-traffic hook, and this function has PreTrafficHook (from Metadata/CanaryDeployments) too: CodeDeploy takes one BeforeAllowTrafficHook (keep SmokeTest, or PreTrafficHook and invoke the cases from that hook)
            Api: None
            Worker:
              traffic: ConfigName("CodeDeployDefault.LambdaAllAtOnce")
              pre_traffic_hook: Some(Function("PreHook"))
        "#]],
    );
    check_defaults(
        r#"{"Type": "AllAtOnce", "PreTrafficHook": "PreHook", "SmokeTest": [{"Event": {}}]}"#,
        &[("Api", "{}"), ("Worker", "{}")],
        expect![[r#"
            error: Metadata/CanaryDeployments/SmokeTest: SmokeTest runs as the pre-traffic hook, and this function has PreTrafficHook (from Metadata/CanaryDeployments) too: CodeDeploy takes one BeforeAllowTrafficHook (keep SmokeTest, or PreTrafficHook and invoke the cases from that hook)
            Api: None
            Worker: None
        "#]],
    );
}
