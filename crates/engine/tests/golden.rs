//! Golden tests: every case under `golden/ok/<case>/` and `golden/err/<case>/` is expanded and compared
//! with what was blessed. `ok` cases must expand with no error (`expected.json`, plus `diagnostics.txt`
//! for their warnings); `err` cases must report at least one error (`diagnostics.txt`, one line each).
//! A case may carry `context.json` (`{"region", "accountId", "parameterValues", "source"}`); with
//! `"source": true` the input is a template as written, `Transform` included, expanded as the CLI
//! does (`expand_source`), otherwise the fragment the macro gets (`expand`).
//!
//! Bless after an intended change with `UPDATE_EXPECT=1 cargo test -p canary-engine --test golden`,
//! then read `git diff`: a blessed file is a reviewed file.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod deploy_checks;

use std::fs;
use std::path::{Path, PathBuf};

use canary_engine::json::{Map, Value};
use canary_engine::{expand_source, CodeLocation, Context, Expansion};
use expect_test::expect_file;

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(kind);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    cases.sort();
    cases
}

fn context(case: &Path) -> Context {
    let raw: Value = fs::read_to_string(case.join("context.json"))
        .ok()
        .map(|text| serde_json::from_str(&text).expect("context.json is JSON"))
        .unwrap_or(Value::Null);
    Context {
        region: raw.get("region").and_then(Value::as_str).unwrap_or("us-east-1").to_owned(),
        account_id: raw.get("accountId").and_then(Value::as_str).unwrap_or("123456789012").to_owned(),
        parameter_values: raw
            .get("parameterValues")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(Map::new),
        // The install's artifact location, unless a case says there is none (`"smokeHookCode": null`).
        smoke_hook_code: match raw.get("smokeHookCode") {
            Some(Value::Null) => None,
            _ => Some(CodeLocation {
                bucket: "canary-artifacts-us-east-1".to_owned(),
                key: "canary-deployments-0.1.0-smoke-hook.zip".to_owned(),
            }),
        },
    }
}

