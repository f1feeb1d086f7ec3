//! SAM users, both transform orders (docs/sam.md), proved with the real SAM translator.
//!
//! Each case under `sam/<case>/template.yaml` beside this file is a SAM template written SAM-first
//! (`Transform: [AWS::Serverless-2016-10-31, CanaryDeployments]`, settings in
//! `Metadata.CanaryDeployment`). The test derives the us-first template from it (the transforms
//! reversed, the settings moved to `Properties.CanaryDeployment`), then runs both pipelines as
//! CloudFormation would:
//!
//! - SAM-first: `aws-sam-translator`, then [`expand`];
//! - us-first: [`expand`], then `aws-sam-translator`.
//!
//! Both final templates must pass `cfn-lint` with zero errors, and both must *behave* the same:
//! [`behaviour`] renders what a deployment does (each marked function's alias, traffic shape, hooks
//! and who may call them, alarms, rollback, triggers, and every resource that invokes the alias or
//! still names the function) without the logical IDs and forms that legitimately differ, and the two
//! renderings must be equal. The rendering is also blessed in `behaviour.txt`, so a reviewer reads
//! what a user gets (`UPDATE_EXPECT=1 cargo test -p canary-system-tests --test sam_both_orders`).
//!
//! The translator runs in two python3 processes for all cases (`canary_test_support::sam`); the
//! README's test command installs `aws-sam-translator` and `cfn-lint`. Without the translator the test
//! is skipped, and without cfn-lint its lint, unless `RUN_SLOW_TESTS=1` (scripts/test.sh) makes either
//! a failure.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use canary_engine::cfn::{SAM_TRANSFORM, SETTING_KEY, TRANSFORM_NAME};
use canary_engine::json::{Map, Value};
use canary_engine::{cfn, json};
use canary_engine::{expand, CodeLocation, Context};
use canary_test_support::sam::{self, Op};
use canary_test_support::{cfn_lint, sorted_entries};
use expect_test::expect_file;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<PathBuf> {
    let dir = manifest_dir().join("sam");
    sorted_entries(&dir).into_iter().filter(|p| p.join("template.yaml").is_file()).collect()
}

fn case_name(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().into_owned()
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Some(err) = value.get("SamError") {
        panic!("SAM refused {}: {err}", path.display());
    }
    value
}

fn write_json(path: &Path, value: &Value) {
    fs::write(path, serde_json::to_string_pretty(value).unwrap() + "\n")
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn context() -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values: Map::new(),
        smoke_hook_code: Some(CodeLocation {
            bucket: "canary-artifacts-us-east-1".into(),
            key: "canary-deployments-0.1.0-smoke-hook.zip".into(),
        }),
    }
}

/// The engine's output, which must carry no error.
fn expand_ok(template: Value, label: &str) -> Value {
    let expansion = expand(template, &context());
    let rendered: String = expansion.diagnostics.iter().map(|d| format!("  {d}\n")).collect();
    assert!(!expansion.has_errors(), "{label}: the engine reported errors:\n{rendered}");
    expansion.template
}

