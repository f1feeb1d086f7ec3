//! The macro handler called directly, as the Lambda runtime would call it but without a runtime:
//! CloudFormation's macro events in (the fixtures under `tests/events/`, shared with the end-to-end
//! script), the JSON CloudFormation would read out. Every case asserts on the serialized response,
//! since that is the only thing CloudFormation sees.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use canary_engine::limits::{MAX_DEPTH, MAX_INPUT_BYTES};
use canary_lambda::MAX_ERROR_MESSAGE_CHARS;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The event of fixture `name` with its member `key` set to `value`.
fn fixture_with(name: &str, key: &str, value: Value) -> Value {
    let mut event = fixture(name);
    event[key] = value;
    event
}

/// Sends `payload` (any JSON text) to the handler and returns the response as CloudFormation reads it.
async fn invoke_text(payload: String) -> String {
    serde_json::to_string(&common::invoke_payload(payload).await).unwrap()
}

async fn invoke(event: &Value) -> Value {
    serde_json::from_str(&invoke_text(event.to_string()).await).unwrap()
}

fn assert_failure(response: &Value, request_id: &str) -> String {
    assert_eq!(response["status"], "failure", "{response:#}");
    assert_eq!(response["requestId"], request_id, "{response:#}");
    assert!(response.get("fragment").is_none(), "a failure carries no fragment: {response:#}");
    let message = response["errorMessage"].as_str().expect("errorMessage is a string").to_owned();
    assert!(message.chars().count() <= MAX_ERROR_MESSAGE_CHARS, "{message}");
    message
}

/// The error message of `event`'s response, which must be a failure echoing the event's request ID.
async fn failure_message(event: &Value) -> String {
    assert_failure(&invoke(event).await, event["requestId"].as_str().unwrap())
}

/// `message` names every one of `needles`.
fn assert_mentions(message: &str, needles: &[&str]) {
    for needle in needles {
        assert!(message.contains(needle), "no {needle:?} in: {message}");
    }
}

fn logical_ids(template: &Value) -> Vec<String> {
    template["Resources"].as_object().expect("Resources is an object").keys().cloned().collect()
}

#[tokio::test]
async fn success_echoes_the_request_id_and_keeps_every_resource() {
    let event = fixture("success.json");
    let response = invoke(&event).await;
    assert_eq!(response["status"], "success", "{response:#}");
    assert_eq!(response["requestId"], event["requestId"]);
    assert!(response.get("errorMessage").is_none(), "{response:#}");
    let fragment = &response["fragment"];
    let output_ids = logical_ids(fragment);
    for logical_id in logical_ids(&event["fragment"]) {
        assert!(output_ids.contains(&logical_id), "{logical_id} was dropped: {output_ids:?}");
    }
    // Template sections keep their order and content: the macro only touches Resources.
    let sections: Vec<&String> = fragment.as_object().unwrap().keys().collect();
    assert_eq!(sections, ["AWSTemplateFormatVersion", "Description", "Parameters", "Resources", "Outputs"]);
    assert_eq!(fragment["Parameters"], event["fragment"]["Parameters"]);
    assert_eq!(fragment["Outputs"], event["fragment"]["Outputs"]);
}

#[tokio::test]
async fn invalid_settings_fail_with_every_error_and_its_path() {
    let event = fixture("invalid-settings.json");
    let message = failure_message(&event).await;
    // Both functions' errors arrive together, each with its template path (docs/settings.md).
    assert_mentions(
        &message,
        &[
            "Resources/Checkout/Properties/CanaryDeployment/Tpye",
            "Resources/Payments/Properties/CanaryDeployment/Alias",
        ],
    );
}

#[tokio::test]
async fn a_snippet_is_refused_with_a_pointer_to_template_level_transform() {
    let event = fixture("snippet.json");
    let message = failure_message(&event).await;
    assert_mentions(&message, &["Fn::Transform", "Transform: CanaryDeployments"]);
}

