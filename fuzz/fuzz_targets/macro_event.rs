//! Fuzz target: arbitrary bytes as the Lambda's macro event, through `canary_lambda::handler`
//! exactly as the runtime calls it. Asserts only that the handler returns a response (it never
//! returns `Err` and never panics, whatever the event).
//!
//! The runtime hands the handler only JSON, so bytes that are not JSON are skipped. Each JSON value
//! is sent twice: as the whole event (malformed events, wrong field types, odd request ids) and as
//! the `fragment` of an otherwise well-formed event, so the fuzzer also reaches the size, depth and
//! snippet gates and the engine behind them.

#![no_main]

use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};

use canary_lambda::handler;
use lambda_runtime::{Context, LambdaEvent};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// Runs the handler to completion. It awaits nothing (the expansion is synchronous), so one poll
/// with a no-op waker finishes it; a pending future would be a bug worth a crash report.
fn call(payload: String) {
    let Ok(raw) = RawValue::from_string(payload) else { return };
    let mut future = pin!(handler(LambdaEvent::new(raw, Context::default())));
    let mut cx = TaskContext::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(result) => assert!(result.is_ok(), "the handler returned Err: {result:?}"),
        Poll::Pending => panic!("the handler awaited something"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(value) = serde_json::from_str::<Value>(text) else { return };
    call(text.to_owned());
    let event = json!({
        "region": "us-east-1",
        "accountId": "123456789012",
        "fragment": value,
        "transformId": "123456789012::CanaryDeployments",
        "params": {},
        "requestId": "fuzz",
        "templateParameterValues": {"Stage": "prod"}
    });
    call(event.to_string());
});
