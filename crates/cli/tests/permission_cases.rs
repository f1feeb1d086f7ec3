//! The reproductions of `tests/data/cases/updates/` about invokers and their permissions, read as the
//! CLI reads them: a permission moves to the alias only with the invokers it serves, an IAM grant
//! under a condition gains the alias under the same condition, and `AWS::Include` as a key of
//! `Resources` is accepted with a warning. Each expansion is linted beside its input: cfn-lint finds
//! no error and no W1001 (a reference to a resource its condition may not create) in an expansion
//! that its input did not already have.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use canary_engine::Expansion;
use canary_test_support::cfn_lint;
use common::{errors, expand_text};
use serde_json::json;

fn case_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases/updates").join(case)
}

/// The case's text, with each `(from, to)` of `edits` applied (a variant of the reproduction).
fn case_text(case: &str, edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(case_path(case)).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{case} has no {from:?} to change");
        text = text.replace(from, to);
    }
    text
}

fn warnings_at(expansion: &Expansion, path: &str) -> Vec<String> {
    expansion
        .diagnostics
        .iter()
        .filter(|d| !d.is_error() && d.path.to_string() == path)
        .map(|d| d.message.clone())
        .collect()
}

/// The expansion as JSON, which must have no error.
fn expanded(case: &str, expansion: Expansion) -> serde_json::Value {
    assert!(errors(&expansion).is_empty(), "{case}: {:?}", errors(&expansion));
    expansion.template.into()
}

#[test]
fn appsync_authorizer_permission_moves_with_the_authorizer() {
    let case = "appsync-authorizer-permission.yaml";
    let (_, expansion) = expand_text(case, &case_text(case, &[]), &[]);
    let out = expanded(case, expansion);
    let resources = &out["Resources"];
    // AppSync takes an alias ARN as its authorizer, so both move, together.
    assert_eq!(
        resources["Api"]["Properties"]["LambdaAuthorizerConfig"]["AuthorizerUri"],
        json!({"Ref": "AuthFnAliasLive"})
    );
    assert_eq!(resources["AuthPermission"]["Properties"]["FunctionName"], json!({"Ref": "AuthFnAliasLive"}));
    assert!(resources.get("AuthPermissionCanaryAliasPermissionAuthFn").is_none());
}

#[test]
fn appsync_authorizer_permission_for_an_api_outside_the_template_stays_on_the_function() {
    let case = "appsync-authorizer-permission.yaml";
    let outside = "arn:aws:appsync:us-east-1:123456789012:apis/outsideapi";
    let text = case_text(case, &[("SourceArn: !GetAtt Api.Arn", &format!("SourceArn: {outside}"))]);
    let (_, expansion) = expand_text(case, &text, &[]);
    let warnings = warnings_at(&expansion, "Resources/AuthPermission/Properties/SourceArn");
    assert!(warnings.len() == 1 && warnings[0].contains(outside), "{warnings:?}");
    let out = expanded(case, expansion);
    let resources = &out["Resources"];
    // The outside API keeps invoking the function: its permission stays, the alias gets one too.
    assert_eq!(
        resources["AuthPermission"]["Properties"]["FunctionName"],
        json!({"Fn::GetAtt": ["AuthFn", "Arn"]})
    );
    let beside = &resources["AuthPermissionCanaryAliasPermissionAuthFn"];
    assert_eq!(beside["Type"], "AWS::Lambda::Permission");
    assert_eq!(beside["Properties"]["FunctionName"], json!({"Ref": "AuthFnAliasLive"}));
    assert_eq!(beside["Properties"]["SourceArn"], json!(outside));
    assert_eq!(beside["Properties"]["Principal"], "appsync.amazonaws.com");
}

