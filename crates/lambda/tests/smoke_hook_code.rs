//! The smoke test hook's code location reaches the macro through the environment the install
//! templates set (`SMOKE_HOOK_CODE_BUCKET`, `SMOKE_HOOK_CODE_KEY`). One test in a binary of its own,
//! since it changes the process's environment.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use canary_lambda::{SMOKE_HOOK_BUCKET_VARIABLE, SMOKE_HOOK_KEY_VARIABLE};
use serde_json::{json, Value};

fn event() -> Value {
    json!({
        "region": "eu-west-1",
        "accountId": "123456789012",
        "transformId": "123456789012::CanaryDeployments",
        "requestId": "smoke-1",
        "params": {},
        "templateParameterValues": {},
        "fragment": {"Resources": {"Api": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Role": "arn:aws:iam::123456789012:role/app",
                "Code": {"ZipFile": "def handler(event, context):\n    return {'statusCode': 200}\n"},
                "CanaryDeployment": {
                    "Type": "AllAtOnce",
                    "SmokeTest": [{"Event": {"path": "/health"}, "Expect": {"statusCode": 200}}]
                }
            }
        }}}
    })
}

async fn invoke() -> Value {
    serde_json::to_value(common::invoke_payload(event().to_string()).await).unwrap()
}

#[tokio::test]
async fn the_hook_code_comes_from_the_environment_and_its_absence_is_explained() {
    std::env::remove_var(SMOKE_HOOK_BUCKET_VARIABLE);
    std::env::remove_var(SMOKE_HOOK_KEY_VARIABLE);
    let response = invoke().await;
    assert_eq!(response["status"], "failure", "{response:#}");
    let message = response["errorMessage"].as_str().unwrap();
    assert!(message.contains("Resources/Api/Properties/CanaryDeployment/SmokeTest"), "{message}");
    assert!(message.contains("SMOKE_HOOK_CODE_BUCKET"), "{message}");

    // An empty bucket, as template.yaml's default leaves it, is no location either.
    std::env::set_var(SMOKE_HOOK_BUCKET_VARIABLE, "");
    std::env::set_var(SMOKE_HOOK_KEY_VARIABLE, "canary-deployments-0.1.0-smoke-hook.zip");
    assert_eq!(invoke().await["status"], "failure");

    std::env::set_var(SMOKE_HOOK_BUCKET_VARIABLE, "artifacts-eu-west-1");
    let response = invoke().await;
    assert_eq!(response["status"], "success", "{response:#}");
    let code = &response["fragment"]["Resources"]["ApiSmokeTest"]["Properties"]["Code"];
    assert_eq!(
        code,
        &json!({"S3Bucket": "artifacts-eu-west-1", "S3Key": "canary-deployments-0.1.0-smoke-hook.zip"})
    );
}