#[tokio::test]
async fn the_snippet_message_uses_the_name_the_macro_was_deployed_under() {
    let event = fixture_with("snippet.json", "transformId", json!("123456789012::CanaryDeploymentsStaging"));
    assert_mentions(&failure_message(&event).await, &["Transform: CanaryDeploymentsStaging"]);
}

#[tokio::test]
async fn a_fragment_that_is_not_an_object_is_a_snippet_too() {
    let event = fixture_with("snippet.json", "fragment", json!(["a", "list"]));
    assert_mentions(&failure_message(&event).await, &["no Resources section"]);
}

#[tokio::test]
async fn a_malformed_event_still_answers_with_its_request_id() {
    let event = fixture("malformed.json");
    let response = invoke(&event).await;
    let message = assert_failure(&response, "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b");
    assert_mentions(&message, &["malformed"]);
    // serde names the first problem; the rest of the message says what a macro event holds.
    assert_mentions(&message, &["accountId", "fragment"]);
}

#[tokio::test]
async fn an_event_without_a_request_id_answers_with_an_empty_one() {
    for payload in ["[]", "\"text\"", "{}", "{\"requestId\": 7}"] {
        let response: Value = serde_json::from_str(&invoke_text(payload.to_owned()).await).unwrap();
        let message = assert_failure(&response, "");
        assert!(message.contains("malformed"), "{payload}: {message}");
    }
}

#[tokio::test]
async fn params_and_parameter_values_are_optional() {
    let mut event = fixture("success.json");
    let object = event.as_object_mut().unwrap();
    object.remove("params");
    object.remove("templateParameterValues");
    let response = invoke(&event).await;
    assert_eq!(response["status"], "success", "{response:#}");
    assert_eq!(response["requestId"], event["requestId"]);

    let mut event = fixture("success.json");
    event["params"] = Value::Null;
    event["templateParameterValues"] = Value::Null;
    let response = invoke(&event).await;
    assert_eq!(response["status"], "success", "{response:#}");
}

#[tokio::test]
async fn parameter_values_of_the_wrong_shape_are_a_malformed_event() {
    // CloudFormation sends a map of parameter names to values, never a list.
    let listed = json!(["Stage", "prod"]);
    let message = failure_message(&fixture_with("success.json", "templateParameterValues", listed)).await;
    assert_mentions(&message, &["templateParameterValues"]);
}

#[tokio::test]
async fn a_fragment_over_the_input_limit_is_refused_by_size() {
    let mut event = fixture("success.json");
    event["fragment"]["Description"] = json!("x".repeat(MAX_INPUT_BYTES));
    let started = std::time::Instant::now();
    let message = failure_message(&event).await;
    assert_mentions(&message, &[&MAX_INPUT_BYTES.to_string(), "6 MB"]);
    assert!(started.elapsed().as_secs() < 10, "refusing took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_fragment_nested_past_the_bound_is_refused_by_depth() {
    // 300 levels is past serde_json's own recursion limit (128): parsed eagerly, this event would
    // fail inside the runtime with no response at all.
    let mut nested = String::from("1");
    for _ in 0..300 {
        nested = format!("[{nested}]");
    }
    let payload = format!(
        r#"{{"region":"eu-west-1","accountId":"123456789012","transformId":"123456789012::CanaryDeployments",
            "requestId":"deep-1","fragment":{{"Resources":{{}},"Metadata":{{"Deep":{nested}}}}}}}"#
    );
    let response: Value = serde_json::from_str(&invoke_text(payload).await).unwrap();
    let message = assert_failure(&response, "deep-1");
    assert_mentions(&message, &["302 levels", &format!("at most {MAX_DEPTH}")]);
}

#[tokio::test]
async fn a_large_template_expands() {
    let event = large_event(180);
    let size = event["fragment"].to_string().len();
    assert!(size > 700_000, "the large template is only {size} bytes");
    let response = invoke(&event).await;
    assert_eq!(response["status"], "success", "{}", response["errorMessage"]);
    assert_eq!(response["requestId"], event["requestId"]);
    let output_ids = logical_ids(&response["fragment"]);
    for logical_id in logical_ids(&event["fragment"]) {
        assert!(output_ids.contains(&logical_id), "{logical_id} was dropped");
    }
}

