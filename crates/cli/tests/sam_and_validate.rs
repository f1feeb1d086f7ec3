//! `validate`, `plan` and `expand` on SAM templates and the checks a new user meets first: SAM run
//! first with `--sam-translator` (with the real aws-sam-translator; skipped without it unless
//! `RUN_SLOW_TESTS=1`), references to the names SAM generates, parameter values outside their
//! constraints, and suggestions for a hook named by part of a function's logical ID.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use canary_test_support::{require_tool, SAM_TRANSLATOR};
use common::run;

fn file(name: &str, text: &str) -> String {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sam-and-validate").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

const SAM_FIRST: &str = "\
Transform: [AWS::Serverless-2016-10-31, CanaryDeployments]
Globals:
  Function: {Runtime: python3.12, Handler: index.handler, CodeUri: s3://canary-artifacts/app.zip}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      CanaryDeployment: {Type: Canary10Percent5Minutes}
    Properties:
      Environment:
        Variables:
          ROLE: !GetAtt FnRole.Arn
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get}}
  Producer:
    Type: AWS::Serverless::Function
    Properties:
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess: {Type: Lambda, Destination: !GetAtt Fn.Arn}
";

#[test]
fn sam_translator_runs_sam_first_and_says_so() {
    if !require_tool(&SAM_TRANSLATOR) {
        return;
    }
    let template = file("sam-first.yaml", SAM_FIRST);
    let output = run(&["plan", "--sam-translator", &template]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    assert!(output.stderr.contains("note: ran aws-sam-translator"), "{}", output.stderr);
    // What SAM generated, moved by the macro: the implicit API's integration and the destination.
    for moved in
        ["ServerlessRestApi (Resources/ServerlessRestApi/Properties/Body", "ProducerEventInvokeConfig ("]
    {
        assert!(output.stdout.contains(moved), "{moved} not in:\n{}", output.stdout);
    }
    let expanded = run(&["expand", "--sam-translator", &template]);
    assert_eq!(expanded.code, ExitCode::SUCCESS, "{}", expanded.stderr);
    assert!(expanded.stdout.contains("\"FnDeploymentGroup\""), "SAM-first, the macro writes the group");
    assert!(!expanded.stdout.contains("DeploymentPreference"), "nothing is left for SAM");
    // Without the flag, the template is expanded as written and the note says how to run SAM first.
    let plain = run(&["expand", &template]);
    assert!(plain.stderr.contains("--sam-translator"), "{}", plain.stderr);
    assert!(plain.stdout.contains("DeploymentPreference"));
    // A template in which SAM runs after the macro has nothing to run first.
    let us_first = file("us-first.yaml", &SAM_FIRST.replace(
        "[AWS::Serverless-2016-10-31, CanaryDeployments]",
        "[CanaryDeployments, AWS::Serverless-2016-10-31]",
    ).replace("    Metadata:\n      CanaryDeployment: {Type: Canary10Percent5Minutes}\n", "").replace(
        "    Properties:\n      Environment:",
        "    Properties:\n      CanaryDeployment: {Type: Canary10Percent5Minutes}\n      Environment:",
    ));
    let output = run(&["validate", "--sam-translator", &us_first]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}\n{}", output.stdout, output.stderr);
    assert!(output.stderr.contains("aws-sam-translator was not run first"), "{}", output.stderr);
}

#[test]
fn sam_translator_refusal_is_a_template_error() {
    if !require_tool(&SAM_TRANSLATOR) {
        return;
    }
    let broken =
        SAM_FIRST.replace("Get: {Type: Api, Properties: {Path: /, Method: get}}", "Get: {Type: Api}");
    let output = run(&["validate", "--sam-translator", &file("sam-refuses.yaml", &broken)]);
    assert_eq!(output.code, ExitCode::from(1), "{}", output.stderr);
    assert!(output.stderr.contains("SAM refuses the template"), "{}", output.stderr);
}

#[test]
fn references_to_names_sam_generates_resolve_and_others_dangle() {
    let text = format!(
        "{SAM_FIRST}Outputs:\n  Http: {{Value: !Ref ServerlessHttpApi}}\n  Stage: {{Value: !Ref ServerlessRestApiProdStage}}\n"
    )
    .replace("Get: {Type: Api, Properties: {Path: /, Method: get}}", "Get: {Type: Api, Properties: {Path: /, Method: get}}\n        Queue: {Type: SQS, Properties: {Queue: !GetAtt Jobz.Arn}}");
    for order in
        ["[AWS::Serverless-2016-10-31, CanaryDeployments]", "[CanaryDeployments, AWS::Serverless-2016-10-31]"]
    {
        let template = text.replace("[AWS::Serverless-2016-10-31, CanaryDeployments]", order);
        let template = if order.starts_with("[Canary") {
            template.replace("    Metadata:\n      CanaryDeployment:", "    Properties2:\n      CanaryDeployment:")
                .replace("    Properties2:\n      CanaryDeployment: {Type: Canary10Percent5Minutes}\n    Properties:\n", "    Properties:\n      CanaryDeployment: {Type: Canary10Percent5Minutes}\n")
        } else {
            template
        };
        let output = run(&["validate", &file("sam-names.yaml", &template)]);
        assert_eq!(output.code, ExitCode::from(1), "{order}: {}", output.stdout);
        let errors: Vec<&str> = output.stdout.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 2, "{order}: {errors:#?}");
        assert!(
            errors[0].contains("Outputs/Http/Value/Ref: Ref names \"ServerlessHttpApi\""),
            "{order}: {}",
            errors[0]
        );
        assert!(
            errors[1].contains("Resources/Fn/Properties/Events/Queue/Properties/Queue/Fn::GetAtt")
                && errors[1].contains("did you mean \"Jobs\"?")
                || errors[1].contains("\"Jobz\""),
            "{order}: {}",
            errors[1]
        );
    }
}

