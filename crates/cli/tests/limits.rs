//! Hostile input at the shell: templates past the parser's nesting bound and templates near Lambda's
//! payload limit (docs/lambda.md). Each must end in bounded time with a message that names the limit, never
//! a stack overflow or an unbounded wait. (One byte over 6 MiB is `cli.rs`'s
//! `input_over_the_size_limit_is_refused_unread`; YAML nesting is `yaml.rs`'s.)

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::ExitCode;
use std::time::Duration;

use canary_engine::limits::{MAX_DEPTH, MAX_INPUT_BYTES, MAX_PROCESSED_TEMPLATE_BYTES, MAX_RESOURCES};
use common::run_stdin;
use serde_json::{json, Map, Value};

/// Generous for a debug build on a shared machine; what matters is that the time is bounded at all.
const BOUND: Duration = Duration::from_secs(30);

#[test]
fn json_nested_far_past_the_parser_bound_is_refused_quickly() {
    // 200 000 levels: recursion over this would overflow the stack; serde_json stops at 128 and the
    // YAML fallback stops at the depth limit.
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let n = 200_000;
        let text = format!("{}1{}", open.repeat(n), close.repeat(n));
        let output = run_stdin(&["validate", "-"], text.as_bytes());
        assert_eq!(output.code, ExitCode::from(1), "{open}: {}", output.stderr);
        assert!(
            output.stderr.contains(&format!("nests deeper than {MAX_DEPTH} levels")),
            "{open}: the message should name the depth limit: {}",
            output.stderr
        );
        assert!(output.took < BOUND, "{open}: took {:?}", output.took);
        assert_eq!(output.stdout, "");
    }
}

#[test]
fn json_just_past_the_depth_limit_is_refused_naming_it() {
    // Deeper than the macro reads but within serde_json's own bound: the depth check itself answers.
    let n = MAX_DEPTH + 5;
    let mut deep = json!("leaf");
    for _ in 0..n {
        deep = json!({ "Next": deep });
    }
    let template = json!({"Resources": {"Deep": {"Type": "AWS::CloudFormation::WaitConditionHandle", "Metadata": deep}}});
    let output = run_stdin(&["validate", "-"], template.to_string().as_bytes());
    assert_eq!(output.code, ExitCode::from(1), "{}", output.stderr);
    assert!(output.stderr.contains(&format!("nests deeper than {MAX_DEPTH} levels")), "{}", output.stderr);
}

/// A template of about `bytes` bytes: `n_functions` marked functions, each with an environment
/// variable padding it out, and a permission invoking each.
fn big_template(n_functions: usize, bytes: usize) -> String {
    let pad = "x".repeat(bytes / n_functions);
    let mut resources = Map::new();
    for i in 0..n_functions {
        resources.insert(
            format!("Fn{i}"),
            json!({"Type": "AWS::Lambda::Function", "Properties": {
                "Handler": "index.handler", "Runtime": "nodejs20.x",
                "Role": "arn:aws:iam::123456789012:role/app",
                "Code": {"ZipFile": "exports.handler = async () => 1;"},
                "Environment": {"Variables": {"PAD": pad}},
                "CanaryDeployment": {"Type": "Canary10Percent5Minutes"}
            }}),
        );
        resources.insert(
            format!("Fn{i}Permission"),
            json!({"Type": "AWS::Lambda::Permission", "Properties": {
                "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": format!("Fn{i}")},
                "Principal": "s3.amazonaws.com"
            }}),
        );
    }
    json!({ "Transform": "CanaryDeployments", "Resources": Value::Object(resources) }).to_string()
}

#[test]
fn a_template_near_the_payload_limit_expands_in_bounded_time_with_limit_warnings() {
    let text = big_template(400, MAX_INPUT_BYTES - 200 * 1024);
    assert!(text.len() < MAX_INPUT_BYTES && text.len() > MAX_INPUT_BYTES - 512 * 1024, "{}", text.len());
    let output = run_stdin(&["validate", "-"], text.as_bytes());
    assert!(output.took < BOUND, "took {:?}", output.took);
    // Too big for CloudFormation, but the CLI still expands and says which limits it passes.
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    let all = format!("{}{}", output.stdout, output.stderr);
    assert!(all.contains(&format!("over CloudFormation's limit of {MAX_RESOURCES}")), "{all}");
    assert!(
        all.contains(&format!("over CloudFormation's limit of {MAX_PROCESSED_TEMPLATE_BYTES} bytes")),
        "{all}"
    );
}