/// Expands the case as the macro does, or as the CLI does when its context says `"source": true`.
fn expand(template: Value, case: &Path) -> Expansion {
    let ctx = context(case);
    let source = fs::read_to_string(case.join("context.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|raw| raw.get("source").and_then(Value::as_bool))
        .unwrap_or(false);
    if source {
        expand_source(template, &ctx)
    } else {
        canary_engine::expand(template, &ctx)
    }
}

fn input(case: &Path) -> Value {
    let text =
        fs::read_to_string(case.join("input.json")).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: input.json: {e}", case.display()))
}

fn rendered_diagnostics(diagnostics: &[canary_engine::Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

/// Runs `check` on every case, so one failure does not hide the others, then names every failing case.
fn run_all(kind: &str, check: impl Fn(&Path) + std::panic::RefUnwindSafe) {
    let cases = cases(kind);
    assert!(!cases.is_empty(), "no golden cases under golden/{kind}");
    let failed: Vec<String> = cases
        .iter()
        .filter(|case| std::panic::catch_unwind(|| check(case)).is_err())
        .map(|case| case.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(failed.is_empty(), "golden/{kind} cases failed: {}", failed.join(", "));
}

#[test]
fn ok_cases_expand_as_blessed() {
    run_all("ok", |case| {
        let expansion = expand(input(case), case);
        let diagnostics = rendered_diagnostics(&expansion.diagnostics);
        assert!(!expansion.has_errors(), "{}: unexpected errors:\n{diagnostics}", case.display());
        let mut json = serde_json::to_string_pretty(&expansion.template).unwrap();
        json.push('\n');
        expect_file![case.join("expected.json")].assert_eq(&json);
        expect_file![case.join("diagnostics.txt")].assert_eq(&diagnostics);
    });
}

#[test]
fn err_cases_report_as_blessed() {
    run_all("err", |case| {
        let expansion = expand(input(case), case);
        assert!(expansion.has_errors(), "{}: expected an error, the template expanded", case.display());
        expect_file![case.join("diagnostics.txt")].assert_eq(&rendered_diagnostics(&expansion.diagnostics));
    });
}

/// What CloudFormation and IAM check when the stack deploys, whichever way its conditions go: no
/// empty IAM statement or policy, no reference to a resource that is not created, no cycle.
#[test]
fn ok_cases_deploy_under_every_assignment_of_their_conditions() {
    run_all("ok", |case| {
        let expansion = expand(input(case), case);
        let (problems, assignments) = deploy_checks::deploy_problems(&expansion.template);
        assert!(assignments > 0, "{}: conditions not enumerated", case.display());
        assert!(problems.is_empty(), "{}:\n{}", case.display(), problems.join("\n"));
        let cycle = deploy_checks::cycle(&expansion.template);
        assert!(cycle.is_none(), "{}: dependency cycle among {cycle:?}", case.display());
    });
}

#[test]
fn ok_cases_are_deterministic_and_idempotent() {
    run_all("ok", |case| {
        let first = expand(input(case), case);
        let second = expand(input(case), case);
        let first_json = serde_json::to_string(&first.template).unwrap();
        assert_eq!(first_json, serde_json::to_string(&second.template).unwrap(), "{}", case.display());
        // The consumed settings are gone, so expanding the output again changes nothing.
        let again = expand(first.template.clone(), case);
        assert_eq!(
            first_json,
            serde_json::to_string(&again.template).unwrap(),
            "{}: not idempotent",
            case.display()
        );
    });
}

/// The deploy-time checks can fail: on the shapes earlier expansions produced.
#[test]
fn deploy_checks_find_empty_statements_dangling_references_and_cycles() {
    use canary_engine::json;
    // A shared role whose only grant is `Fn::If`-ed away when its function's condition is false.
    let emptied = json!({
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "P"}, "x"]}},
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic", "Condition": "On"},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": "sns:Publish",
                    "Resource": [{"Fn::If": ["On", {"Ref": "Topic"}, {"Ref": "AWS::NoValue"}]}]}]}}]}},
        },
    });
    let (problems, n) = deploy_checks::deploy_problems(&emptied);
    assert_eq!(n, 2);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("no resource when []"), "{problems:?}");
    // An unconditional alias naming a hook that exists only under a condition.
    let dangling = json!({
        "Conditions": {"Test": {"Fn::Equals": [{"Ref": "P"}, "x"]}, "NotTest": {"Fn::Not": [{"Condition": "Test"}]}},
        "Resources": {
            "Hook": {"Type": "AWS::Lambda::Function", "Condition": "Test"},
            "Alias": {"Type": "AWS::Lambda::Alias", "UpdatePolicy": {"CodeDeployLambdaAliasUpdate": {
                "BeforeAllowTrafficHook": {"Ref": "Hook"}}}},
        },
    });
    let (problems, n) = deploy_checks::deploy_problems(&dangling);
    assert_eq!(n, 2, "NotTest follows from Test");
    assert_eq!(problems, ["Alias refers to Hook, which is not created when [\"NotTest\"] hold"]);
    // The shared role naming a topic that subscribes a deployed function's alias.
    let cyclic = json!({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Endpoint": {"Ref": "Alias"}}]}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"P": {"Fn::Sub": "${Topic}"}}},
        "Group": {"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": {"ServiceRoleArn": {"Fn::GetAtt": "Role.Arn"}}},
        "Alias": {"Type": "AWS::Lambda::Alias", "DependsOn": "Group"},
        "Apart": {"Type": "AWS::SNS::Topic"},
    }});
    let mut cycle = deploy_checks::cycle(&cyclic).expect("a cycle");
    cycle.sort();
    assert_eq!(cycle, ["Alias", "Group", "Role", "Topic"]);
}
