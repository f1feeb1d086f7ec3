//! The Serverless Framework (`serverless@3` from npm, `tests/node/package.json`) packages a service
//! offline, with placeholder credentials, and the macro expands the template it wrote, as
//! CloudFormation would on deploy: the Framework's own `<Name>LambdaVersion<hash>` is adopted without
//! a warning, each marked function gets its canary, every event source moves to the alias, and the
//! result passes cfn-lint. Skips without node or the installed tools (`scripts/node-tools.sh`).

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use canary_system_tests::{
    diagnostics, expand, ids_of_type, lint, node_package_version, node_tools, repo_root, run_to_template,
    scratch, version_of,
};
use serde_json::{json, Value};

const FRAMEWORK: &str = "serverless";

/// A copy of `tests/serverless/` in a scratch directory named `name`, with `edit` applied to its
/// `serverless.yml` and `bootstrap` texts.
fn service(name: &str, edit: impl Fn(&str, String) -> String) -> PathBuf {
    let dir = scratch(name);
    for file in ["serverless.yml", "bootstrap"] {
        let text = std::fs::read_to_string(repo_root().join("tests/serverless").join(file)).unwrap();
        std::fs::write(dir.join(file), edit(file, text)).unwrap();
    }
    dir
}

/// `serverless package` in `dir`, offline: the credentials are placeholders, which packaging never
/// sends. Returns the template the Framework deploys (`cloudformation-template-update-stack.json`).
fn package(tools: &Path, dir: &Path) -> Value {
    run_to_template(
        Command::new("node")
            .arg(tools.join("node_modules/serverless/bin/serverless.js"))
            .arg("package")
            .current_dir(dir)
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "placeholder-not-a-secret")
            .env_remove("AWS_PROFILE")
            .env("SLS_TELEMETRY_DISABLED", "1")
            .env("SLS_NOTIFICATIONS_MODE", "off")
            .env("SLS_DEPRECATION_DISABLE", "*"),
        &format!("serverless package in {}", dir.display()),
        &dir.join(".serverless/cloudformation-template-update-stack.json"),
    )
}

#[test]
fn a_service_packaged_by_the_framework_gets_its_canaries_with_the_macros_version_rule() {
    let Some(tools) = node_tools(FRAMEWORK) else { return };
    eprintln!("serverless {}", node_package_version(&tools, FRAMEWORK));
    let packaged = package(&tools, &service("sls-small", |_, text| text));
    assert_eq!(
        packaged["Transform"],
        json!(["CanaryDeployments"]),
        "resources.Transform reaches the template"
    );
    let hello_version = version_of(&packaged, "HelloLambdaFunction").to_owned();
    let worker_version = version_of(&packaged, "WorkerLambdaFunction").to_owned();
    assert!(hello_version.starts_with("HelloLambdaVersion"), "{hello_version}");

    let expansion = expand(packaged.clone());
    assert_eq!(diagnostics(&expansion), Vec::<String>::new(), "the Framework's service expands silently");
    let out: Value = expansion.template.into();
    let resources = &out["Resources"];

    // One version rule in every order: the Framework's version, named by its hash of the template as
    // written, is replaced by the macro's, named by what Lambda stores as this deploy resolves it, and
    // the alias follows. The Framework's stays published: it is written with `DeletionPolicy: Retain`.
    for (function, framework_version, alias) in [
        ("HelloLambdaFunction", &hello_version, "HelloLambdaFunctionAliaslive"),
        ("WorkerLambdaFunction", &worker_version, "WorkerLambdaFunctionAliasLive"),
    ] {
        assert_eq!(
            packaged["Resources"][framework_version]["DeletionPolicy"], "Retain",
            "{framework_version}"
        );
        assert!(resources.get(framework_version).is_none(), "{framework_version} is replaced");
        let version = version_of(&out, function);
        assert!(version.starts_with(&format!("{function}Version")), "{version}");
        assert_eq!(resources[alias]["Type"], "AWS::Lambda::Alias", "{alias}");
        assert_eq!(
            resources[alias]["Properties"]["FunctionVersion"],
            json!({"Fn::GetAtt": [version, "Version"]})
        );
        assert_eq!(
            resources[alias]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"],
            json!({"Ref": format!("{function}DeploymentGroup")})
        );
        assert_eq!(
            resources[format!("{function}DeploymentGroup")]["Type"],
            "AWS::CodeDeploy::DeploymentGroup"
        );
    }
    assert_eq!(
        resources["HelloLambdaFunctionDeploymentGroup"]["Properties"]["AlarmConfiguration"]["Alarms"],
        json!([{"Name": {"Ref": "HelloErrors"}}])
    );
    assert_eq!(
        resources["HelloLambdaFunctionAliaslive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
            ["BeforeAllowTrafficHook"],
        json!({"Ref": "PreTrafficLambdaFunction"})
    );

    // The event sources the Framework wrote invoke the alias: API Gateway's permission and
    // integration, the SQS mapping. The unmarked function keeps its schedule on itself.
    assert_eq!(
        resources["HelloLambdaPermissionApiGateway"]["Properties"]["FunctionName"],
        json!({"Ref": "HelloLambdaFunctionAliaslive"})
    );
    let uri = resources["ApiGatewayMethodHelloGet"]["Properties"]["Integration"]["Uri"].to_string();
    assert!(
        uri.contains("HelloLambdaFunctionAliaslive") && !uri.contains("\"HelloLambdaFunction\""),
        "{uri}"
    );
    assert_eq!(
        resources["WorkerEventSourceMappingSQSQueue"]["Properties"]["FunctionName"],
        json!({"Ref": "WorkerLambdaFunctionAliasLive"})
    );
    assert_eq!(
        out["Resources"]["NightlyEventsRuleSchedule1"]["Properties"]["Targets"],
        packaged["Resources"]["NightlyEventsRuleSchedule1"]["Properties"]["Targets"]
    );
    assert!(resources.get("NightlyLambdaFunctionAliasLive").is_none());
    lint("sls-small", &out);

    // The version follows every change Lambda versions: the code, and the configuration.
    let hello_version = version_of(&out, "HelloLambdaFunction").to_owned();
    let changed = |name: &str, file: &'static str, from: &'static str, to: &'static str| {
        let dir = service(name, move |f, text| if f == file { text.replace(from, to) } else { text });
        let tools = tools.clone();
        std::thread::spawn(move || {
            let out: Value = expand(package(&tools, &dir)).template.into();
            version_of(&out, "HelloLambdaFunction").to_owned()
        })
    };
    let code = changed("sls-version-code", "bootstrap", "echo hello", "echo hello again");
    let memory = changed("sls-version-memory", "serverless.yml", "memorySize: 256", "memorySize: 512");
    let (code, memory) = (code.join().unwrap(), memory.join().unwrap());
    assert_ne!(hello_version, code, "a change of code gives a new version ID");
    assert_ne!(hello_version, memory, "a change of configuration gives a new version ID");
    assert_ne!(code, memory);
}