const RAW: &str = "\
Transform: CanaryDeployments
Parameters:
  Stage: {Type: String, AllowedValues: [dev, prod], Default: dev}
  Size: {Type: Number, MinValue: 1, MaxValue: 10, Default: 1}
  Team: {Type: String, AllowedPattern: '[a-z][a-z-]*', Default: core}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: \"2012-10-17\"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
  Fn:
    Type: AWS::Lambda::Function
    Metadata:
      CanaryDeployment: {Type: Canary10Percent5Minutes, PreTrafficHook: PreTrafficHook}
    Properties:
      Role: !GetAtt Role.Arn
      Code: {ZipFile: \"def handler(e, c): return e\"}
      Runtime: python3.12
      Handler: index.handler
  PreTrafficHookFunction:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Code: {ZipFile: \"def handler(e, c): return e\"}
      Runtime: python3.12
      Handler: index.handler
";

#[test]
fn parameter_values_outside_their_constraints_are_errors() {
    let template = file("raw.yaml", RAW);
    let ok = run(&[
        "validate",
        "--parameter",
        "Stage=prod",
        "--parameter",
        "Size=10",
        "--parameter",
        "Team=pay-ments",
        &template,
    ]);
    assert_eq!(ok.code, ExitCode::SUCCESS, "{}", ok.stdout);
    let output = run(&[
        "validate",
        "--parameter",
        "Stage=qa",
        "--parameter",
        "Size=11",
        "--parameter",
        "Team=Payments",
        &template,
    ]);
    assert!(
        output.stdout.contains(
            "error: Parameters/Team: the value \"Payments\" given for parameter Team does not match its AllowedPattern \"[a-z][a-z-]*\""
        ),
        "{}",
        output.stdout
    );
    assert_eq!(output.code, ExitCode::from(1), "{}", output.stdout);
    assert!(output.stdout.contains(
        "error: Parameters/Stage: the value \"qa\" given for parameter Stage is not one of its AllowedValues (dev, prod)"
    ), "{}", output.stdout);
    assert!(
        output.stdout.contains(
            "error: Parameters/Size: the value \"11\" given for parameter Size is over its MaxValue of 10"
        ),
        "{}",
        output.stdout
    );
    for command in ["plan", "expand"] {
        let output = run(&[command, "--parameter", "Stage=qa", &template]);
        assert_eq!(output.code, ExitCode::from(1), "{command}");
        assert!(output.stdout.is_empty(), "{command} describes nothing that would not deploy");
    }
}

#[test]
fn a_hook_named_by_part_of_a_function_id_gets_a_suggestion() {
    let output = run(&["validate", &file("hook.yaml", RAW)]);
    assert_eq!(output.code, ExitCode::SUCCESS, "a plain name may be a function elsewhere: {}", output.stdout);
    assert!(
        output.stdout.contains("warning: Resources/Fn/Metadata/CanaryDeployment/PreTrafficHook"),
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("did you mean \"PreTrafficHookFunction\"?"), "{}", output.stdout);
    // A reference to a resource that does not exist is what CloudFormation refuses: an error.
    let dangling = RAW.replace("PreTrafficHook: PreTrafficHook}", "PreTrafficHook: !Ref PreTrafficHook}");
    let output = run(&["validate", &file("hook-ref.yaml", &dangling)]);
    assert_eq!(output.code, ExitCode::from(1), "{}", output.stdout);
}

#[test]
fn a_sam_template_without_the_sam_transform_is_an_error_everywhere() {
    let template = file(
        "no-sam.yaml",
        "Transform: CanaryDeployments\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Metadata:\n      CanaryDeployment: {Type: Canary10Percent5Minutes}\n    Properties: {CodeUri: s3://b/k.zip, Handler: index.handler, Runtime: python3.12}\n",
    );
    for command in ["validate", "plan", "expand"] {
        let output = run(&[command, &template]);
        assert_eq!(output.code, ExitCode::from(1), "{command}: {}{}", output.stdout, output.stderr);
        let shown = format!("{}{}", output.stdout, output.stderr);
        assert!(
            shown.contains("error: Resources/Fn/Type: AWS::Serverless::Function is a SAM resource type"),
            "{command}: {shown}"
        );
        assert!(!output.stdout.contains("FnAliasLive"), "{command} describes no deploy: {}", output.stdout);
    }
}
