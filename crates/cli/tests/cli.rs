//! The CLI's own behaviour through `run`, with output captured: flags, formats, exit codes, stdin,
//! limits, and how diagnostics and plans are rendered.
//!
//! What the engine does to a template is tested by the engine's goldens; the cases here use templates
//! without a `CanaryDeployment` setting, or compare two runs, so they hold whatever the expansion is.
//! Re-bless with `UPDATE_EXPECT=1 cargo test -p canary-deployments --test cli`.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use canary_deployments::{render, run_with_stdin, Cli};
use canary_engine::json::Value;
use canary_engine::{Diagnostic, Expansion, FunctionPlan, MovedInvoker, Path, Severity, Stats};
use clap::Parser;
use common::{parse, run, run_stdin, Run};
use expect_test::expect;

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/quickstart.yaml");

/// A file under cargo's per-test scratch directory.
fn file(name: &str, text: &str) -> String {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-tests").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

const PLAIN: &str = "\
AWSTemplateFormatVersion: \"2010-09-09\"
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub logs-${Stage}
      Tags:
        - Key: owner
          Value: !GetAtt Team.Outputs.Name
";

#[test]
fn expand_prints_pretty_json_by_default() {
    let output = run(&["expand", &file("plain.yaml", PLAIN)]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    expect![[r#"
        {
          "AWSTemplateFormatVersion": "2010-09-09",
          "Parameters": {
            "Stage": {
              "Type": "String",
              "Default": "dev"
            }
          },
          "Resources": {
            "Bucket": {
              "Type": "AWS::S3::Bucket",
              "Properties": {
                "BucketName": {
                  "Fn::Sub": "logs-${Stage}"
                },
                "Tags": [
                  {
                    "Key": "owner",
                    "Value": {
                      "Fn::GetAtt": [
                        "Team",
                        "Outputs.Name"
                      ]
                    }
                  }
                ]
              }
            }
          }
        }
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn expand_yaml_format_uses_long_forms() {
    let output = run(&["expand", "--format", "yaml", &file("plain-yaml.yaml", PLAIN)]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    expect![[r#"
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Stage:
            Type: String
            Default: dev
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName:
                Fn::Sub: logs-${Stage}
              Tags:
                - Key: owner
                  Value:
                    Fn::GetAtt:
                      - Team
                      - Outputs.Name
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn yaml_and_json_inputs_expand_alike() {
    // The same template as YAML with short tags and as JSON (cfn-lint's reading of the YAML) expands
    // to the same output, in both formats.
    let json = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/quickstart.json");
    for format in ["json", "yaml"] {
        let from_yaml = run(&["expand", "--format", format, QUICKSTART]);
        let from_json = run(&["expand", "--format", format, json]);
        assert_eq!(from_yaml.code, from_json.code);
        assert_eq!(from_yaml.stdout, from_json.stdout, "--format {format}");
        assert_eq!(from_yaml.stderr, from_json.stderr, "--format {format}");
    }
}

#[test]
fn the_quickstart_expands_cleanly() {
    let output = run(&["expand", QUICKSTART]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    let out: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert!(out["Resources"]["OrdersFunction"].is_object());
}

const SMOKE_TEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/smoke-test.yaml");

#[test]
fn the_smoke_test_example_needs_the_hook_location_and_then_plans_its_hook() {
    let output = run(&["plan", SMOKE_TEST]);
    assert_eq!(output.code, ExitCode::from(1));
    assert!(output.stderr.contains("Resources/OrdersFunction/Metadata/CanaryDeployment/SmokeTest: OrdersFunction has a SmokeTest, but this expansion was not told where the smoke test hook's code is"), "{}", output.stderr);
    assert!(output.stderr.contains("--smoke-hook-bucket"), "{}", output.stderr);

    let output = run(&["plan", "--smoke-hook-bucket", "my-artifacts", SMOKE_TEST]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    assert!(output.stdout.contains("OrdersFunctionSmokeTest"), "{}", output.stdout);

    let output = run(&["expand", "--smoke-hook-bucket", "my-artifacts", SMOKE_TEST]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    let out: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let hook = &out["Resources"]["OrdersFunctionSmokeTest"]["Properties"];
    assert_eq!(hook["Code"]["S3Bucket"], "my-artifacts");
    assert_eq!(
        hook["Code"]["S3Key"],
        concat!("canary-deployments-", env!("CARGO_PKG_VERSION"), "-smoke-hook.zip")
    );
    let cases: serde_json::Value =
        serde_json::from_str(hook["Environment"]["Variables"]["CANARY_SMOKE_TEST"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        cases[0],
        serde_json::json!({"Event": {"httpMethod": "GET", "path": "/health"}, "Expect": {"statusCode": 200}})
    );
    let update = &out["Resources"]["OrdersFunctionAliasLive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"];
    assert_eq!(update["BeforeAllowTrafficHook"], serde_json::json!({"Ref": "OrdersFunctionSmokeTest"}));
}

#[test]
fn yaml_output_expands_like_its_input() {
    // `expand --format yaml` is a template: feeding it back gives the same JSON as the original.
    let plain = file("roundtrip.yaml", PLAIN);
    let yaml = run(&["expand", "--format", "yaml", &plain]);
    let again = run(&["expand", &file("roundtrip-out.yaml", &yaml.stdout)]);
    assert_eq!(again.stdout, run(&["expand", &plain]).stdout);
}

#[test]
fn dash_reads_standard_input() {
    let output = run_stdin(&["expand", "-"], PLAIN.as_bytes());
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    assert_eq!(output.stdout, run(&["expand", &file("stdin.yaml", PLAIN)]).stdout);

    let output = run_stdin(&["validate", "-"], b"Resources: {A: !Nope x}\n");
    assert_eq!(output.code, ExitCode::from(1));
    expect![[r#"
        canary-deployments: <stdin>:1:16: unknown tag `!Nope`; CloudFormation's short forms are !Ref, !Condition, !GetAtt, !Sub, !Join, !Select, !Split, !If, !Equals, !Not, !And, !Or, !FindInMap, !Base64, !Cidr, !GetAZs, !ImportValue, !Transform, !Length, !ToJsonString, !Contains, !EachMemberEquals, !EachMemberIn, !RefAll, !ValueOf, !ValueOfAll
    "#]]
    .assert_eq(&output.stderr);
}

#[test]
fn template_errors_exit_1_with_nothing_on_stdout() {
    let output = run(&["expand", &file("bad.yaml", "Resources:\n  A: {Type: X}\n  A: {Type: Y}\n")]);
    assert_eq!(output.code, ExitCode::from(1));
    assert_eq!(output.stdout, "");
    assert!(
        output.stderr.ends_with("bad.yaml:3:3: duplicate key `A` (first given at line 2)\n"),
        "{}",
        output.stderr
    );
    assert_eq!(output.stderr.lines().count(), 1, "printed once: {}", output.stderr);
}

#[test]
fn io_errors_exit_2() {
    let output = run(&["validate", "/nonexistent/template.yaml"]);
    assert_eq!(output.code, ExitCode::from(2));
    expect![[r#"
        canary-deployments: cannot open /nonexistent/template.yaml: No such file or directory (os error 2)
    "#]]
    .assert_eq(&output.stderr);
    assert_eq!(output.stdout, "");
}

#[test]
fn input_over_the_size_limit_is_refused_unread() {
    let limit = canary_engine::limits::MAX_INPUT_BYTES;
    // One byte over: refused before parsing (it would parse: it is a YAML comment).
    let mut big = b"Resources: {}\n#".to_vec();
    big.resize(limit + 1, b'x');
    let output = run_stdin(&["validate", "-"], &big);
    assert_eq!(output.code, ExitCode::from(1));
    expect![[r#"
        canary-deployments: <stdin> is larger than 6 MiB (6291456 bytes), the most a CloudFormation macro can be sent (Lambda's payload limit); the template is refused unread
    "#]]
    .assert_eq(&output.stderr);

    // Exactly at the limit is read.
    big.truncate(limit);
    assert_eq!(run_stdin(&["validate", "-"], &big).code, ExitCode::SUCCESS);

    // An endless input stops at the limit rather than filling memory.
    let cli = Cli::try_parse_from(["canary-deployments", "validate", "-"]).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with_stdin(cli, io::repeat(b' '), &mut out, &mut err);
    assert_eq!(code, ExitCode::from(1));
    assert!(String::from_utf8(err).unwrap().contains("is larger than 6 MiB"));
}

#[test]
fn parameters_are_key_value_pairs() {
    let cli = Cli::try_parse_from([
        "canary-deployments",
        "plan",
        "t.yaml",
        "--parameter",
        "Stage=prod",
        "-p",
        "Url=https://x?a=b",
        "--parameter=Empty=",
    ])
    .unwrap();
    let canary_deployments::Command::Plan { input } = cli.command else { panic!("not plan") };
    assert_eq!(
        input.parameters,
        [("Stage", "prod"), ("Url", "https://x?a=b"), ("Empty", "")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .to_vec()
    );
    assert_eq!((input.region.as_str(), input.account_id.as_str()), ("us-east-1", "123456789012"));
}

#[test]
fn malformed_flags_are_usage_errors_exit_2() {
    for args in [
        &["expand", "t.yaml", "--parameter", "Stage"][..],
        &["expand", "t.yaml", "--parameter", "=prod"],
        &["expand", "t.yaml", "--parameter", "Sta-ge=prod"],
        &["expand", "t.yaml", "--region", "moon"],
        &["expand", "t.yaml", "--account-id", "12345"],
        &["expand", "t.yaml", "--format", "xml"],
        &["validate", "t.yaml", "--format", "yaml"],
        &["expand"],
        &["deploy", "t.yaml"],
    ] {
        let err = parse(args).expect_err(&format!("{args:?} should be refused"));
        assert_eq!(err.exit_code(), 2, "{args:?}");
    }
    let err = Cli::try_parse_from(["canary-deployments", "expand", "t.yaml", "-p", "Stage"]).unwrap_err();
    expect![[r#"
        error: invalid value 'Stage' for '--parameter <KEY=VALUE>': `Stage` has no `=`; write KEY=VALUE, for example --parameter Stage=prod

        For more information, try '--help'.
    "#]]
    .assert_eq(&err.to_string());
}

#[test]
fn parameters_must_be_declared_and_given_once() {
    let path = file("params.yaml", PLAIN);
    let output = run(&["expand", &path, "-p", "Stgae=prod"]);
    assert_eq!(output.code, ExitCode::from(2));
    assert!(
        output.stderr.ends_with("declares no parameter `Stgae`; it declares Stage (did you mean `Stage`?)\n"),
        "{}",
        output.stderr
    );
    let output = run(&["expand", &path, "-p", "Stage=a", "-p", "Stage=b"]);
    assert_eq!(output.code, ExitCode::from(2));
    expect![[r#"
        canary-deployments: --parameter Stage is given more than once
    "#]]
    .assert_eq(&output.stderr);
    assert_eq!(run(&["expand", &path, "-p", "Stage=prod"]).code, ExitCode::SUCCESS);
}

#[test]
fn validate_and_plan_report_on_a_clean_template() {
    let path = file("clean.yaml", PLAIN);
    let output = run(&["validate", &path]);
    assert_eq!(output.code, ExitCode::SUCCESS);
    expect![[r#"
        0 errors, 0 warnings
    "#]]
    .assert_eq(&output.stdout);
    let output = run(&["plan", &path]);
    assert_eq!(output.code, ExitCode::SUCCESS);
    expect![[r#"
        No function has a CanaryDeployment setting; nothing changes.

        0 functions marked, 0 invokers moved to aliases; 0 errors, 0 warnings
    "#]]
    .assert_eq(&output.stdout);
}

/// A stdout whose reader has gone away, as with `canary-deployments expand t.yaml | head -1`.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn a_broken_pipe_exits_0_quietly() {
    let cli = Cli::try_parse_from(["canary-deployments", "expand", &file("pipe.yaml", PLAIN)]).unwrap();
    let mut stderr = Vec::new();
    assert_eq!(run_with_stdin(cli, io::empty(), &mut ClosedPipe, &mut stderr), ExitCode::SUCCESS);
    assert_eq!(String::from_utf8(stderr).unwrap(), "");
}

fn diagnostics() -> Vec<Diagnostic> {
    vec![
        Diagnostic::error(
            Path::resource("Api").key("Properties").key("CanaryDeployment").key("Tpye"),
            "unknown key `Tpye`; accepted: Type, Alias, PreTrafficHook",
        )
        .with_help("did you mean `Type`?"),
        Diagnostic::warning(
            Path::resource("Url").key("Properties").key("TargetFunctionArn"),
            "moving the function URL to the alias replaces it: the URL changes",
        ),
    ]
}

#[test]
fn validate_report_renders_every_diagnostic_and_a_count() {
    expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Tpye: unknown key `Tpye`; accepted: Type, Alias, PreTrafficHook (did you mean `Type`?)
        warning: Resources/Url/Properties/TargetFunctionArn: moving the function URL to the alias replaces it: the URL changes
        1 error, 1 warning
    "#]]
    .assert_eq(&render::report(&diagnostics()));
    let warnings: Vec<_> = diagnostics().into_iter().filter(|d| d.severity == Severity::Warning).collect();
    expect![[r#"
        0 errors, 1 warning
    "#]]
    .assert_eq(&format!("{}\n", render::summary(&warnings)));
}

#[test]
fn plan_renders_each_function() {
    let plan = vec![
        FunctionPlan {
            function: "OrdersFunction".into(),
            alias_name: "Live".into(),
            alias_logical_id: "OrdersFunctionAliasLive".into(),
            enabled: true,
            traffic: "CodeDeployDefault.LambdaCanary10Percent5Minutes".into(),
            pre_traffic_hook: Some("PreTrafficHookFunction".into()),
            post_traffic_hook: None,
            alarms: vec!["OrdersErrorsAlarm".into(), "OrdersFunctionCanaryErrorsAlarm".into()],
            moved: vec![
                MovedInvoker {
                    resource: "OrdersQueueMapping".into(),
                    path: Path::resource("OrdersQueueMapping").key("Properties").key("FunctionName"),
                    label: None,
                },
                MovedInvoker {
                    resource: "OrdersMethod".into(),
                    path: Path::resource("OrdersMethod").key("Properties").key("Integration").key("Uri"),
                    label: None,
                },
            ],
            version_logical_id: Some("OrdersFunctionVersion0123456789".into()),
            versioned_configuration: Value::Null,
        },
        FunctionPlan {
            function: "ReportsFunction".into(),
            alias_name: "live-2".into(),
            alias_logical_id: "ReportsFunctionAliaslive2".into(),
            enabled: false,
            traffic: "CanaryDeploymentsConfigLinear20PercentEvery2Minutes".into(),
            pre_traffic_hook: None,
            post_traffic_hook: Some("arn:aws:lambda:us-east-1:123456789012:function:check".into()),
            alarms: vec![],
            moved: vec![],
            version_logical_id: None,
            versioned_configuration: Value::Null,
        },
    ];
    let warnings: Vec<_> = diagnostics().into_iter().filter(|d| !d.is_error()).collect();
    expect![[r#"
        OrdersFunction: alias Live (OrdersFunctionAliasLive), deploys through CodeDeploy
          traffic:           CodeDeployDefault.LambdaCanary10Percent5Minutes
          pre-traffic hook:  PreTrafficHookFunction
          post-traffic hook: none
          alarms:            OrdersErrorsAlarm, OrdersFunctionCanaryErrorsAlarm
          moved to the alias (2):
            OrdersQueueMapping (Resources/OrdersQueueMapping/Properties/FunctionName)
            OrdersMethod (Resources/OrdersMethod/Properties/Integration/Uri)

        ReportsFunction: alias live-2 (ReportsFunctionAliaslive2), deployment disabled: the alias moves to each new version at once
          traffic:           CanaryDeploymentsConfigLinear20PercentEvery2Minutes (not used while disabled)
          pre-traffic hook:  none
          post-traffic hook: arn:aws:lambda:us-east-1:123456789012:function:check
          alarms:            none
          moved to the alias: nothing (no invoker in the template)

        warning: Resources/Url/Properties/TargetFunctionArn: moving the function URL to the alias replaces it: the URL changes

        2 functions marked, 2 invokers moved to aliases; 0 errors, 1 warning
    "#]]
    .assert_eq(&render::plan(&plan, &warnings));
}

/// `respond` on a hand-built expansion: what each command prints for errors and warnings, and where.
fn respond(args: &[&str], expansion: &Expansion) -> Run {
    let cli = parse(args).unwrap();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = canary_deployments::respond(&cli.command, expansion, &mut stdout, &mut stderr);
    Run::new(code, stdout, stderr, Duration::ZERO)
}

fn expansion(diagnostics: Vec<Diagnostic>) -> Expansion {
    Expansion {
        template: canary_engine::json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}),
        diagnostics,
        plan: vec![],
        stats: Stats::default(),
    }
}

#[test]
fn expand_with_errors_prints_every_diagnostic_to_stderr_and_nothing_to_stdout() {
    let output = respond(&["expand", "t.yaml"], &expansion(diagnostics()));
    assert_eq!(output.code, ExitCode::from(1));
    assert_eq!(output.stdout, "");
    expect![[r#"
        error: Resources/Api/Properties/CanaryDeployment/Tpye: unknown key `Tpye`; accepted: Type, Alias, PreTrafficHook (did you mean `Type`?)
        warning: Resources/Url/Properties/TargetFunctionArn: moving the function URL to the alias replaces it: the URL changes
        1 error, 1 warning
    "#]]
    .assert_eq(&output.stderr);
}

#[test]
fn expand_with_warnings_prints_the_template_and_warns_on_stderr() {
    let warnings = diagnostics().into_iter().filter(|d| !d.is_error()).collect();
    let output = respond(&["expand", "--format", "yaml", "t.yaml"], &expansion(warnings));
    assert_eq!(output.code, ExitCode::SUCCESS);
    expect![[r#"
        Resources:
          Q:
            Type: AWS::SQS::Queue
    "#]]
    .assert_eq(&output.stdout);
    expect![[r#"
        warning: Resources/Url/Properties/TargetFunctionArn: moving the function URL to the alias replaces it: the URL changes
    "#]]
    .assert_eq(&output.stderr);
}

#[test]
fn validate_prints_its_report_on_stdout_and_exits_1_on_errors() {
    let output = respond(&["validate", "t.yaml"], &expansion(diagnostics()));
    assert_eq!(output.code, ExitCode::from(1));
    assert_eq!(output.stdout, render::report(&diagnostics()));
    assert_eq!(output.stderr, "");

    let warnings: Vec<_> = diagnostics().into_iter().filter(|d| !d.is_error()).collect();
    let output = respond(&["validate", "t.yaml"], &expansion(warnings));
    assert_eq!(output.code, ExitCode::SUCCESS, "warnings alone do not fail");
    assert!(output.stdout.ends_with("0 errors, 1 warning\n"), "{}", output.stdout);
}

#[test]
fn plan_with_errors_prints_them_to_stderr_and_exits_1() {
    let output = respond(&["plan", "t.yaml"], &expansion(diagnostics()));
    assert_eq!(output.code, ExitCode::from(1));
    assert_eq!(output.stdout, "");
    assert_eq!(output.stderr, render::report(&diagnostics()));
}

// What `validate` knows because it reads the template as written, `Transform` included. The error
// cases are goldens of the engine (`golden/err`, with `"source": true`); these are the warnings, the
// quiet cases and the YAML-only ones.

const FUNCTION_PROPERTIES: &str = "    Properties:
      Role: arn:aws:iam::123456789012:role/orders
      Code: {ZipFile: \"def handler(event, context): return event\"}
      Runtime: python3.12
      Handler: index.handler
";

/// A template with `head` on top and one function marked in its `Metadata`.
fn marked(head: &str) -> String {
    format!(
        "{head}Resources:\n  Orders:\n    Type: AWS::Lambda::Function\n    Metadata:\n      CanaryDeployment: {{Type: Canary10Percent5Minutes}}\n{FUNCTION_PROPERTIES}"
    )
}

#[test]
fn validate_warns_when_no_transform_runs_the_macro() {
    for (name, head, expected) in [
        (
            "no-transform.yaml",
            "",
            expect![[r#"
                warning: (template): no Transform lists CanaryDeployments, so nothing expands the CanaryDeployment of Orders; the stack deploys with no canary and no alias (add `Transform: CanaryDeployments` at the top of the template)
                0 errors, 1 warning
            "#]],
        ),
        (
            "sam-alone.yaml",
            "Transform: AWS::Serverless-2016-10-31\n",
            expect![[r#"
                warning: Transform: no Transform lists CanaryDeployments, so nothing expands the CanaryDeployment of Orders; the stack deploys with no canary and no alias (list the macro after SAM: `Transform: [AWS::Serverless-2016-10-31, CanaryDeployments]`)
                0 errors, 1 warning
            "#]],
        ),
    ] {
        let output = run(&["validate", &file(name, &marked(head))]);
        assert_eq!(output.code, ExitCode::SUCCESS, "{name}: {}", output.stderr);
        expected.assert_eq(&output.stdout);
    }
}

const SAM_FIRST: &str = "\
Transform: [AWS::Serverless-2016-10-31, CanaryDeployments]
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Metadata:
      CanaryDeployment: {Type: Canary10Percent5Minutes}
    Properties:
      CodeUri: s3://my-artifacts-bucket/orders.zip
      Handler: index.handler
      Runtime: python3.12
";

#[test]
fn the_documented_sam_first_order_is_quiet_and_expand_explains_it() {
    let path = file("sam-first.yaml", SAM_FIRST);
    let output = run(&["validate", &path]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    assert_eq!(output.stdout, "0 errors, 0 warnings\n");
    let output = run(&["expand", &path]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    assert!(output.stderr.starts_with("note: SAM is listed before CanaryDeployments"), "{}", output.stderr);
    assert!(!output.stderr.contains("warning"), "{}", output.stderr);
}

#[test]
fn names_outside_the_template_warn_that_they_must_exist_at_deploy_time() {
    let template = format!(
        "Transform: CanaryDeployments\nResources:\n  SmokeTest:\n    Type: AWS::Lambda::Function\n{FUNCTION_PROPERTIES}  Orders:\n    Type: AWS::Lambda::Function\n    Metadata:\n      CanaryDeployment: {{Type: Sometimes, PreTrafficHook: SmokeTests2, PostTrafficHook: NoSuchHook}}\n{FUNCTION_PROPERTIES}"
    );
    let output = run(&["validate", &file("outside.yaml", &template)]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
    expect![[r#"
        warning: Resources/Orders/Metadata/CanaryDeployment/PostTrafficHook: PostTrafficHook names "NoSuchHook", which is not a function of the template, so a function of that name must exist in the account and region at deploy time (for a function outside the template, write its ARN to say so)
        warning: Resources/Orders/Metadata/CanaryDeployment/PreTrafficHook: PreTrafficHook names "SmokeTests2", which is not a function of the template, so a function of that name must exist in the account and region at deploy time (did you mean "SmokeTest"? For a function outside the template, write its ARN)
        warning: Resources/Orders/Metadata/CanaryDeployment/Type: Type "Sometimes" is neither a predefined config nor a traffic shape, so it is used as the name of a deployment config outside the template, which must exist in the account at deploy time (accepted shapes are Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880)
        0 errors, 3 warnings
    "#]]
    .assert_eq(&output.stdout);
}

const CONDITIONAL: &str = "\
Transform: CanaryDeployments
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  ErrAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties: {MetricName: Errors, Namespace: AWS/Lambda, Statistic: Sum, Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold}
  SmokeTest:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/smoke
      Code: {ZipFile: \"def handler(event, context): return event\"}
      Runtime: python3.12
      Handler: index.handler
  Orders:
    Type: AWS::Lambda::Function
    Metadata:
      CanaryDeployment:
        Type: Canary10Percent5Minutes
        Alarms: !If [IsProd, [!Ref ErrAlarm], []]
        PreTrafficHook: !If [IsProd, SmokeTest, !Ref AWS::NoValue]
    Properties:
      Role: arn:aws:iam::123456789012:role/orders
      Code: {ZipFile: \"def handler(event, context): return event\"}
      Runtime: python3.12
      Handler: index.handler
";

#[test]
fn plan_shows_conditional_alarms_and_hooks_resolved_for_the_parameters() {
    let path = file("conditional.yaml", CONDITIONAL);
    let show = |stage: &str| {
        let output = run(&["plan", &path, "--parameter", &format!("Stage={stage}")]);
        assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stderr);
        let lines: Vec<&str> = output
            .stdout
            .lines()
            .filter(|l| l.contains("pre-traffic hook") || l.contains("alarms"))
            .map(str::trim)
            .collect();
        lines.join("\n")
    };
    expect![[r#"
          pre-traffic hook:  SmokeTest
          alarms:            ErrAlarm"#]]
    .assert_eq(&show("prod"));
    expect![[r#"
          pre-traffic hook:  none
          alarms:            none"#]]
    .assert_eq(&show("dev"));
}

#[test]
fn a_json_comment_read_as_a_key_is_named() {
    let text = "{\n  \"Transform\": \"CanaryDeployments\", // the macro\n  \"Resources\": {}\n}\n";
    let output = run(&["validate", &file("commented.json", text)]);
    assert_eq!(output.code, ExitCode::from(1));
    assert!(
        output.stderr.contains("commented.json:2:") && output.stderr.contains("JSON has no comments"),
        "{}",
        output.stderr
    );
}

#[test]
fn for_each_expanded_first_by_language_extensions_is_a_warning_offline() {
    let template = marked(
        "Transform: [AWS::LanguageExtensions, CanaryDeployments]\n",
    )
    .replace(
        "Resources:\n",
        "Resources:\n  Fn::ForEach::Topics:\n    - Name\n    - [Created, Shipped]\n    - Topic${Name}: {Type: AWS::SNS::Topic}\n",
    );
    let output = run(&["validate", &file("for-each.yaml", &template)]);
    assert_eq!(output.code, ExitCode::SUCCESS, "{}", output.stdout);
    expect![[r#"
        warning: Resources/Fn::ForEach::Topics: Fn::ForEach is expanded by AWS::LanguageExtensions before this macro runs; offline, the resources it makes are neither checked nor expanded here
        0 errors, 1 warning
    "#]]
    .assert_eq(&output.stdout);
}
