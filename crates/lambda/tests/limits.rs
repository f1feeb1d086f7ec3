//! Hostile macro events at the Lambda (docs/lambda.md): nesting far past any parser's bound, in the
//! fragment and elsewhere in the event, and the exact edge of the depth limit. Each ends in bounded
//! time with a `failure` that names the limit (or a success at the limit itself), never a panic, a
//! stack overflow or a Lambda error. (Over 6 MB is `handler.rs`'s
//! `a_fragment_over_the_input_limit_is_refused_by_size`.)

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use canary_engine::limits::MAX_DEPTH;
use serde_json::{json, Value};

/// Generous for a debug build on a shared machine; what matters is that the time is bounded at all.
const BOUND: Duration = Duration::from_secs(30);

/// The response to `payload` as CloudFormation reads it, and how long the handler took.
async fn invoke_timed(payload: String) -> (Value, Duration) {
    let started = Instant::now();
    let response = common::invoke_payload(payload).await;
    (serde_json::to_value(&response).unwrap(), started.elapsed())
}

fn event_text(fragment: &str, request_id: &str) -> String {
    format!(
        r#"{{"region":"eu-west-1","accountId":"123456789012","transformId":"123456789012::CanaryDeployments","requestId":"{request_id}","fragment":{fragment}}}"#
    )
}

/// `n` nested lists around a number.
fn nested(n: usize) -> String {
    format!("{}1{}", "[".repeat(n), "]".repeat(n))
}

#[tokio::test]
async fn a_fragment_nested_200000_deep_is_refused_in_bounded_time() {
    let fragment = format!(r#"{{"Resources":{{}},"Metadata":{{"Deep":{}}}}}"#, nested(200_000));
    let (response, took) = invoke_timed(event_text(&fragment, "deep-200k")).await;
    assert_eq!(response["status"], "failure", "{response}");
    assert_eq!(response["requestId"], "deep-200k");
    let message = response["errorMessage"].as_str().unwrap();
    assert!(message.contains(&format!("at most {MAX_DEPTH} levels")), "{message}");
    assert!(took < BOUND, "took {took:?}");
}

#[tokio::test]
async fn an_event_nested_deep_outside_the_fragment_is_a_failure_not_a_crash() {
    // `params` nested far past serde_json's recursion limit: the event cannot be read, but the
    // answer is still a failure that says so.
    let payload = format!(
        r#"{{"region":"eu-west-1","accountId":"123456789012","transformId":"t","requestId":"deep-params","params":{{"x":{}}},"fragment":{{"Resources":{{}}}}}}"#,
        nested(200_000)
    );
    let (response, took) = invoke_timed(payload).await;
    assert_eq!(response["status"], "failure", "{response}");
    assert!(response["errorMessage"].as_str().is_some_and(|m| !m.is_empty()), "{response}");
    assert!(took < BOUND, "took {took:?}");
}

/// A template whose deepest path holds exactly `height` objects and lists, counting the template
/// itself, through a marked function's `Metadata`.
fn template_of_height(height: usize) -> Value {
    // Template (1) > Resources (2) > Fn (3) > Metadata, the outermost of `height - 3` objects.
    let mut deep = json!("leaf");
    for _ in 0..height - 3 {
        deep = json!({ "Next": deep });
    }
    json!({"Resources": {"Fn": {
        "Type": "AWS::Lambda::Function",
        "Metadata": deep,
        "Properties": {
            "Handler": "index.handler", "Runtime": "nodejs20.x",
            "Role": "arn:aws:iam::123456789012:role/app",
            "Code": {"ZipFile": "exports.handler = async () => 1;"},
            "CanaryDeployment": {"Type": "AllAtOnce"}
        }
    }}})
}

#[tokio::test]
async fn nesting_exactly_at_the_limit_expands_and_one_more_level_is_refused() {
    let (response, _) =
        invoke_timed(event_text(&template_of_height(MAX_DEPTH).to_string(), "at-limit")).await;
    assert_eq!(response["status"], "success", "{}", response["errorMessage"]);

    let (response, _) =
        invoke_timed(event_text(&template_of_height(MAX_DEPTH + 1).to_string(), "past-limit")).await;
    assert_eq!(response["status"], "failure", "{response}");
    let message = response["errorMessage"].as_str().unwrap();
    assert!(message.contains(&format!("{} levels deep", MAX_DEPTH + 1)), "{message}");
    assert!(message.contains(&format!("at most {MAX_DEPTH} levels")), "{message}");
}
