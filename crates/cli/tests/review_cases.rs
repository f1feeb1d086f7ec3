//! The templates of `tests/data/cases/`, each a defect found by reviewing the expansion against what
//! CloudFormation, IAM and Lambda do (the comment on top of each file says what went wrong and what
//! must happen). Each is read as the CLI reads it and expanded; its test asserts the behaviour its
//! header asks for, and every expansion that succeeds must pass cfn-lint with no error.
//!
//! The engine's own goldens and property tests generalise each class; these keep the original
//! reproductions running.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use canary_engine::Expansion;
use canary_test_support::{cfn_lint, sorted_entries};
use common::{errors, expand_text};

fn case_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases").join(case)
}

/// `case` expanded as the CLI expands it, for `parameters`, after replacing `edit.0` by `edit.1`
/// in its text (the second deploy a case describes).
fn expand_case(case: &str, parameters: &[(&str, &str)], edit: Option<(&str, &str)>) -> Expansion {
    let mut text = std::fs::read_to_string(case_path(case)).unwrap();
    if let Some((from, to)) = edit {
        assert!(text.contains(from), "{case} has no {from:?} to change");
        text = text.replace(from, to);
    }
    expand_text(case, &text, parameters).1
}

fn warnings(expansion: &Expansion) -> Vec<String> {
    expansion.diagnostics.iter().filter(|d| !d.is_error()).map(ToString::to_string).collect()
}

/// `case` expanded without errors.
fn expanded(case: &str) -> serde_json::Value {
    let expansion = expand_case(case, &[], None);
    assert!(errors(&expansion).is_empty(), "{case}: {:?}", errors(&expansion));
    expansion.template.into()
}

/// The logical ID of the one `AWS::Lambda::Version` the expansion generated for `function`.
fn version_id(expansion: &Expansion, function: &str) -> String {
    assert!(errors(expansion).is_empty(), "{:?}", errors(expansion));
    let template: serde_json::Value = expansion.template.clone().into();
    let prefix = format!("{function}Version");
    let ids: Vec<&String> =
        template["Resources"].as_object().unwrap().keys().filter(|id| id.starts_with(&prefix)).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    ids[0].clone()
}

/// Whether `edit` (the second deploy `case` describes) gives `Fn` a new version ID.
fn edit_changes_version(case: &str, edit: (&str, &str)) -> bool {
    version_id(&expand_case(case, &[], None), "Fn") != version_id(&expand_case(case, &[], Some(edit)), "Fn")
}

