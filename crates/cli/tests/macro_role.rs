//! Least privilege of the macro itself (docs/install.md): the role `template.yaml` gives the macro function
//! may write the macro's own logs and nothing else. The template is read with the CLI's YAML loader
//! (short-form tags become long-form intrinsics), which is why this audit lives here and not beside
//! the engine's audit of generated IAM (`crates/engine/tests/least_privilege.rs`).

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use canary_engine::json;
use canary_engine::json::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    canary_deployments::yaml::parse(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

fn one_or_many(v: Option<&Value>) -> Vec<Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(v) => vec![v.clone()],
    }
}

/// The logical ID a `Ref` or `Fn::GetAtt` (either form) points at.
fn target(v: &Value) -> Option<&str> {
    if let Some(Value::String(id)) = v.get("Ref") {
        return Some(id);
    }
    match v.get("Fn::GetAtt")? {
        Value::Array(a) => a.first()?.as_str(),
        Value::String(s) => s.split('.').next(),
        _ => None,
    }
}

const LOG_ACTIONS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"];

#[test]
fn the_macro_role_may_only_write_the_macros_logs() {
    let t = template();
    let resources = t["Resources"].as_object().expect("Resources");
    let of_type = |ty: &str| -> Vec<(&canary_engine::json::Str, &Value)> {
        resources.iter().filter(|(_, r)| r["Type"] == ty).collect()
    };

    let functions = of_type("AWS::Serverless::Function");
    assert_eq!(functions.len(), 1, "one macro function");
    let (fn_id, function) = functions[0];
    let macros = of_type("AWS::CloudFormation::Macro");
    assert_eq!(macros.len(), 1, "one macro");
    assert_eq!(target(&macros[0].1["Properties"]["FunctionName"]), Some(fn_id.as_str()));

    // The function names its role, so SAM generates none (SAM's default attaches
    // AWSLambdaBasicExecutionRole, which may write every log group), and adds no policies to it.
    let props = &function["Properties"];
    assert!(props.get("Policies").is_none(), "{fn_id} adds Policies: {}", props["Policies"]);
    assert!(t.pointer("/Globals/Function/Policies").is_none(), "Globals add function policies");
    assert!(t.pointer("/Globals/Function/Role").is_none(), "Globals set a function role");
    let role_id = target(&props["Role"])
        .unwrap_or_else(|| panic!("{fn_id} Role is not a reference: {}", props["Role"]));

    // The only IAM in the template is that role.
    let iam: Vec<&canary_engine::json::Str> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str().is_some_and(|t| t.starts_with("AWS::IAM::")))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(iam, [role_id], "IAM resources besides the macro's role");
    let role = &resources[role_id]["Properties"];
    assert!(
        role.get("ManagedPolicyArns").is_none(),
        "{role_id} has managed policies: {}",
        role["ManagedPolicyArns"]
    );
    assert!(role.get("PermissionsBoundary").is_none() || role["PermissionsBoundary"].is_object());

    let trust = one_or_many(role.pointer("/AssumeRolePolicyDocument/Statement"));
    let principals: Vec<Value> =
        trust.iter().flat_map(|st| one_or_many(st.pointer("/Principal/Service"))).collect();
    assert_eq!(principals, [json!("lambda.amazonaws.com")], "{role_id} trust");
    for st in &trust {
        assert_eq!(st["Action"], json!("sts:AssumeRole"), "{role_id} trust statement {st}");
    }

    // Every statement: log actions only, on the template's own log group only.
    let log_groups: BTreeSet<&str> =
        of_type("AWS::Logs::LogGroup").into_iter().map(|(id, _)| id.as_str()).collect();
    let statements: Vec<Value> = one_or_many(role.get("Policies"))
        .iter()
        .flat_map(|p| one_or_many(p.pointer("/PolicyDocument/Statement")))
        .collect();
    assert!(!statements.is_empty(), "{role_id} cannot even write its logs");
    for st in &statements {
        assert_eq!(st["Effect"], "Allow", "{st}");
        assert!(st.get("NotAction").is_none() && st.get("NotResource").is_none(), "{st}");
        for action in one_or_many(st.get("Action")) {
            let action = action.as_str().unwrap_or_default();
            assert!(
                LOG_ACTIONS.contains(&action),
                "{role_id} allows {action}; only {LOG_ACTIONS:?} are needed"
            );
        }
        for resource in one_or_many(st.get("Resource")) {
            let group = target(&resource);
            assert!(
                group.is_some_and(|g| log_groups.contains(g)),
                "{role_id} reaches {resource}, not the macro's log group {log_groups:?}"
            );
        }
    }
    // The function logs into that group.
    let logging = target(&props["LoggingConfig"]["LogGroup"]);
    assert!(
        logging.is_some_and(|g| log_groups.contains(g)),
        "{fn_id} logs elsewhere: {}",
        props["LoggingConfig"]
    );
}
