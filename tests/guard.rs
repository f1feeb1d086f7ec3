//! `deploy/guard/canary-deployments.guard` under the real `cfn-guard` (crates.io): a template passes
//! only when each Lambda function, raw or SAM, carries a `CanaryDeployment` setting or opts out in
//! its own `Metadata`, and the template lists the transform. Skips without `cfn-guard`
//! (scripts/test.sh installs its pinned version with `cargo install` when it is missing).

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use canary_system_tests::{repo_root, require_program, scratch};

const INSTALL: &str = "`cargo install cfn-guard --locked` installs it (scripts/test.sh pins the version)";
const REQUIRED: &str = "CANARY_DEPLOYMENT_REQUIRED";
const TRANSFORM: &str = "CANARY_DEPLOYMENTS_TRANSFORM";

/// The rules `cfn-guard validate` reports failed for `data`, with its whole output for a message.
fn failed_rules(data: &Path) -> (BTreeSet<String>, String) {
    let rules = repo_root().join("deploy/guard/canary-deployments.guard");
    let out = Command::new("cfn-guard")
        .args(["validate", "--show-summary", "fail", "--output-format", "single-line-summary", "--rules"])
        .arg(&rules)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cfn-guard: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // cfn-guard exits 0 when every rule passes or is skipped, 19 when one fails, 5 on its own errors.
    let failed: BTreeSet<String> = text
        .lines()
        .filter_map(|line| line.strip_prefix("canary-deployments.guard/"))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    match out.status.code() {
        Some(0) => assert!(failed.is_empty(), "{text}"),
        Some(19) => assert!(!failed.is_empty(), "{text}"),
        code => panic!("cfn-guard exit {code:?} on {}:\n{text}", data.display()),
    }
    (failed, text)
}

/// Each `(name, template, rules expected to fail)`, written and validated one file at a time.
fn check(cases: &[(&str, &str, &[&str])]) {
    let dir = scratch(&format!("guard-{}", cases[0].0));
    for (name, template, expected) in cases {
        let file = dir.join(format!("{name}.yaml"));
        std::fs::write(&file, template).unwrap();
        let (failed, text) = failed_rules(&file);
        let expected: BTreeSet<String> = expected.iter().map(|r| (*r).to_owned()).collect();
        assert_eq!(failed, expected, "{name}:\n{template}\ncfn-guard said:\n{text}");
    }
}

#[test]
fn templates_whose_every_function_has_a_canary_or_opts_out_pass() {
    if !require_program("cfn-guard", INSTALL) {
        return;
    }
    check(&[
        (
            "raw-metadata-and-properties",
            "Transform: CanaryDeployments\nResources:\n  A:\n    Type: AWS::Lambda::Function\n    Metadata:\n      \
             CanaryDeployment: {Type: Canary10Percent5Minutes}\n  B:\n    Type: AWS::Lambda::Function\n    \
             Properties:\n      CanaryDeployment: {}\n  Queue:\n    Type: AWS::SQS::Queue\n",
            &[],
        ),
        (
            "sam-both-transforms",
            "Transform: [CanaryDeployments, AWS::Serverless-2016-10-31]\nResources:\n  Api:\n    \
             Type: AWS::Serverless::Function\n    Metadata:\n      CanaryDeployment: {Type: AllAtOnce}\n",
            &[],
        ),
        (
            "hook-opts-out",
            "Transform: [AWS::Serverless-2016-10-31, CanaryDeployments]\nResources:\n  Api:\n    \
             Type: AWS::Serverless::Function\n    Metadata:\n      CanaryDeployment: {Type: AllAtOnce, \
             PreTrafficHook: Hook}\n  Hook:\n    Type: AWS::Lambda::Function\n    Metadata:\n      guard:\n        \
             SuppressedRules: [CANARY_DEPLOYMENT_REQUIRED]\n",
            &[],
        ),
        ("no-function-needs-no-transform", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", &[]),
        (
            "every-function-opted-out",
            "Resources:\n  Tool:\n    Type: AWS::Lambda::Function\n    Metadata:\n      guard:\n        \
             SuppressedRules: [CANARY_DEPLOYMENT_REQUIRED]\n",
            &[],
        ),
    ]);
}

#[test]
fn a_function_without_a_canary_or_a_template_without_the_transform_fails() {
    if !require_program("cfn-guard", INSTALL) {
        return;
    }
    check(&[
        (
            "sam-function-without-setting",
            "Transform: [CanaryDeployments, AWS::Serverless-2016-10-31]\nResources:\n  A:\n    \
             Type: AWS::Serverless::Function\n    Metadata:\n      CanaryDeployment: {Type: AllAtOnce}\n  B:\n    \
             Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n",
            &[REQUIRED],
        ),
        (
            "setting-without-transform",
            "Resources:\n  A:\n    Type: AWS::Lambda::Function\n    Metadata:\n      CanaryDeployment: {Type: AllAtOnce}\n",
            &[TRANSFORM],
        ),
        (
            "only-sam-listed",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  A:\n    Type: AWS::Serverless::Function\n    \
             Properties:\n      CanaryDeployment: {Type: AllAtOnce}\n",
            &[TRANSFORM],
        ),
        (
            "both-missing",
            "Resources:\n  A:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: index.handler\n",
            &[REQUIRED, TRANSFORM],
        ),
        (
            "another-rule-suppressed-is-no-opt-out",
            "Transform: CanaryDeployments\nResources:\n  A:\n    Type: AWS::Lambda::Function\n    Metadata:\n      \
             guard:\n        SuppressedRules: [LAMBDA_INSIDE_VPC]\n",
            &[REQUIRED],
        ),
    ]);
}

/// The quickstart's pre-traffic hook is a function without a canary, as a hook must be: the rule
/// refuses it until the hook opts out, and then passes the whole example.
#[test]
fn the_quickstart_passes_once_its_hook_opts_out() {
    if !require_program("cfn-guard", INSTALL) {
        return;
    }
    let quickstart = std::fs::read_to_string(repo_root().join("examples/quickstart.yaml")).unwrap();
    let hook = "  PreTrafficHookFunction:\n    Type: AWS::Lambda::Function\n";
    assert!(quickstart.contains(hook), "the quickstart's hook is no longer {hook:?}");
    let opted_out = quickstart.replace(
        hook,
        &format!(
            "{hook}    Metadata:\n      guard:\n        SuppressedRules: [CANARY_DEPLOYMENT_REQUIRED]\n"
        ),
    );
    check(&[("quickstart", &quickstart, &[REQUIRED]), ("quickstart-hook-opted-out", &opted_out, &[])]);
}