#[test]
fn appsync_authorizer_permission_whose_invoker_stays_keeps_the_function_permission() {
    // An authorizer pinned to `$LATEST` is the author's choice and stays: so does its permission.
    let case = "appsync-authorizer-permission.yaml";
    let text = case_text(
        case,
        &[("AuthorizerUri: !GetAtt AuthFn.Arn", "AuthorizerUri: !Sub \"${AuthFn.Arn}:$LATEST\"")],
    );
    let (_, expansion) = expand_text(case, &text, &[]);
    let warnings = warnings_at(&expansion, "Resources/AuthPermission/Properties/SourceArn");
    assert!(warnings.len() == 1 && warnings[0].contains("keeps invoking AuthFn itself"), "{warnings:?}");
    let out = expanded(case, expansion);
    assert_eq!(
        out["Resources"]["AuthPermission"]["Properties"]["FunctionName"],
        json!({"Fn::GetAtt": ["AuthFn", "Arn"]})
    );
    assert!(out["Resources"]["AuthPermissionCanaryAliasPermissionAuthFn"].is_object());
}

#[test]
fn conditional_grant_gains_the_alias_under_its_condition() {
    let case = "conditional-grant.yaml";
    for stage in ["dev", "prod"] {
        let (_, expansion) = expand_text(case, &case_text(case, &[]), &[("Stage", stage)]);
        let out = expanded(case, expansion);
        let resource =
            &out["Resources"]["InvokePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"];
        assert_eq!(
            resource,
            &json!([
                {"Fn::GetAtt": ["Other", "Arn"]},
                {"Fn::If": ["IsProd", {"Fn::GetAtt": ["Fn", "Arn"]}, {"Ref": "AWS::NoValue"}]},
                {"Fn::If": ["IsProd", {"Fn::Sub": "${Fn.Arn}:Live"}, {"Ref": "AWS::NoValue"}]}
            ]),
            "Stage={stage}"
        );
    }
}

#[test]
fn conditional_grant_statement_under_fn_if_is_extended_in_its_branch() {
    let case = "conditional-grant.yaml";
    let text = case_text(
        case,
        &[(
            "          - Effect: Allow\n            Action: lambda:InvokeFunction\n            Resource:\n              - !GetAtt Other.Arn\n              - !If [IsProd, !GetAtt Fn.Arn, !Ref AWS::NoValue]",
            "          - Effect: Allow\n            Action: lambda:InvokeFunction\n            Resource: !GetAtt Other.Arn\n          - !If\n            - IsProd\n            - Effect: Allow\n              Action: lambda:InvokeFunction\n              Resource: !GetAtt Fn.Arn\n            - !Ref AWS::NoValue",
        )],
    );
    let (_, expansion) = expand_text(case, &text, &[]);
    let out = expanded(case, expansion);
    let statement =
        &out["Resources"]["InvokePolicy"]["Properties"]["PolicyDocument"]["Statement"][1]["Fn::If"][1];
    assert_eq!(statement["Resource"], json!([{"Fn::GetAtt": ["Fn", "Arn"]}, {"Fn::Sub": "${Fn.Arn}:Live"}]));
}

#[test]
fn include_in_resources_is_accepted_with_a_warning() {
    let case = "include-in-resources.yaml";
    let (_, expansion) = expand_text(case, &case_text(case, &[]), &[]);
    let warnings = warnings_at(&expansion, "Resources/Fn::Transform");
    assert!(
        warnings.len() == 1
            && warnings[0].contains("s3://bucket-x/shared-alarms.yaml")
            && warnings[0].contains("not seen"),
        "{warnings:?}"
    );
    let out = expanded(case, expansion);
    // The include stays for CloudFormation to run, and the function is expanded.
    assert_eq!(out["Resources"]["Fn::Transform"]["Name"], "AWS::Include");
    assert!(out["Resources"]["FnAliasLive"].is_object());
}

