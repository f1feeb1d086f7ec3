//! The files that deploy the macro (docs/install.md): `template.yaml` passes cfn-lint (which runs SAM's
//! transform on it first), and `samconfig.toml` lets `sam build && sam deploy` run with no flags.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use canary_test_support::cfn_lint;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn template_yaml_passes_cfn_lint() {
    cfn_lint::assert_no_errors(&[root().join("template.yaml")], "deployment template");
}

#[test]
fn template_yaml_deploys_the_macro_built_by_cargo_lambda() {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    for needle in [
        "Transform: AWS::Serverless-2016-10-31",
        "Type: AWS::CloudFormation::Macro",
        "BuildMethod: rust-cargolambda",
        "Binary: canary-lambda",
        "Runtime: provided.al2023",
        "- arm64",
        "Type: AWS::Logs::LogGroup",
        "RetentionInDays:",
        "Default: CanaryDeployments",
    ] {
        assert!(template.contains(needle), "template.yaml lacks `{needle}`");
    }
}

#[test]
fn samconfig_needs_no_flags() {
    let config = std::fs::read_to_string(root().join("samconfig.toml")).unwrap();
    for needle in
        ["stack_name", "capabilities = \"CAPABILITY_IAM\"", "resolve_s3 = true", "confirm_changeset = false"]
    {
        assert!(config.contains(needle), "samconfig.toml lacks `{needle}`");
    }
}

#[test]
fn serverless_repo_version_is_the_crate_version() {
    let template = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let versions: Vec<&str> = template
        .lines()
        .filter_map(|line| line.trim().strip_prefix("SemanticVersion:"))
        .map(str::trim)
        .collect();
    assert_eq!(
        versions,
        [env!("CARGO_PKG_VERSION")],
        "template.yaml's AWS::ServerlessRepo::Application SemanticVersion must be the crate version"
    );
}
