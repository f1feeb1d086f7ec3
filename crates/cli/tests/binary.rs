//! The built `canary-deployments` binary: real stdin, real exit codes, clap's own exits, and `--help`.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_canary-deployments"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A process that exits before reading all of stdin closes the pipe; that is not a test failure.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn stdin_template_expands_with_exit_0() {
    let out = bin(
        &["expand", "-"],
        b"Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref AWS::StackName}}\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        value["Resources"]["Q"]["Properties"]["QueueName"],
        serde_json::json!({"Ref": "AWS::StackName"})
    );
}

#[test]
fn malformed_stdin_exits_1_naming_the_line() {
    let out = bin(&["validate", "-"], b"Resources:\n  Q:\n    Type: [a\n  R: 1\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(text(&out.stderr), "canary-deployments: <stdin>:4:4: did not find expected ',' or ']' (while parsing a flow sequence from line 3, column 11)\n");
}

#[test]
fn usage_errors_exit_2() {
    for args in [&["expand", "-", "--parameter", "NoEquals"][..], &["frobnicate"], &[]] {
        let out = bin(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "");
    }
    let out = bin(&["plan", "/no/such/file.yaml"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("canary-deployments: cannot open /no/such/file.yaml: "));
}

#[test]
fn help_states_the_defaults_and_exits_0() {
    let out = bin(&["expand", "--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for needle in [
        "[default: us-east-1]",
        "[default: 123456789012]",
        "--parameter <KEY=VALUE>",
        "[default: json]",
        "`-`",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn closing_stdout_early_is_not_an_error() {
    // `expand … | head -c 1`: the reader leaves after one byte, the writer gets EPIPE and exits 0.
    let template = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/quickstart.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_canary-deployments"))
        .args(["expand", "--format", "yaml", template])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Warnings about the template may appear; a complaint about the pipe may not.
    assert!(!text(&out.stderr).contains("canary-deployments:"), "{}", text(&out.stderr));
}

#[test]
fn version_prints_the_workspace_version_and_exits_0() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml")).unwrap();
    let version =
        manifest.lines().find_map(|line| line.strip_prefix("version = ")).unwrap().trim_matches('"');
    for flag in ["--version", "-V"] {
        let out = bin(&[flag], b"");
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), format!("canary-deployments {version}\n"), "{flag}");
    }
}
