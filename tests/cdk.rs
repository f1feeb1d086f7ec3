//! AWS CDK (`aws-cdk-lib` from npm, `tests/node/package.json`) synthesises `tests/cdk/app.js` with
//! `app.synth()` in node, without an account, and the macro expands the template CDK wrote: canary
//! resources for the functions marked with `addMetadata`, the API's and the queue's invokers on the
//! alias, CDK's own `currentVersion` adopted, and the result passes cfn-lint. Skips without node or
//! the installed tools (`scripts/node-tools.sh`).

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use canary_system_tests::{
    diagnostics, expand, ids_of_type, lint, node_package_version, node_tools, repo_root, run_to_template,
    scratch, version_of,
};
use serde_json::{json, Value};

const CDK: &str = "aws-cdk-lib";

/// The template `tests/cdk/app.js` synthesises; `current_version` adds the function whose alias
/// uses CDK's `currentVersion`.
fn synth(tools: &Path, name: &str, current_version: bool) -> Value {
    let out = scratch(name);
    run_to_template(
        Command::new("node")
            .arg(repo_root().join("tests/cdk/app.js"))
            .arg(&out)
            .env("NODE_PATH", tools.join("node_modules"))
            .env("WITH_CURRENT_VERSION", if current_version { "1" } else { "0" })
            .env("CDK_DISABLE_VERSION_CHECK", "1"),
        "cdk synth (node tests/cdk/app.js)",
        &out.join("CanaryService.template.json"),
    )
}

/// The one resource of `type_` whose logical ID starts with `construct` (CDK adds a hash of the
/// construct path to the ID).
fn id_of<'a>(template: &'a Value, type_: &str, construct: &str) -> &'a str {
    let ids: Vec<&str> =
        ids_of_type(template, type_).into_iter().filter(|id| id.starts_with(construct)).collect();
    assert_eq!(ids.len(), 1, "{type_} {construct}: {ids:?}");
    ids[0]
}

#[test]
fn a_synthesised_app_gets_canaries_with_the_api_and_the_queue_on_the_aliases() {
    let Some(tools) = node_tools(CDK) else { return };
    eprintln!("aws-cdk-lib {}", node_package_version(&tools, CDK));
    let synthesised = synth(&tools, "cdk-app", false);
    assert_eq!(synthesised["Transform"], "CanaryDeployments", "addTransform reaches the template");
    let api = id_of(&synthesised, "AWS::Lambda::Function", "Api").to_owned();
    let worker = id_of(&synthesised, "AWS::Lambda::Function", "Worker").to_owned();

    let expansion = expand(synthesised.clone());
    assert_eq!(diagnostics(&expansion), Vec::<String>::new());
    let out: Value = expansion.template.into();
    let resources = &out["Resources"];

    for (function, alias) in [(&api, format!("{api}Aliaslive")), (&worker, format!("{worker}AliasLive"))] {
        assert_eq!(resources[&alias]["Type"], "AWS::Lambda::Alias", "{alias}");
        let version = id_of(&out, "AWS::Lambda::Version", &format!("{function}Version"));
        assert_eq!(
            resources[&alias]["Properties"]["FunctionVersion"],
            json!({"Fn::GetAtt": [version, "Version"]})
        );
        assert_eq!(
            resources[&alias]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"],
            json!({"Ref": format!("{function}DeploymentGroup")})
        );
        assert!(resources[function]["Metadata"].get("CanaryDeployment").is_none(), "the setting is consumed");
    }

    // API Gateway's two permissions (the stage's and the console's test) and its integration invoke
    // the alias; so does the queue's event source mapping, and the worker's role reads the queue.
    let permissions: Vec<&str> = ids_of_type(&out, "AWS::Lambda::Permission");
    assert_eq!(permissions.len(), 2);
    for permission in permissions {
        assert_eq!(
            resources[permission]["Properties"]["FunctionName"],
            json!({"Ref": format!("{api}Aliaslive")})
        );
    }
    let method = id_of(&out, "AWS::ApiGateway::Method", "ResthelloGET");
    let uri = resources[method]["Properties"]["Integration"]["Uri"].to_string();
    assert!(uri.contains(&format!("{api}Aliaslive")), "{uri}");
    let mapping = id_of(&out, "AWS::Lambda::EventSourceMapping", "WorkerSqsEventSource");
    assert_eq!(
        resources[mapping]["Properties"]["FunctionName"],
        json!({"Ref": format!("{worker}AliasLive")})
    );
    lint("cdk-app", &out);
}

#[test]
fn cdks_current_version_is_replaced_by_the_macros_version_rule() {
    let Some(tools) = node_tools(CDK) else { return };
    let synthesised = synth(&tools, "cdk-current-version", true);
    let function = id_of(&synthesised, "AWS::Lambda::Function", "Versioned").to_owned();
    let version = id_of(&synthesised, "AWS::Lambda::Version", "VersionedCurrentVersion").to_owned();
    let alias = id_of(&synthesised, "AWS::Lambda::Alias", "VersionedLive").to_owned();

    let expansion = expand(synthesised.clone());
    assert_eq!(diagnostics(&expansion), Vec::<String>::new(), "CDK's currentVersion draws no warning");
    let out: Value = expansion.template.into();
    let resources = &out["Resources"];
    // One version rule in every order: CDK's `currentVersion`, named by its hash of the properties as
    // written, is replaced by the macro's, named by what Lambda stores as this deploy resolves it, and
    // CDK's alias follows. CloudFormation deletes CDK's version only in the cleanup of an update that
    // succeeded, once the alias has moved off it, so a rollback still finds it.
    assert!(resources.get(&version).is_none(), "{version} is replaced");
    let ours = version_of(&out, &function);
    assert!(ours.starts_with(&format!("{function}Version")), "{ours}");
    assert_eq!(resources[&alias]["Properties"]["FunctionVersion"], json!({"Fn::GetAtt": [ours, "Version"]}));
    assert_eq!(
        resources[&alias]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"],
        json!({"Ref": format!("{function}DeploymentGroup")})
    );
    lint("cdk-current-version", &out);
}