/// Every `Resource` of every statement of every IAM role and policy, as JSON text.
fn statement_resources(template: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for expansion in template["Resources"].as_object().unwrap().values() {
        let documents: Vec<&serde_json::Value> = match expansion["Type"].as_str() {
            Some("AWS::IAM::Policy") => vec![&expansion["Properties"]["PolicyDocument"]],
            Some("AWS::IAM::Role") => expansion["Properties"]["Policies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| &p["PolicyDocument"])
                .collect(),
            _ => continue,
        };
        for statement in documents.into_iter().filter_map(|d| d["Statement"].as_array()).flatten() {
            out.push(statement["Resource"].to_string());
        }
    }
    out
}

/// Shared resources under conditions: no statement may hold an entry that a condition can remove,
/// so that no assignment of the conditions leaves `"Resource": []`.
fn assert_no_statement_can_be_emptied(case: &str) {
    let template = expanded(case);
    let resources = statement_resources(&template);
    assert!(!resources.is_empty(), "{case}: no IAM statement generated");
    for r in resources {
        assert!(!r.contains("Fn::If") && r != "[]", "{case}: a statement's Resource {r} can be emptied");
    }
}

#[test]
fn deploy_00_full_settings_expands() {
    let template = expanded("deploy/00-full-settings.yaml");
    assert!(template["Resources"].as_object().unwrap().keys().any(|id| id.ends_with("DeploymentGroup")));
}

#[test]
fn deploy_01_trigger_topic_cycle_is_not_closed_through_the_shared_role() {
    // cfn-lint's E3004 (see `every_case_that_expands_passes_cfn_lint`) checks the whole graph; here, the
    // shared role names no topic, and the topic's publish grant is a policy only the notifying
    // function's deployment group waits for.
    let template = expanded("deploy/01-trigger-topic-cycle.yaml");
    let role = &template["Resources"]["CanaryDeploymentsServiceRole"]["Properties"];
    assert!(role.get("Policies").is_none(), "{role}");
    let policy = &template["Resources"]["OrdersFunctionCanaryDeploymentPolicy"];
    assert!(policy.to_string().contains("sns:Publish"), "{policy}");
    let groups_waiting: Vec<&String> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["DependsOn"].to_string().contains("OrdersFunctionCanaryDeploymentPolicy"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(groups_waiting, ["OrdersFunctionDeploymentGroup"]);
}

#[test]
fn deploy_02a_conditional_functions_shared_hook_empty_resource() {
    assert_no_statement_can_be_emptied("deploy/02a-conditional-functions-shared-hook-empty-resource.yaml");
    // No function exists when every condition is false: neither does the application.
    let template = expanded("deploy/02a-conditional-functions-shared-hook-empty-resource.yaml");
    assert!(template["Resources"]["CanaryDeploymentsApplication"]["Condition"].is_string());
}

#[test]
fn deploy_02b_conditional_functions_trigger_topics_empty_resource() {
    assert_no_statement_can_be_emptied("deploy/02b-conditional-functions-trigger-topics-empty-resource.yaml");
}

#[test]
fn deploy_02c_one_conditional_function_with_trigger() {
    assert_no_statement_can_be_emptied("deploy/02c-one-conditional-function-with-trigger.yaml");
}

#[test]
fn deploy_02d_one_conditional_function_with_external_hook() {
    assert_no_statement_can_be_emptied("deploy/02d-one-conditional-function-with-external-hook.yaml");
}

#[test]
fn deploy_03_function_level_property_forces_no_new_version() {
    let edit = ("RecursiveLoop: Terminate", "RecursiveLoop: Allow");
    assert!(!edit_changes_version("deploy/03-function-level-property-forces-new-version.yaml", edit));
}

#[test]
fn deploy_04_existing_version_never_republished_is_warned_about() {
    let expansion = expand_case("deploy/04-existing-version-never-republished.yaml", &[], None);
    assert!(errors(&expansion).is_empty(), "{:?}", errors(&expansion));
    assert!(warnings(&expansion).iter().any(|w| w.contains("LegacyVersion")), "{:?}", warnings(&expansion));
}

#[test]
fn deploy_05_layer_change_publishes_a_new_version() {
    assert!(edit_changes_version(
        "deploy/05-layer-change-no-new-version.yaml",
        ("layer-v1.zip", "layer-v2.zip")
    ));
}

#[test]
fn deploy_06_condition_and_mapping_are_hashed() {
    let case = "deploy/06-condition-and-mapping-not-hashed.yaml";
    let dev = version_id(&expand_case(case, &[("Stage", "dev")], None), "Fn");
    let prod = version_id(&expand_case(case, &[("Stage", "prod")], None), "Fn");
    let new_image = version_id(&expand_case(case, &[("Stage", "dev")], Some(("app:v1", "app:v2"))), "Fn");
    assert_ne!(dev, prod, "the condition decides MemorySize");
    assert_ne!(dev, new_image, "the mapping gives the image");
}

#[test]
fn deploy_07_long_logical_ids_are_errors() {
    let expansion = expand_case("deploy/07-long-logical-ids.yaml", &[], None);
    let errors = errors(&expansion);
    assert!(errors.iter().any(|e| e.contains("over CloudFormation's limit of 255")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("over IAM's limit of 128")), "{errors:?}");
}

/// `case` fails with an error at a path containing `at`.
fn assert_error_at(case: &str, at: &str) {
    let expansion = expand_case(case, &[], None);
    let at_path = expansion.diagnostics.iter().any(|d| d.is_error() && d.path.to_string().contains(at));
    assert!(at_path, "{case}: {:?}", errors(&expansion));
}

#[test]
fn realworld_cycle_alarm_on_invoker_is_an_error_at_the_alarm() {
    assert_error_at("realworld/cycle-alarm-on-invoker.yaml", "CanaryDeployment/Alarms/0");
}

#[test]
fn realworld_cycle_hook_depends_on_invoker_is_an_error_at_the_hook() {
    assert_error_at("realworld/cycle-hook-depends-on-invoker.yaml", "CanaryDeployment/PreTrafficHook");
}

#[test]
fn realworld_hook_with_other_condition_is_an_error_at_the_hook() {
    assert_error_at("realworld/hook-with-other-condition.yaml", "CanaryDeployment/PreTrafficHook");
}

#[test]
fn realworld_serverless_function_without_sam_transform_is_an_error() {
    assert_error_at("realworld/serverless-function-without-sam-transform.yaml", "Resources/Fn");
}

/// In `case`'s expansion, the value at `pointer` refers to `FnAliasLive` and no longer to `Fn`.
fn assert_moved_to_alias(case: &str, pointer: &str) {
    let template = expanded(case);
    let value = template.pointer(pointer).unwrap_or_else(|| panic!("{case}: nothing at {pointer}"));
    let text = value.to_string();
    assert!(
        text.contains("FnAliasLive") && !text.contains("\"Fn\"") && !text.contains("Fn.Arn"),
        "{case}: {text}"
    );
}

#[test]
fn realworld_missed_invoker_iot_authorizer_moves_to_the_alias() {
    let case = "realworld/missed-invoker-iot-authorizer.yaml";
    assert_moved_to_alias(case, "/Resources/Authorizer/Properties/AuthorizerFunctionArn");
    assert_moved_to_alias(case, "/Resources/IotPermission/Properties/FunctionName");
}

#[test]
fn realworld_missed_invoker_lambda_destination_moves_to_the_alias() {
    assert_moved_to_alias(
        "realworld/missed-invoker-lambda-destination.yaml",
        "/Resources/ProducerInvokeConfig/Properties/DestinationConfig/OnSuccess/Destination",
    );
}

#[test]
fn realworld_missed_invoker_s3_object_lambda_moves_to_the_alias() {
    let template = expanded("realworld/missed-invoker-s3-object-lambda.yaml");
    let config = &template["Resources"]["ObjectLambdaAccessPoint"]["Properties"]["ObjectLambdaConfiguration"];
    let arn = &config["TransformationConfigurations"][0]["ContentTransformation"]["AwsLambda"]["FunctionArn"];
    assert!(arn.to_string().contains("FnAliasLive"), "{arn}");
}

#[test]
fn realworld_missed_invoker_stepfunctions_definitionstring_moves_to_the_alias() {
    assert_moved_to_alias(
        "realworld/missed-invoker-stepfunctions-definitionstring.yaml",
        "/Resources/StateMachine/Properties/DefinitionString/Fn::Sub/1/FnArn",
    );
}

#[test]
fn realworld_template_metadata_empty_is_kept() {
    let template = expanded("realworld/template-metadata-empty-dropped.yaml");
    assert_eq!(template["Metadata"], serde_json::json!({}));
}

#[test]
fn realworld_yaml_block_scalar_eof_has_no_line_break() {
    let template = expanded("realworld/yaml-block-scalar-eof.yaml");
    assert_eq!(template["Outputs"]["Doc"]["Value"], "a");
}

#[test]
fn realworld_yaml_flow_continuation_indent_is_read() {
    expanded("realworld/yaml-flow-continuation-indent.yaml");
}

#[test]
fn realworld_yaml_flow_pair_collection_value_is_a_mapping() {
    let template = expanded("realworld/yaml-flow-pair-collection-value.yaml");
    let sub = &template["Resources"]["Fn"]["Properties"]["FunctionName"]["Fn::Sub"];
    assert_eq!(sub[0], "fn-${ID}");
    assert!(sub[1]["ID"]["Fn::Select"].is_array(), "{sub}");
}

/// Every case, in sorted order.
fn cases() -> Vec<String> {
    let in_dir = |dir: &'static str| {
        let files = sorted_entries(&case_path(dir)).into_iter();
        files.map(move |path| format!("{dir}/{}", path.file_name().unwrap().to_str().unwrap()))
    };
    in_dir("deploy").chain(in_dir("realworld")).collect()
}

#[test]
fn every_case_that_expands_passes_cfn_lint() {
    let mut expanded = Vec::new();
    for case in cases() {
        let expansion = expand_case(&case, &[], None);
        if errors(&expansion).is_empty() {
            let template: serde_json::Value = expansion.template.into();
            let name = case.trim_end_matches(".yaml").replace('/', "-");
            expanded.push((name, serde_json::to_string_pretty(&template).unwrap()));
        }
    }
    assert!(expanded.len() >= 15, "only {} cases expanded", expanded.len());
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-cases");
    cfn_lint::assert_written_templates_pass(&out_dir, &expanded, "expanded review cases");
}
