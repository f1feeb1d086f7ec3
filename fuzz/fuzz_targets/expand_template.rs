//! Fuzz target: arbitrary bytes, parsed as JSON, expanded with a fixed context. Asserts only that
//! `expand` returns (no panic, no abort, no stack overflow), whatever the value.
//!
//! Raw JSON rarely looks like a template with a marked function, so each parsed value is also tried
//! in the two places where most of the engine's parsing happens: as one function's
//! `CanaryDeployment` settings, and as a template's whole `Resources` section next to a marked
//! function. The seeds in `corpus/expand_template` are real templates to start from.

#![no_main]

use canary_engine::json;
use canary_engine::json::{Map, Value};
use canary_engine::{expand, CodeLocation, Context};
use libfuzzer_sys::fuzz_target;

fn context() -> Context {
    let mut parameter_values = Map::new();
    parameter_values.insert("Stage", json!("prod"));
    parameter_values.insert("Enabled", json!("true"));
    // A hook location, so that a `SmokeTest` the fuzzer writes is expanded, not only refused.
    let smoke_hook_code = Some(CodeLocation { bucket: "artifacts".into(), key: "smoke-hook.zip".into() });
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values,
        smoke_hook_code,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let ctx = context();

    // As settings of a marked function that has an event source to rewire.
    let as_settings = json!({
        "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "index.handler", "CanaryDeployment": value.clone()}
            },
            "Perm": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {"FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction"}
            }
        }
    });
    let _ = expand(as_settings, &ctx);

    // As the resources of a template beside a marked function, so the value's resources are walked
    // by the rewiring.
    if let Value::Object(mut resources) = value.clone() {
        resources.insert(
            "CanaryFn",
            json!({"Type": "AWS::Lambda::Function", "Metadata": {"CanaryDeployment": {"Type": "AllAtOnce"}}}),
        );
        let _ = expand(json!({ "Resources": resources }), &ctx);
    }

    // As a whole template.
    let _ = expand(value, &ctx);
});