#[test]
fn fifty_functions_packaged_by_the_framework_expand_without_a_warning() {
    let Some(tools) = node_tools(FRAMEWORK) else { return };
    let dir = scratch("sls-fifty");
    let mut yml = String::from(
        "service: canary-fifty\nframeworkVersion: '3'\nprovider:\n  name: aws\n  runtime: provided.al2023\n  \
         region: eu-west-1\nfunctions:\n",
    );
    let mut extensions = String::new();
    for n in 0..50 {
        yml.push_str(&format!("  f{n}:\n    handler: bootstrap\n    environment:\n      INDEX: '{n}'\n"));
        yml.push_str(&format!("    events:\n      - http:\n          path: f{n}\n          method: get\n"));
        extensions.push_str(&format!(
            "    F{n}LambdaFunction:\n      Metadata:\n        CanaryDeployment:\n          Type: Canary10Percent5Minutes\n"
        ));
    }
    yml.push_str("resources:\n  Transform: [CanaryDeployments]\n  extensions:\n");
    yml.push_str(&extensions);
    std::fs::write(dir.join("serverless.yml"), yml).unwrap();
    std::fs::write(dir.join("bootstrap"), "#!/bin/sh\n").unwrap();

    let packaged = package(&tools, &dir);
    assert_eq!(ids_of_type(&packaged, "AWS::Lambda::Version").len(), 50);
    let expansion = expand(packaged);
    assert_eq!(diagnostics(&expansion), Vec::<String>::new(), "no warning on the Framework's versions");
    let out: Value = expansion.template.into();
    assert_eq!(ids_of_type(&out, "AWS::Lambda::Alias").len(), 50);
    assert_eq!(ids_of_type(&out, "AWS::CodeDeploy::DeploymentGroup").len(), 50);
    assert_eq!(
        ids_of_type(&out, "AWS::Lambda::Version").len(),
        50,
        "one version per function: the macro's replaces the Framework's"
    );
    for n in 0..50 {
        assert_eq!(
            out["Resources"][format!("F{n}LambdaPermissionApiGateway")]["Properties"]["FunctionName"],
            json!({"Ref": format!("F{n}LambdaFunctionAliasLive")})
        );
    }
    lint("sls-fifty", &out);
}