/// The SAM functions a case marks, in template order.
fn marked_functions(source: &Value) -> Vec<String> {
    source["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == cfn::SERVERLESS_FUNCTION && r["Metadata"].get(SETTING_KEY).is_some())
        .map(|(id, _)| id.to_string())
        .collect()
}

/// The same template as a user writes it us-first: our transform before SAM's, and the settings
/// in `Properties` (SAM would reject an unknown property, but it never sees ours).
fn us_first(source: &Value) -> Value {
    let mut template = source.clone();
    let root = template.as_object_mut().unwrap();
    root.insert("Transform", json!([TRANSFORM_NAME, SAM_TRANSFORM]));
    for resource in root["Resources"].as_object_mut().unwrap().values_mut() {
        if resource["Type"] != cfn::SERVERLESS_FUNCTION {
            continue;
        }
        let resource = resource.as_object_mut().unwrap();
        let Some(setting) = resource
            .get_mut("Metadata")
            .and_then(|m| m.as_object_mut())
            .and_then(|m| m.shift_remove(SETTING_KEY))
        else {
            continue;
        };
        if resource["Metadata"].as_object().is_some_and(Map::is_empty) {
            resource.shift_remove("Metadata");
        }
        let props = resource.entry("Properties").or_insert_with(|| json!({}));
        props.as_object_mut().unwrap().insert(SETTING_KEY, setting);
    }
    template
}

#[test]
fn both_transform_orders_pass_cfn_lint_and_behave_the_same() {
    let cases = cases();
    assert!(!cases.is_empty(), "no cases under tests/sam");
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sam");
    let work = |case: &Path, file: &str| {
        let dir = scratch.join(case_name(case));
        fs::create_dir_all(&dir).unwrap();
        dir.join(file)
    };

    // SAM-first: the translator sees the template as written.
    let mut steps = Vec::new();
    for case in &cases {
        steps.push((Op::Parse, case.join("template.yaml"), work(case, "source.json")));
        steps.push((Op::Translate, case.join("template.yaml"), work(case, "sam_first.translated.json")));
    }
    if !sam::translate(&steps) {
        return;
    }

    let mut steps = Vec::new();
    let mut finals = Vec::new();
    for case in &cases {
        let name = case_name(case);
        let translated = read_json(&work(case, "sam_first.translated.json"));
        let sam_first = expand_ok(translated, &format!("{name} (SAM first)"));
        write_json(&work(case, "sam_first.json"), &sam_first);
        finals.push(work(case, "sam_first.json"));

        let source = read_json(&work(case, "source.json"));
        plan_lists_sam_event_sources(&source, &name);
        let ours = expand_ok(us_first(&source), &format!("{name} (us first)"));
        write_json(&work(case, "us_first.expanded.json"), &ours);
        steps.push((Op::Translate, work(case, "us_first.expanded.json"), work(case, "us_first.json")));
        finals.push(work(case, "us_first.json"));
    }
    // us-first: the translator sees what the engine returned.
    assert!(sam::translate(&steps), "the translator was there for the SAM-first step");
    cfn_lint::assert_no_errors(&finals, "final templates of both transform orders");

    for case in &cases {
        let name = case_name(case);
        let marked = marked_functions(&read_json(&work(case, "source.json")));
        assert!(!marked.is_empty(), "{name}: marks no function");
        let sam_first = behaviour(&read_json(&work(case, "sam_first.json")), &marked);
        let us_first = behaviour(&read_json(&work(case, "us_first.json")), &marked);
        // Kept beside the templates, so a difference can be read with `diff`.
        fs::write(work(case, "sam_first.behaviour.txt"), &sam_first).unwrap();
        fs::write(work(case, "us_first.behaviour.txt"), &us_first).unwrap();
        assert!(
            sam_first == us_first,
            "{name}: the two transform orders behave differently; diff {} {}",
            work(case, "sam_first.behaviour.txt").display(),
            work(case, "us_first.behaviour.txt").display()
        );
        expect_file![case.join("behaviour.txt")].assert_eq(&sam_first);
        same_kept_permissions(
            &read_json(&work(case, "sam_first.json")),
            &read_json(&work(case, "us_first.json")),
            &marked,
            &name,
        );
        for order in ["sam_first.json", "us_first.json"] {
            let violations = wrong_invokers(&read_json(&work(case, order)), &marked);
            assert!(
                violations.is_empty(),
                "{name} ({order}): invokers left on a marked function: {violations:?}"
            );
        }
    }
}

/// Each permission kept on a marked function beside its copy for the alias (an invoker the macro
/// cannot repoint) is, with the copy, the same resource in both orders: SAM writes its partition as
/// a literal, the macro as `${AWS::Partition}`, which CloudFormation resolves to it.
fn same_kept_permissions(sam_first: &Value, us_first: &Value, marked: &[String], name: &str) {
    let spelt = |r: &Value| r.to_string().replace("arn:${AWS::Partition}:", "arn:aws:");
    for f in marked {
        for (id, permission) in resources(sam_first) {
            let copy = format!("{id}CanaryAliasPermission{f}");
            let Some(alias_copy) = resources(sam_first).get(copy.as_str()) else { continue };
            for (id, resource) in [(id.as_str(), permission), (copy.as_str(), alias_copy)] {
                let other =
                    resources(us_first).get(id).unwrap_or_else(|| panic!("{name}: no {id} macro first"));
                assert_eq!(spelt(resource), spelt(other), "{name}: {id} differs between the orders");
            }
        }
    }
}

/// Us-first, SAM wires the function's own events to the alias; `plan` must list them, or it would
/// say that nothing moved.
fn plan_lists_sam_event_sources(source: &Value, name: &str) {
    let expansion = expand(us_first(source), &context());
    for f in marked_functions(source) {
        let plan = expansion
            .plan
            .iter()
            .find(|p| p.function == f)
            .unwrap_or_else(|| panic!("{name}: no plan for {f}"));
        let events = source["Resources"][&f]["Properties"]["Events"].as_object().map_or(0, Map::len);
        for event in
            source["Resources"][&f]["Properties"]["Events"].as_object().into_iter().flatten().map(|e| e.0)
        {
            let path = format!("Resources/{f}/Properties/Events/{event}");
            assert!(
                plan.moved.iter().any(|m| m.to_string().contains(&path)),
                "{name}: plan of {f} does not list {path}: {:?}",
                plan.moved
            );
        }
        assert!(plan.moved.len() >= events, "{name}: plan of {f} lists {:?}", plan.moved);
    }
}

// ---- What a deployment does, independent of how the template spells it ----

/// Resource types whose references to a function invoke it (docs/rewiring.md), where any reference
/// to the function is one: the rewiring table's other types also name a function where it stays (an
/// alarm's dimension, an invoke configuration's qualified name). A reference from one of these to a
/// marked function, instead of its alias, means an event source skips the canary.
const INVOKING_TYPES: &[&str] = &[
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Url",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::S3::Bucket",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::Logs::SubscriptionFilter",
    "AWS::IoT::TopicRule",
    "AWS::Cognito::UserPool",
    "AWS::StepFunctions::StateMachine",
    "AWS::AppSync::DataSource",
];

fn resources(template: &Value) -> &Map {
    template["Resources"].as_object().expect("a template with Resources")
}

/// `(resource, path)` of every reference to `target` in an invoking resource.
fn wrong_invokers(template: &Value, marked: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for f in marked {
        for (id, resource) in resources(template) {
            let ty = resource["Type"].as_str().unwrap_or_default();
            // A permission kept for an invoker the macro cannot repoint, with its copy on the alias.
            let kept = ty == "AWS::Lambda::Permission"
                && resources(template).contains_key(format!("{id}CanaryAliasPermission{f}").as_str());
            if INVOKING_TYPES.contains(&ty) && !kept {
                for path in references(resource, f) {
                    out.push(format!("{id} {path} -> {f}"));
                }
            }
        }
    }
    out
}

/// Paths (inside one resource) of every value that references `target`: `Ref`, `Fn::GetAtt` in
/// both forms, and `${target}` / `${target.Attr}` inside `Fn::Sub`.
fn references(value: &Value, target: &str) -> Vec<String> {
    let mut out = Vec::new();
    walk_references(value, target, String::new(), &mut out);
    out
}

fn walk_references(value: &Value, target: &str, path: String, out: &mut Vec<String>) {
    match value {
        Value::Object(obj) => {
            if refers_to(value, target) {
                out.push(if path.is_empty() { "(resource)".into() } else { path });
                return;
            }
            for (k, v) in obj {
                let k = k.replace('~', "~0").replace('/', "~1");
                walk_references(v, target, if path.is_empty() { k } else { format!("{path}/{k}") }, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_references(v, target, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn refers_to(value: &Value, target: &str) -> bool {
    let Some(obj) = value.as_object() else { return false };
    if obj.len() != 1 {
        return false;
    }
    if obj.get("Ref").and_then(Value::as_str) == Some(target) {
        return true;
    }
    match obj.get("Fn::GetAtt") {
        Some(Value::Array(parts)) if parts.first().and_then(Value::as_str) == Some(target) => return true,
        Some(Value::String(dotted)) if dotted.split('.').next() == Some(target) => return true,
        _ => {}
    }
    let text = match obj.get("Fn::Sub") {
        Some(Value::String(text)) => text.as_str(),
        Some(Value::Array(parts)) => parts.first().and_then(Value::as_str).unwrap_or_default(),
        _ => return false,
    };
    text.contains(&format!("${{{target}}}")) || text.contains(&format!("${{{target}."))
}

fn get_att_target(value: &Value) -> Option<&str> {
    cfn::get_att_target(value.get(cfn::GET_ATT)?)
}

/// A human rendering of what deploying `template` does for each marked function.
fn behaviour(template: &Value, marked: &[String]) -> String {
    let resources = resources(template);
    let mut out = String::new();
    for f in marked {
        let aliases: Vec<(&canary_engine::json::Str, &Value)> = resources
            .iter()
            .filter(|(_, r)| {
                r["Type"] == cfn::LAMBDA_ALIAS && cfn::ref_target(&r["Properties"]["FunctionName"]) == Some(f)
            })
            .collect();
        let [(alias_id, alias)] = aliases.as_slice() else {
            writeln!(out, "{f}: {} aliases", aliases.len()).unwrap();
            continue;
        };
        let version = get_att_target(&alias["Properties"]["FunctionVersion"]).unwrap_or("?");
        let published = resources.get(version).is_some_and(|v| {
            v["Type"] == cfn::LAMBDA_VERSION && cfn::ref_target(&v["Properties"]["FunctionName"]) == Some(f)
        });
        writeln!(
            out,
            "{f}: alias {} ({alias_id}), on {}{}",
            alias["Properties"]["Name"],
            if published { "a version published from the function" } else { "NO published version" },
            condition_of(alias)
        )
        .unwrap();
        if let Some(pc) = alias["Properties"].get("ProvisionedConcurrencyConfig") {
            writeln!(out, "  provisioned concurrency: {}", pc["ProvisionedConcurrentExecutions"]).unwrap();
        }
        match alias.pointer("/UpdatePolicy/CodeDeployLambdaAliasUpdate") {
            None => writeln!(out, "  no CodeDeploy deployment: the alias moves at once").unwrap(),
            Some(update) => deployment(&mut out, resources, f, version, update),
        }
        let mut invokers = BTreeSet::new();
        let mut others = BTreeSet::new();
        for (id, r) in resources {
            let ty = r["Type"].as_str().unwrap_or_default();
            if id == *alias_id || (ty == "AWS::Lambda::Version" && id == version) {
                continue;
            }
            // SAM names the Cognito permission of a function with an alias after the alias.
            let shown = id.replace(alias_id.as_str(), f);
            let iam = ty.starts_with("AWS::IAM::");
            if iam {
                // SAM-first, a grant gains the alias beside the function (`${Fn.Arn}:<alias>`);
                // us-first, SAM grants `Ref` the alias: the same permission, spelt differently.
                if grants_alias(r, f, alias_id, alias["Properties"]["Name"].as_str().unwrap_or_default()) {
                    // SAM names a connector's policies `<Connector>PolicyDestination<n>` once it has
                    // several destinations, as us-first connectors get for the alias.
                    let shown = match shown.rsplit_once("Destination") {
                        Some((stem, n)) if n.parse::<usize>().is_ok() => stem.to_owned(),
                        _ => shown.clone(),
                    };
                    invokers.insert(format!("{shown} ({ty}) may invoke it"));
                }
            } else {
                for path in references(r, alias_id) {
                    invokers.insert(format!("{shown} ({ty}) {path}"));
                }
            }
            if !iam && ty != "AWS::CloudWatch::Alarm" {
                for path in references(r, f) {
                    let qualifier = match ty {
                        "AWS::Lambda::EventInvokeConfig" => {
                            format!(", Qualifier {}", r["Properties"]["Qualifier"])
                        }
                        _ => String::new(),
                    };
                    others.insert(format!("{shown} ({ty}) {path}{qualifier}"));
                }
            }
        }
        writeln!(out, "  invokes the alias:").unwrap();
        for line in &invokers {
            writeln!(out, "    {line}").unwrap();
        }
        writeln!(out, "  still names the function (IAM and alarms left out):").unwrap();
        for line in &others {
            writeln!(out, "    {line}").unwrap();
        }
    }
    // Functions nobody marked keep their invokers and get no alias.
    for (id, _) in resources
        .iter()
        .filter(|(id, r)| r["Type"] == cfn::LAMBDA_FUNCTION && !marked.iter().any(|m| m == id.as_str()))
    {
        let n_aliases = resources
            .values()
            .filter(|a| {
                a["Type"] == cfn::LAMBDA_ALIAS
                    && cfn::ref_target(&a["Properties"]["FunctionName"]) == Some(id)
            })
            .count();
        writeln!(out, "{id}: not marked, {n_aliases} aliases, invoked by:").unwrap();
        for (other, r) in resources {
            let ty = r["Type"].as_str().unwrap_or_default();
            if INVOKING_TYPES.contains(&ty) {
                for path in references(r, id) {
                    writeln!(out, "    {other} ({ty}) {path}").unwrap();
                }
            }
        }
    }
    out
}

fn deployment(out: &mut String, resources: &Map, f: &str, version: &str, update: &Value) {
    let app = cfn::ref_target(&update["ApplicationName"]).and_then(|id| resources.get(id));
    let app_ok = app.is_some_and(|a| {
        a["Type"] == cfn::CODEDEPLOY_APPLICATION && a["Properties"]["ComputePlatform"] == "Lambda"
    });
    let Some(dg) = cfn::ref_target(&update["DeploymentGroupName"]).and_then(|id| resources.get(id)) else {
        writeln!(out, "  UpdatePolicy names no deployment group in the template").unwrap();
        return;
    };
    let props = &dg["Properties"];
    writeln!(
        out,
        "  CodeDeploy: {} {} in a Lambda application: {}{}",
        props["DeploymentStyle"]["DeploymentType"],
        props["DeploymentStyle"]["DeploymentOption"],
        if app_ok { "yes" } else { "NO" },
        condition_of(dg)
    )
    .unwrap();
    writeln!(out, "  traffic: {}", traffic(resources, &props["DeploymentConfigName"])).unwrap();
    let role_id = get_att_target(&props["ServiceRoleArn"]);
    let role = role_id.and_then(|id| resources.get(id));
    let role_statements = role.map(|r| role_statements(resources, r, role_id)).unwrap_or_default();
    if let Some(role) = role {
        let managed: Vec<String> =
            role["Properties"]["ManagedPolicyArns"].as_array().into_iter().flatten().map(arn_tail).collect();
        writeln!(out, "  CodeDeploy role: managed {}", managed.join(", ")).unwrap();
    } else {
        writeln!(out, "  CodeDeploy role: given, {}", props["ServiceRoleArn"]).unwrap();
    }
    for (key, label) in [("BeforeAllowTrafficHook", "pre-traffic"), ("AfterAllowTrafficHook", "post-traffic")]
    {
        let Some(hook) = update.get(key) else { continue };
        let Some(hook_id) = cfn::ref_target(hook) else {
            writeln!(out, "  {label} hook: {hook}").unwrap();
            continue;
        };
        let invoke = role_statements.iter().any(|(actions, resources)| {
            allows(actions, "lambda:InvokeFunction") && resources.iter().any(|r| refers_to(r, hook_id))
        });
        let hook_role = resources
            .get(hook_id)
            .and_then(|h| get_att_target(&h["Properties"]["Role"]))
            .and_then(|id| resources.get(id).map(|r| (id, r)));
        let report = hook_role.is_some_and(|(id, r)| {
            role_statements_of(resources, id, r)
                .iter()
                .any(|(actions, _)| allows(actions, "codedeploy:PutLifecycleEventHookExecutionStatus"))
        });
        writeln!(
            out,
            "  {label} hook: {hook_id} (CodeDeploy may invoke it: {}; it may report its status: {})",
            yes(invoke),
            yes(report)
        )
        .unwrap();
    }
    // Alarms may hang on conditions, written per item or around the whole configuration: render
    // them once per combination of the conditions involved.
    let mut conditions = BTreeSet::new();
    collect_conditions(&props["AlarmConfiguration"], &mut conditions);
    let conditions: Vec<&str> = conditions.into_iter().collect();
    for n in 0..1usize << conditions.len() {
        let holds: Vec<(&str, bool)> =
            conditions.iter().enumerate().map(|(i, c)| (*c, n & (1 << i) != 0)).collect();
        let config = resolve(&props["AlarmConfiguration"], &holds);
        if !holds.is_empty() {
            let when: Vec<String> = holds.iter().map(|(c, h)| format!("{c}={h}")).collect();
            writeln!(out, "  when {}:", when.join(", ")).unwrap();
        }
        let alarms = config["Alarms"].as_array().cloned().unwrap_or_default();
        if alarms.is_empty() {
            writeln!(out, "  alarms: none").unwrap();
        }
        for alarm in &alarms {
            writeln!(out, "  alarm: {}", describe_alarm(resources, &alarm["Name"], f, version)).unwrap();
        }
        if !alarms.is_empty() {
            let ignore = config.get("IgnorePollAlarmFailure").unwrap_or(&json!(false)).clone();
            writeln!(out, "  alarms enabled: {}, ignore poll alarm failure: {ignore}", config["Enabled"])
                .unwrap();
        }
    }
    let rollback = &props["AutoRollbackConfiguration"];
    writeln!(out, "  automatic rollback: {} {}", rollback["Enabled"], rollback["Events"]).unwrap();
    for trigger in props["TriggerConfigurations"].as_array().into_iter().flatten() {
        let topic = &trigger["TriggerTargetArn"];
        let publish = role_statements
            .iter()
            .any(|(actions, resources)| allows(actions, "sns:Publish") && resources.contains(topic));
        writeln!(
            out,
            "  trigger: {} on {} to {topic} (CodeDeploy may publish: {})",
            trigger["TriggerName"],
            trigger["TriggerEvents"],
            yes(publish)
        )
        .unwrap();
    }
}

/// Whether an IAM resource allows `lambda:InvokeFunction` on the alias, by `Ref` or as the
/// function's ARN qualified with the alias name.
fn grants_alias(iam: &Value, f: &str, alias_id: &str, alias_name: &str) -> bool {
    let mut found = Vec::new();
    let props = &iam["Properties"];
    statements(&props["PolicyDocument"], &mut found);
    for policy in props["Policies"].as_array().into_iter().flatten() {
        statements(&policy["PolicyDocument"], &mut found);
    }
    let qualified = format!("${{{f}.Arn}}:{alias_name}");
    // SAM's LambdaInvokePolicy: `…:function:${functionName}*`, a prefix that covers every alias.
    let prefix = |r: &Value| match r.get("Fn::Sub") {
        Some(Value::Array(parts)) => parts[0].as_str().is_some_and(|text| {
            text.rsplit_once(":function:${").is_some_and(|(_, var)| {
                var.strip_suffix("}*").is_some_and(|var| cfn::ref_target(&parts[1][var]) == Some(f))
            })
        }),
        _ => false,
    };
    found.iter().any(|(actions, resources)| {
        allows(actions, "lambda:InvokeFunction")
            && resources.iter().any(|r| {
                cfn::ref_target(r) == Some(alias_id)
                    || r.get("Fn::Sub").and_then(Value::as_str) == Some(qualified.as_str())
                    || prefix(r)
            })
    })
}

/// Names of the conditions of every `Fn::If` in `value`.
fn collect_conditions<'a>(value: &'a Value, out: &mut BTreeSet<&'a str>) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::Array(parts)) = obj.get("Fn::If") {
                if let Some(c) = parts.first().and_then(Value::as_str) {
                    out.insert(c);
                }
            }
            obj.values().for_each(|v| collect_conditions(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_conditions(v, out)),
        _ => {}
    }
}

/// `value` with every `Fn::If` decided by `holds` and every `AWS::NoValue` dropped.
fn resolve(value: &Value, holds: &[(&str, bool)]) -> Value {
    let no_value = |v: &Value| v.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue");
    match value {
        Value::Object(obj) => {
            if let Some(Value::Array(parts)) = obj.get("Fn::If") {
                let c = parts[0].as_str().unwrap_or_default();
                let holds_c = holds.iter().find(|(name, _)| *name == c).is_some_and(|(_, h)| *h);
                return resolve(&parts[if holds_c { 1 } else { 2 }], holds);
            }
            let mut out = Map::new();
            for (k, v) in obj {
                let v = resolve(v, holds);
                if !no_value(&v) {
                    out.insert(k.clone(), v);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(v, holds)).filter(|v| !no_value(v)).collect())
        }
        other => other.clone(),
    }
}

fn condition_of(resource: &Value) -> String {
    resource.get("Condition").map_or_else(String::new, |c| format!(" (condition {c})"))
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "NO"
    }
}

fn arn_tail(arn: &Value) -> String {
    let text = match arn {
        Value::String(s) => s.to_string(),
        other => {
            other.get("Fn::Sub").and_then(Value::as_str).map_or_else(|| other.to_string(), str::to_owned)
        }
    };
    text.rsplit('/').next().unwrap_or_default().to_owned()
}

fn traffic(resources: &Map, name: &Value) -> String {
    match name {
        Value::String(s) => s.to_string(),
        Value::Object(obj) => {
            if let Some(Value::Array(parts)) = obj.get("Fn::Sub") {
                if let (Some(text), Some(vars)) = (parts[0].as_str(), parts[1].as_object()) {
                    let mut text = text.to_owned();
                    for (k, v) in vars {
                        text = text.replace(&format!("${{{k}}}"), v.as_str().unwrap_or_default());
                    }
                    return text;
                }
            }
            match cfn::ref_target(name).and_then(|id| resources.get(id)) {
                Some(cfg) if cfg["Type"] == "AWS::CodeDeploy::DeploymentConfig" => {
                    let routing = &cfg["Properties"]["TrafficRoutingConfig"];
                    format!("a DeploymentConfig in the template: {}", routing)
                }
                _ => name.to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn describe_alarm(resources: &Map, name: &Value, f: &str, version: &str) -> String {
    let Some(id) = cfn::ref_target(name) else { return name.to_string() };
    let Some(alarm) = resources.get(id).filter(|a| a["Type"] == "AWS::CloudWatch::Alarm") else {
        return format!("{id} (not an alarm in the template)");
    };
    let p = &alarm["Properties"];
    let dimensions: Vec<&Value> = match p.get("Dimensions") {
        Some(Value::Array(dims)) => dims.iter().collect(),
        _ => p["Metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.pointer("/MetricStat/Metric/Dimensions").and_then(Value::as_array))
            .flatten()
            .collect(),
    };
    let executed =
        dimensions.iter().filter(|d| d["Name"] == "ExecutedVersion").map(|d| &d["Value"]).collect::<Vec<_>>();
    if executed.is_empty() {
        return format!("{id} (alarm in the template)");
    }
    let new_version = executed.iter().all(|v| get_att_target(v) == Some(version));
    let function =
        dimensions.iter().all(|d| d["Name"] != "FunctionName" || cfn::ref_target(&d["Value"]) == Some(f));
    let metric = match p.get("MetricName") {
        Some(m) => format!(
            "{} {}",
            m.as_str().unwrap_or_default(),
            p.get("ExtendedStatistic").or(p.get("Statistic")).unwrap_or(&Value::Null)
        ),
        None => p["Metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["ReturnData"] == true)
            .map_or_else(String::new, |m| m["Expression"].to_string()),
    };
    format!(
        "{id}: {metric} {} {}, watching only the new version: {}{}",
        p["ComparisonOperator"],
        p["Threshold"],
        yes(new_version && function),
        condition_of(alarm)
    )
}

/// `(actions, resources)` of every statement the role grants, inline or through an
/// `AWS::IAM::Policy` attached to it.
fn role_statements(resources: &Map, role: &Value, role_id: Option<&str>) -> Vec<(Vec<String>, Vec<Value>)> {
    let mut out = Vec::new();
    for policy in role["Properties"]["Policies"].as_array().into_iter().flatten() {
        statements(&policy["PolicyDocument"], &mut out);
    }
    if let Some(role_id) = role_id {
        for r in resources.values().filter(|r| r["Type"] == "AWS::IAM::Policy") {
            let roles = r["Properties"]["Roles"].as_array().cloned().unwrap_or_default();
            if roles.iter().any(|x| cfn::ref_target(x) == Some(role_id)) {
                statements(&r["Properties"]["PolicyDocument"], &mut out);
            }
        }
    }
    out
}

fn role_statements_of(resources: &Map, role_id: &str, role: &Value) -> Vec<(Vec<String>, Vec<Value>)> {
    role_statements(resources, role, Some(role_id))
}

fn statements(document: &Value, out: &mut Vec<(Vec<String>, Vec<Value>)>) {
    let list = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    for s in list.iter().filter(|s| s["Effect"] == "Allow") {
        let actions = match &s["Action"] {
            Value::String(a) => vec![a.to_string()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        let resources = match &s["Resource"] {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        out.push((actions, resources));
    }
}

fn allows(actions: &[String], action: &str) -> bool {
    actions
        .iter()
        .any(|a| a == action || a == "*" || a.strip_suffix('*').is_some_and(|p| action.starts_with(p)))
}

// ---- Every SAM template of the test corpus, in both orders ----

/// What one transform order does with a template: the macro refuses it (its errors, with the
/// settings' place made the same in both orders), SAM refuses it, or both pass and it deploys.
#[derive(Debug, PartialEq)]
enum Outcome {
    Refused(BTreeSet<String>),
    SamRefused(String),
    Deploys(PathBuf),
}

/// The SAM templates of the corpus: the cases under `sam/` and `sam_refused/` beside this file, the
/// SAM inputs of the engine's expansion goldens, and the SAM fixtures of its rewiring goldens; each
/// with the parameter values its case gives.
fn sam_corpus() -> Vec<(String, PathBuf, Map)> {
    let dir = canary_system_tests::repo_root().join("crates/engine/tests");
    let mut out = Vec::new();
    for sub in ["sam", "sam_refused"] {
        for case in sorted_entries(&manifest_dir().join(sub)) {
            if case.join("template.yaml").is_file() {
                out.push((format!("{sub}/{}", case_name(&case)), case.join("template.yaml"), Map::new()));
            }
        }
    }
    for kind in ["ok", "err"] {
        for case in sorted_entries(&dir.join("golden").join(kind)) {
            let input = case.join("input.json");
            let Ok(text) = fs::read_to_string(&input) else { continue };
            let template: Value = serde_json::from_str(&text).unwrap();
            if template["Resources"].as_object().is_none_or(|r| marked_sam_functions(r).is_empty()) {
                continue;
            }
            let parameters = fs::read_to_string(case.join("context.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|c| c.get("parameterValues").and_then(Value::as_object).cloned())
                .unwrap_or_default();
            out.push((format!("golden/{kind}/{}", case_name(&case)), input, parameters));
        }
    }
    for fixture in sorted_entries(&dir.join("fixtures/sam")) {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".sam.json") {
            out.push((format!("fixtures/sam/{stem}"), fixture, Map::new()));
        }
    }
    out
}

/// The SAM functions that carry settings, in `Metadata` or in `Properties`.
fn marked_sam_functions(resources: &Map) -> Vec<String> {
    resources
        .iter()
        .filter(|(_, r)| {
            r["Type"] == cfn::SERVERLESS_FUNCTION
                && (r["Metadata"].get(SETTING_KEY).is_some() || r["Properties"].get(SETTING_KEY).is_some())
        })
        .map(|(id, _)| id.to_string())
        .collect()
}

/// The template written for one order: the settings where that order reads them, and the two
/// transforms in that order (any other transform is kept after them).
fn in_order(source: &Value, sam_first: bool) -> Value {
    let mut template = source.clone();
    let root = template.as_object_mut().unwrap();
    let others: Vec<Value> = match root.get("Transform") {
        Some(Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    }
    .into_iter()
    .filter(|t| t != TRANSFORM_NAME && t != SAM_TRANSFORM)
    .collect();
    let mut transforms = if sam_first {
        vec![json!(SAM_TRANSFORM), json!(TRANSFORM_NAME)]
    } else {
        vec![json!(TRANSFORM_NAME), json!(SAM_TRANSFORM)]
    };
    transforms.extend(others);
    root.insert("Transform", Value::Array(transforms));
    let (from, to) = if sam_first { ("Properties", "Metadata") } else { ("Metadata", "Properties") };
    for resource in root["Resources"].as_object_mut().unwrap().values_mut() {
        if resource["Type"] != cfn::SERVERLESS_FUNCTION {
            continue;
        }
        let resource = resource.as_object_mut().unwrap();
        let Some(setting) =
            resource.get_mut(from).and_then(|m| m.as_object_mut()).and_then(|m| m.shift_remove(SETTING_KEY))
        else {
            continue;
        };
        if from == "Metadata" && resource["Metadata"].as_object().is_some_and(Map::is_empty) {
            resource.shift_remove("Metadata");
        }
        let holder = resource.entry(to).or_insert_with(|| json!({}));
        holder.as_object_mut().unwrap().insert(SETTING_KEY, setting);
    }
    template
}

/// The macro's errors, each as `path: message`, with the settings' place (`Metadata` SAM first,
/// `Properties` macro first) written the same way.
fn errors_of(expansion: &canary_engine::Expansion) -> BTreeSet<String> {
    expansion
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let text = format!("{}: {}", d.path, d.message)
                .replace("/Metadata/CanaryDeployment", "/<settings>/CanaryDeployment")
                .replace("/Properties/CanaryDeployment", "/<settings>/CanaryDeployment");
            version_hash_hidden(&text)
        })
        .collect()
}

/// `text` with the hash of each `Version<10 hex>` logical ID hidden: SAM hashes other content than
/// the macro does (docs/versions.md), so a message about a version's ID differs only there.
fn version_hash_hidden(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("Version") {
        let (head, tail) = rest.split_at(at + "Version".len());
        out.push_str(head);
        let hex = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 10 {
            out.push_str("<10 hex>");
            rest = &tail[10..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Whether the two orders may differ on `name`, and why: what SAM's `DeploymentPreference`
/// cannot carry is an error macro first that points to the SAM-first order (docs/sam.md).
fn differs_by_design(us_first: &Outcome) -> Option<&'static str> {
    let Outcome::Refused(errors) = us_first else { return None };
    // SAM's own `DeploymentPreference`, `AutoPublishAlias` or `ProvisionedConcurrencyConfig` beside
    // the settings, or a setting the preference cannot carry.
    let sam_preference = |e: &String| {
        ["DeploymentPreference", "AutoPublishAlias", "ProvisionedConcurrencyConfig"]
            .iter()
            .any(|p| e.contains(p))
    };
    errors
        .iter()
        .all(sam_preference)
        .then_some("macro first, SAM's DeploymentPreference cannot carry a setting, or SAM's own is given")
}

/// The warnings about a permission that stays on its function with a copy for the alias beside it
/// (an invoker the macro cannot repoint), each as `path: message`: the same in both orders.
fn kept_permission_warnings(expansion: &canary_engine::Expansion) -> BTreeSet<String> {
    expansion
        .diagnostics
        .iter()
        .filter(|d| !d.is_error() && d.message.contains("CanaryAliasPermission"))
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect()
}

#[test]
fn every_sam_template_of_the_corpus_agrees_in_both_orders() {
    let corpus = sam_corpus();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sam_corpus");
    let file = |name: &str, what: &str| {
        let dir = scratch.join(name);
        fs::create_dir_all(&dir).unwrap();
        dir.join(what)
    };
    let steps: Vec<_> =
        corpus.iter().map(|(name, path, _)| (Op::Parse, path.clone(), file(name, "source.json"))).collect();
    if !sam::translate(&steps) {
        return;
    }
    // SAM first: the translator, then the macro; macro first: the macro, then the translator.
    let mut steps = Vec::new();
    for (name, _, _) in &corpus {
        let source = read_json(&file(name, "source.json"));
        write_json(&file(name, "sam_first.source.json"), &in_order(&source, true));
        steps.push((
            Op::Translate,
            file(name, "sam_first.source.json"),
            file(name, "sam_first.translated.json"),
        ));
    }
    assert!(sam::translate(&steps));
    let mut outcomes: Vec<(Outcome, Option<Outcome>)> = Vec::new();
    // Templates whose permission for an invoker the macro cannot repoint stays, in both orders.
    let mut kept = 0;
    let mut steps = Vec::new();
    for (name, _, parameters) in &corpus {
        let ctx = Context { parameter_values: parameters.clone(), ..context() };
        let translated: Value =
            serde_json::from_str(&fs::read_to_string(file(name, "sam_first.translated.json")).unwrap())
                .unwrap();
        let mut sam_first_warnings = None;
        let sam_first = match translated.get("SamError") {
            Some(e) => Outcome::SamRefused(e.to_string()),
            None => {
                let expansion = expand(translated, &ctx);
                if expansion.has_errors() {
                    Outcome::Refused(errors_of(&expansion))
                } else {
                    write_json(&file(name, "sam_first.json"), &expansion.template);
                    sam_first_warnings = Some(kept_permission_warnings(&expansion));
                    Outcome::Deploys(file(name, "sam_first.json"))
                }
            }
        };
        let source = read_json(&file(name, "source.json"));
        let expansion = expand(in_order(&source, false), &ctx);
        if let Some(sam_first_warnings) = sam_first_warnings.filter(|_| !expansion.has_errors()) {
            let us_first_warnings = kept_permission_warnings(&expansion);
            assert_eq!(
                sam_first_warnings, us_first_warnings,
                "{name}: the orders warn differently about permissions kept for an invoker the macro cannot repoint"
            );
            kept += usize::from(!us_first_warnings.is_empty());
        }
        let us_first = if expansion.has_errors() {
            Some(Outcome::Refused(errors_of(&expansion)))
        } else {
            write_json(&file(name, "us_first.expanded.json"), &expansion.template);
            steps.push((Op::Translate, file(name, "us_first.expanded.json"), file(name, "us_first.json")));
            None
        };
        outcomes.push((sam_first, us_first));
    }
    assert!(sam::translate(&steps));
    let mut finals = Vec::new();
    let mut agree = 0;
    let mut by_design = Vec::new();
    let mut disagree = Vec::new();
    for ((name, _, _), (sam_first, us_first)) in corpus.iter().zip(outcomes) {
        let us_first = us_first.unwrap_or_else(|| {
            let translated: Value =
                serde_json::from_str(&fs::read_to_string(file(name, "us_first.json")).unwrap()).unwrap();
            match translated.get("SamError") {
                Some(e) => Outcome::SamRefused(e.to_string()),
                None => Outcome::Deploys(file(name, "us_first.json")),
            }
        });
        if name.starts_with("sam_refused/") {
            let Outcome::Refused(errors) = &sam_first else {
                panic!("{name}: SAM first, the macro does not refuse it: {sam_first:?}")
            };
            assert_eq!(us_first, sam_first, "{name}: the orders refuse it differently");
            let blessed: String = errors.iter().map(|e| format!("{e}\n")).collect();
            expect_file![manifest_dir().join(name).join("diagnostics.txt")].assert_eq(&blessed);
        }
        let same = match (&sam_first, &us_first) {
            (Outcome::Deploys(a), Outcome::Deploys(b)) => {
                finals.extend([a.clone(), b.clone()]);
                let marked = marked_sam_functions(
                    read_json(&file(name, "source.json"))["Resources"].as_object().unwrap(),
                );
                let (a, b) = (behaviour(&read_json(a), &marked), behaviour(&read_json(b), &marked));
                fs::write(file(name, "sam_first.behaviour.txt"), &a).unwrap();
                fs::write(file(name, "us_first.behaviour.txt"), &b).unwrap();
                a == b
            }
            (a, b) => a == b,
        };
        if same {
            agree += 1;
        } else if let Some(why) = differs_by_design(&us_first) {
            by_design.push(format!("{name}: {why}"));
        } else {
            disagree.push(format!("{name}:\n  SAM first: {sam_first:?}\n  macro first: {us_first:?}"));
        }
    }
    cfn_lint::assert_no_errors(&finals, "both orders of the SAM corpus");
    eprintln!(
        "{} SAM templates: {agree} agree in both orders, {} differ as docs/sam.md says:\n  {}",
        corpus.len(),
        by_design.len(),
        by_design.join("\n  ")
    );
    assert!(
        disagree.is_empty(),
        "the orders disagree on {} templates:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
    assert!(agree >= 41, "the corpus shrank: {agree} templates agree");
    // The Alexa skills and the APIs defined in a file of `sam/` and of the rewiring fixtures.
    assert!(kept >= 5, "only {kept} templates keep a permission for an invoker the macro cannot repoint");
}
