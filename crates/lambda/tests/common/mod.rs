//! Shared by the Lambda's test crates: one call of the macro handler, as the runtime would make it.
#![allow(dead_code)]

use canary_lambda::{handler, MacroResponse};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::value::RawValue;

/// Sends `payload` (any JSON text) to the handler and returns its response.
pub async fn invoke_payload(payload: String) -> MacroResponse {
    let raw = RawValue::from_string(payload).expect("the payload is JSON");
    handler(LambdaEvent::new(raw, Context::default())).await.expect("the handler never returns Err")
}