/// The findings of one file that matter here: errors and W1001, as `rule: message` (lines differ
/// between an input and its expansion).
fn serious(findings: &str, file: &Path) -> Vec<String> {
    let prefix = format!("{}:", file.display());
    findings
        .lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .filter_map(|rest| {
            let fields: Vec<&str> = rest.splitn(6, ':').collect();
            let (rule, message) = (*fields.get(4)?, *fields.get(5)?);
            (rule.starts_with('E') || rule == "W1001").then(|| format!("{rule}: {message}"))
        })
        .collect()
}

/// A case, its text (perhaps a variant) and its parameter values.
type Run<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

#[test]
fn every_expansion_adds_no_cfn_lint_error_or_w1001_to_its_input() {
    let appsync = "appsync-authorizer-permission.yaml";
    let grant = "conditional-grant.yaml";
    let runs: Vec<Run<'_>> = vec![
        (appsync, case_text(appsync, &[]), vec![]),
        (
            appsync,
            case_text(
                appsync,
                &[("SourceArn: !GetAtt Api.Arn", "SourceArn: arn:aws:appsync:us-east-1:123456789012:apis/x")],
            ),
            vec![],
        ),
        (grant, case_text(grant, &[]), vec![("Stage", "dev")]),
        (grant, case_text(grant, &[]), vec![("Stage", "prod")]),
        ("include-in-resources.yaml", case_text("include-in-resources.yaml", &[]), vec![]),
    ];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("permission-cases");
    std::fs::create_dir_all(&dir).unwrap();
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    for (i, (case, text, parameters)) in runs.iter().enumerate() {
        let (mut input, expansion) = expand_text(case, text, parameters);
        let output = expanded(case, expansion);
        // The input as CloudFormation hands it on, without the macro it names: cfn-lint would
        // otherwise read the marked function's setting as an unknown property.
        input.as_object_mut().unwrap().remove("Transform");
        for (_, resource) in input["Resources"].as_object_mut().unwrap().iter_mut() {
            if let Some(properties) = resource.get_mut("Properties").and_then(|p| p.as_object_mut()) {
                properties.remove("CanaryDeployment");
            }
        }
        let name = case.trim_end_matches(".yaml");
        let (input_file, output_file) =
            (dir.join(format!("{i}-{name}-input.json")), dir.join(format!("{i}-{name}-output.json")));
        std::fs::write(&input_file, serde_json::to_string_pretty(&input).unwrap()).unwrap();
        std::fs::write(&output_file, serde_json::to_string_pretty(&output).unwrap()).unwrap();
        files.push(input_file.clone());
        files.push(output_file.clone());
        pairs.push((input_file, output_file));
    }
    // A control, as the expansion used to write the grant (the alias ARN beside the `Fn::If`,
    // unguarded): cfn-lint must report it, or this test could not fail.
    let mut control: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pairs[2].1).unwrap()).unwrap();
    control["Resources"]["InvokePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"][2] =
        json!({"Fn::Sub": "${Fn.Arn}:Live"});
    let control_file = dir.join("control-unguarded-grant.json");
    std::fs::write(&control_file, serde_json::to_string_pretty(&control).unwrap()).unwrap();
    files.push(control_file.clone());
    let Some(findings) = cfn_lint::lint(&files) else { return };
    let control_findings = serious(&findings.stdout, &control_file);
    assert!(control_findings.iter().any(|f| f.starts_with("W1001")), "{}", findings.report());
    // The bucket name `b` of the AppSync case is cfn-lint's E1161 in its input and expansion alike.
    assert!(!serious(&findings.stdout, &pairs[0].0).is_empty(), "{}", findings.report());
    assert!(findings.exit_code >= 0 && findings.exit_code & 1 == 0, "{}", findings.report());
    let mut added: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (input_file, output_file) in &pairs {
        let before = serious(&findings.stdout, input_file);
        let new: Vec<String> =
            serious(&findings.stdout, output_file).into_iter().filter(|f| !before.contains(f)).collect();
        if !new.is_empty() {
            added.insert(output_file.display().to_string(), new);
        }
    }
    assert!(added.is_empty(), "cfn-lint findings the expansion added: {added:#?}");
}