#[tokio::test]
async fn the_same_event_gives_byte_identical_output() {
    for event in [fixture("success.json"), fixture("invalid-settings.json"), large_event(20)] {
        let first = invoke_text(event.to_string()).await;
        let second = invoke_text(event.to_string()).await;
        assert_eq!(first, second);
    }
}

#[tokio::test]
async fn resource_order_follows_the_input() {
    let mut event = fixture("success.json");
    // Reverse the resources: the output must follow the input, not sort.
    let resources = event["fragment"]["Resources"].as_object().unwrap().clone();
    let reversed: serde_json::Map<String, Value> = resources.into_iter().rev().collect();
    event["fragment"]["Resources"] = Value::Object(reversed);
    let response = invoke(&event).await;
    let input_ids = logical_ids(&event["fragment"]);
    let output_ids: Vec<String> =
        logical_ids(&response["fragment"]).into_iter().filter(|id| input_ids.contains(id)).collect();
    assert_eq!(output_ids, input_ids);
}

/// A template of `n` functions with inline code near Lambda's 4 KB `ZipFile` limit, each invoked by
/// a schedule through a permission, every tenth one marked. 180 functions make about 900 KB, near
/// CloudFormation's 1 MB template limit.
fn large_event(n: usize) -> Value {
    let mut resources = serde_json::Map::new();
    let body = "    total = sum(range(100))  # padding that stands for real handler code\n".repeat(50);
    for i in 0..n {
        let name = format!("Worker{i:03}");
        let mut function = json!({
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": "arn:aws:iam::123456789012:role/workers",
                "Code": {"ZipFile": format!("def handler(event, context):\n{body}    return total\n")},
            }
        });
        if i % 10 == 0 {
            function["Metadata"] = json!({"CanaryDeployment": {"Type": "Linear10PercentEvery1Minute"}});
        }
        resources.insert(name.clone(), function);
        resources.insert(
            format!("{name}Permission"),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": [name, "Arn"]},
                    "Principal": "events.amazonaws.com"
                }
            }),
        );
    }
    json!({
        "region": "us-east-1",
        "accountId": "123456789012",
        "fragment": {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources},
        "transformId": "123456789012::CanaryDeployments",
        "params": {},
        "requestId": "large-1",
        "templateParameterValues": {}
    })
}

/// Collects what the handler logs, as the Lambda's log group would receive it.
#[derive(Clone, Default)]
struct LogSink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_the_request_id_and_counts_but_no_template_contents() {
    let mut event = fixture("success.json");
    event["fragment"]["Parameters"]["DbPassword"] =
        json!({"Type": "String", "NoEcho": true, "Default": "hunter2-default-secret"});
    event["templateParameterValues"]["DbPassword"] = json!("hunter2-given-secret");
    let sink = LogSink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let response = {
        let _guard = tracing::subscriber::set_default(subscriber);
        invoke(&event).await
    };
    assert_eq!(response["status"], "success", "{response:#}");
    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = logs.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 1, "one line per request: {logs}");
    let fields = &lines[0]["fields"];
    assert_eq!(fields["request_id"], event["requestId"], "{logs}");
    assert_eq!(fields["transform_id"], "123456789012::CanaryDeployments", "{logs}");
    // The workspace version, read here from the manifest rather than from the crate's own constant.
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml")).unwrap();
    let version =
        manifest.lines().find_map(|line| line.strip_prefix("version = ")).unwrap().trim_matches('"');
    assert_eq!(fields["version"], version, "{logs}");
    for count in ["functions_marked", "resources_added", "references_rewired", "errors", "duration_us"] {
        assert!(fields[count].is_u64(), "{count} missing: {logs}");
    }
    assert!(!logs.contains("hunter2"), "a secret reached the logs: {logs}");
    assert!(!logs.contains("def handler"), "template code reached the logs: {logs}");
}
