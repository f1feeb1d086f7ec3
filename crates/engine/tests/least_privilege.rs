//! Least-privilege audit of the IAM the expansion generates (docs/generated-resources.md), over every blessed expansion
//! (`golden/ok/<case>` and `rewire/<case>`: `expected.json` next to its `input.json`).
//!
//! - No generated IAM statement allows a `*` action (or a whole-service `svc:*`) or a `*` resource.
//!   A `:*` qualifier right after a named resource (`${Hook.Arn}:*`) is allowed: it still names one
//!   function.
//! - `CanaryDeploymentsServiceRole` trusts only `codedeploy.amazonaws.com` and carries only the managed
//!   policy `AWSCodeDeployRoleForLambdaLimited`, with no inline statement.
//! - Each `<Fn>CanaryDeploymentPolicy` is attached to exactly that role, allows `lambda:InvokeFunction`
//!   on exactly the function's hooks and `sns:Publish` on exactly its trigger topics, has no empty
//!   statement, and the function's deployment group depends on it.
//! - Each `<Hook>CanaryHookPolicy<Fn>` is attached to exactly the hook's execution role and allows
//!   `codedeploy:PutLifecycleEventHookExecutionStatus` on exactly `<Fn>DeploymentGroup`, and the
//!   function's alias depends on it.
//!
//! - A function with `SmokeTest` has `<Fn>SmokeTest` as its pre-traffic hook; its role
//!   `<Fn>SmokeTestRole` trusts only `lambda.amazonaws.com` and allows only writing to
//!   `<Fn>SmokeTestLogs` and invoking `${Fn.Arn}:*`; `<Fn>SmokeTestPolicy` is attached to exactly that
//!   role and allows `GetDeployment` and `PutLifecycleEventHookExecutionStatus` on exactly
//!   `<Fn>DeploymentGroup` and `GetApplicationRevision` on exactly the application; the alias depends
//!   on it.
//!
//! - Statements the expansion adds to the template's own resources (a SAM hook's `Policies`, an
//!   invoking role's statement that gains the alias ARN) are held to the same rule; the one exception
//!   is the SAM hook's `deploymentgroup:${ServerlessDeploymentApplication}/*` (see
//!   `is_sam_application_groups` for why it cannot name its groups).
//!
//! Generated means present in the output and absent from the input.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod deploy_checks;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use canary_engine::json::{Map, Value};

const SERVICE_ROLE: &str = "CanaryDeploymentsServiceRole";
const HOOK_POLICY_INFIX: &str = "CanaryHookPolicy";
const GRANT_POLICY_SUFFIX: &str = "CanaryDeploymentPolicy";
const PSEUDO_PREFIX: &str = "AWS::";

/// Every blessed expansion: `golden/ok/<case>` and the rewiring goldens `rewire/<case>`, which share
/// the `input.json` + `expected.json` layout.
fn ok_cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut cases = Vec::new();
    for dir in [root.join("golden/ok"), root.join("rewire")] {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        cases.extend(
            entries
                .map(|e| e.expect("readable golden dir").path())
                .filter(|p| p.join("expected.json").is_file() && p.join("input.json").is_file()),
        );
    }
    cases.sort();
    cases
}

fn read(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn one_or_many(v: Option<&Value>) -> Vec<Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(v) => vec![v.clone()],
    }
}

/// Logical IDs a value refers to through `Ref`, `Fn::GetAtt` or `Fn::Sub`, pseudo parameters excluded.
fn refs(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    deploy_checks::references(v, &mut out);
    out.retain(|r| !r.starts_with(PSEUDO_PREFIX));
    out
}

/// The literal text of a string or of an `Fn::Sub` template (string or list form).
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Object(m) => match m.get("Fn::Sub") {
            Some(Value::String(s)) => Some(s.to_string()),
            Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        },
        _ => None,
    }
}

/// A wildcard that widens a statement beyond named resources: `*` alone, or `*` anywhere other than
/// a trailing `:*` qualifier right after a `${…}` reference.
fn is_broad_resource(v: &Value) -> bool {
    let Some(text) = text_of(v) else { return false };
    if !text.contains('*') {
        return false;
    }
    if text == "*" {
        return true;
    }
    let qualifier_only = text.ends_with("}:*") && text.matches('*').count() == 1;
    !qualifier_only
}

fn is_broad_action(a: &Value) -> bool {
    a.as_str().is_some_and(|a| a.contains('*'))
}

/// Every statement of a resource's IAM documents as written: `Policies` items (a role's
/// `{PolicyDocument}` or a SAM function's inline `{Statement}`, either behind `Fn::If`) and a
/// `PolicyDocument`.
fn raw_statements(resource: &Value) -> Vec<Value> {
    fn from_policy(p: &Value, out: &mut Vec<Value>) {
        if let Some(Value::Array(branches)) = p.get("Fn::If") {
            branches.iter().skip(1).for_each(|b| from_policy(b, out));
            return;
        }
        out.extend(one_or_many(p.pointer("/PolicyDocument/Statement")));
        out.extend(one_or_many(p.get("Statement")));
    }
    let props = &resource["Properties"];
    let mut out = Vec::new();
    for p in one_or_many(props.get("Policies")) {
        from_policy(&p, &mut out);
    }
    if let Some(d) = props.get("PolicyDocument") {
        from_policy(d, &mut out);
    }
    out
}

fn without_resource(statement: &Value) -> Value {
    let mut st = statement.clone();
    if let Some(m) = st.as_object_mut() {
        m.remove("Resource");
    }
    st
}

/// The one wildcard the expansion writes on purpose: a SAM hook's status permission covers the
/// deployment groups of SAM's application (`deploymentgroup:${ServerlessDeploymentApplication}/*`),
/// because naming a group from the hook's role would close a dependency cycle (group → CodeDeploy
/// role → hook → hook role → group). The application holds only this template's groups.
fn is_sam_application_groups(v: &Value) -> bool {
    text_of(v).is_some_and(|t| {
        t == "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${ServerlessDeploymentApplication}/*"
    })
}

struct Statement {
    actions: Vec<String>,
    resources: Vec<Value>,
}

/// Every `Allow` statement of an `AWS::IAM::Role` (`Policies`) or `AWS::IAM::Policy`/`ManagedPolicy`
/// (`PolicyDocument`), after checking none is broad. Problems go to `failures`.
fn statements(id: &str, resource: &Value, failures: &mut Vec<String>) -> Vec<Statement> {
    let props = &resource["Properties"];
    let mut documents = Vec::new();
    for p in one_or_many(props.get("Policies")) {
        documents.push(p["PolicyDocument"].clone());
    }
    if let Some(d) = props.get("PolicyDocument") {
        documents.push(d.clone());
    }
    let mut out = Vec::new();
    for doc in documents {
        for st in one_or_many(doc.get("Statement")) {
            if st.get("NotAction").is_some() || st.get("NotResource").is_some() {
                failures
                    .push(format!("{id}: a NotAction/NotResource statement is broader than it reads: {st}"));
            }
            let actions = one_or_many(st.get("Action"));
            let resources = one_or_many(st.get("Resource"));
            for a in &actions {
                if is_broad_action(a) {
                    failures.push(format!("{id}: wildcard action {a}"));
                }
            }
            for r in &resources {
                if is_broad_resource(r) {
                    failures.push(format!("{id}: wildcard resource {r}"));
                }
            }
            if resources.is_empty() {
                failures.push(format!("{id}: statement without Resource: {st}"));
            }
            out.push(Statement {
                actions: actions.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                resources,
            });
        }
    }
    out
}

/// How a hook or topic is identified: the logical ID it refers to, else its literal text
/// (a function name or ARN outside the template, reduced to the function's name).
fn identity(v: &Value, function_ids: &BTreeSet<String>) -> String {
    let r = refs(v);
    if let Some(id) = r.iter().next() {
        return id.clone();
    }
    let text = text_of(v).unwrap_or_else(|| v.to_string());
    if function_ids.contains(&text) {
        return text;
    }
    match text.split_once(":function:") {
        Some((_, name)) => name.split(':').next().unwrap_or(name).to_owned(),
        None => text,
    }
}

/// The effective settings of each marked function: its own `CanaryDeployment` over the template's
/// `Metadata.CanaryDeployments`.
fn marked_functions(input: &Value) -> Vec<(String, Map)> {
    let defaults =
        input.pointer("/Metadata/CanaryDeployments").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (id, r) in input["Resources"].as_object().into_iter().flatten() {
        let own =
            r.pointer("/Properties/CanaryDeployment").or_else(|| r.pointer("/Metadata/CanaryDeployment"));
        let Some(Value::Object(own)) = own else { continue };
        let mut settings = defaults.clone();
        for (k, v) in own {
            settings.insert(k.clone(), v.clone());
        }
        out.push((id.to_string(), settings));
    }
    out
}

/// Audits one case; returns whether it generated the CodeDeploy role and how many hook policies.
fn audit(case: &Path, failures: &mut Vec<String>) -> (bool, usize) {
    let input = read(&case.join("input.json"));
    let output = read(&case.join("expected.json"));
    let name = case.file_name().expect("case name").to_string_lossy().into_owned();
    let mut fail = |m: String| failures.push(format!("{name}: {m}"));
    let in_res = input["Resources"].as_object().cloned().unwrap_or_default();
    let Some(out_res) = output["Resources"].as_object() else {
        fail("expected.json has no Resources".into());
        return (false, 0);
    };
    let function_ids: BTreeSet<String> = out_res
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Function" || r["Type"] == "AWS::Serverless::Function")
        .map(|(id, _)| id.to_string())
        .collect();
    let marked = marked_functions(&input);

    let mut local = Vec::new();
    for (id, r) in out_res {
        let ty = r["Type"].as_str().unwrap_or("");
        if in_res.contains_key(id) || !ty.starts_with("AWS::IAM::") {
            continue;
        }
        statements(id, r, &mut local);
    }
    // Statements the expansion added to the template's own resources (a SAM hook's `Policies`, an
    // invoking role that gains the alias ARN): only what is new is the macro's doing.
    for (id, r) in out_res {
        let Some(before) = in_res.get(id) else { continue };
        let old = raw_statements(before);
        for st in raw_statements(r) {
            if old.contains(&st) {
                continue;
            }
            let same_grant = old.iter().find(|o| without_resource(o) == without_resource(&st));
            let (actions, resources): (Vec<Value>, Vec<Value>) = match same_grant {
                // The statement existed and gained resources: judge only the new ones.
                Some(o) => {
                    let kept = one_or_many(o.get("Resource"));
                    (
                        Vec::new(),
                        one_or_many(st.get("Resource")).into_iter().filter(|r| !kept.contains(r)).collect(),
                    )
                }
                None => (one_or_many(st.get("Action")), one_or_many(st.get("Resource"))),
            };
            for a in actions.iter().filter(|a| is_broad_action(a)) {
                local.push(format!("{id}: added statement allows wildcard action {a}"));
            }
            for r in resources.iter().filter(|r| is_broad_resource(r) && !is_sam_application_groups(r)) {
                local.push(format!("{id}: added statement reaches wildcard resource {r}"));
            }
        }
    }

    // The CodeDeploy role.
    let mut saw_role = false;
    if let Some(role) = out_res.get(SERVICE_ROLE).filter(|_| !in_res.contains_key(SERVICE_ROLE)) {
        saw_role = true;
        let props = &role["Properties"];
        let principals: Vec<Value> = one_or_many(props.pointer("/AssumeRolePolicyDocument/Statement"))
            .iter()
            .flat_map(|st| one_or_many(st.pointer("/Principal/Service")))
            .collect();
        if principals != [Value::from("codedeploy.amazonaws.com")] {
            local.push(format!("{SERVICE_ROLE} trusts {principals:?}, not only codedeploy.amazonaws.com"));
        }
        let managed: Vec<String> = one_or_many(props.get("ManagedPolicyArns"))
            .iter()
            .map(|m| text_of(m).unwrap_or_else(|| m.to_string()))
            .collect();
        if managed.len() != 1
            || !managed[0].ends_with(":iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited")
        {
            local.push(format!("{SERVICE_ROLE} managed policies {managed:?}, expected only AWSCodeDeployRoleForLambdaLimited"));
        }
        if managed.iter().any(|m| m.starts_with("arn:aws:")) {
            local.push(format!("{SERVICE_ROLE} managed policy ARN is not partition-aware: {managed:?}"));
        }

        if props.get("Policies").is_some() {
            local.push(format!(
                "{SERVICE_ROLE} has inline policies; its grants belong in per-function policies"
            ));
        }
    }

    // The role's grants, one policy per function.
    for (id, policy) in out_res {
        let Some(function) = id.strip_suffix(GRANT_POLICY_SUFFIX) else { continue };
        if in_res.contains_key(id) {
            continue;
        }
        let Some((_, settings)) = marked.iter().find(|(f, _)| f == function) else {
            local.push(format!("{id}: {function} is not a marked function"));
            continue;
        };
        let attached: BTreeSet<String> =
            one_or_many(policy.pointer("/Properties/Roles")).iter().flat_map(refs).collect();
        if attached != BTreeSet::from([SERVICE_ROLE.to_owned()]) {
            local.push(format!("{id} is attached to {attached:?}, not only {SERVICE_ROLE}"));
        }
        let mut invoked = BTreeSet::new();
        let mut published = BTreeSet::new();
        for st in statements(id, policy, &mut local) {
            for a in &st.actions {
                let target = match a.as_str() {
                    "lambda:InvokeFunction" => &mut invoked,
                    "sns:Publish" => &mut published,
                    other => {
                        local.push(format!(
                            "{id} allows {other}, which CodeDeploy needs neither for hooks nor triggers"
                        ));
                        continue;
                    }
                };
                target.extend(st.resources.iter().map(|r| identity(r, &function_ids)));
            }
        }
        let mut hooks = BTreeSet::new();
        let mut maybe_hooks = BTreeSet::new();
        for key in ["PreTrafficHook", "PostTrafficHook"] {
            // A hook chosen by `Fn::If` may be either branch (or none, for `AWS::NoValue`).
            let chosen_by_if = settings.get(key).and_then(|h| h.get("Fn::If")).and_then(Value::as_array);
            if let Some([_, then, otherwise]) = chosen_by_if.map(Vec::as_slice) {
                for h in [then, otherwise]
                    .into_iter()
                    .filter(|h| h.get("Ref").and_then(Value::as_str) != Some("AWS::NoValue"))
                {
                    maybe_hooks.insert(identity(h, &function_ids));
                }
            } else if let Some(h) = settings.get(key) {
                maybe_hooks.insert(identity(h, &function_ids));
                hooks.insert(identity(h, &function_ids));
            }
        }
        if has_smoke_test(settings) {
            maybe_hooks.insert(format!("{function}SmokeTest"));
            hooks.insert(format!("{function}SmokeTest"));
        }
        let topics: BTreeSet<String> = one_or_many(settings.get("Triggers"))
            .iter()
            .filter_map(|t| t.get("TriggerTargetArn"))
            .map(|arn| identity(arn, &function_ids))
            .collect();
        if !(hooks.is_subset(&invoked) && invoked.is_subset(&maybe_hooks)) {
            local.push(format!("{id} invokes {invoked:?}; the function's hooks are {hooks:?}"));
        }
        if published != topics {
            local.push(format!(
                "{id} publishes to {published:?}; the function's trigger topics are {topics:?}"
            ));
        }
        if policy.get("Condition") != in_res.get(function).and_then(|f| f.get("Condition")) {
            local.push(format!("{id} has another condition than {function}"));
        }
        let group = format!("{function}DeploymentGroup");
        if let Some(g) = out_res.get(group.as_str()) {
            if !one_or_many(g.get("DependsOn")).contains(&Value::from(id.as_str())) {
                local.push(format!("{group} does not depend on {id}"));
            }
        }
    }

    // Hook policies.
    let mut n_hook_policies = 0;
    for (id, policy) in out_res {
        let Some((hook, function)) = id.split_once(HOOK_POLICY_INFIX) else { continue };
        if in_res.contains_key(id) {
            continue;
        }
        n_hook_policies += 1;
        let Some(hook_fn) = out_res.get(hook) else {
            local.push(format!("{id}: no function {hook} in the template"));
            continue;
        };
        let role_ids = refs(&hook_fn["Properties"]["Role"]);
        let attached: BTreeSet<String> =
            one_or_many(policy.pointer("/Properties/Roles")).iter().flat_map(refs).collect();
        if attached != role_ids {
            local.push(format!("{id} is attached to {attached:?}, the hook's role is {role_ids:?}"));
        }
        let mut groups = BTreeSet::new();
        for st in statements(id, policy, &mut Vec::new()) {
            if st.actions != ["codedeploy:PutLifecycleEventHookExecutionStatus"] {
                local.push(format!("{id} allows {:?}", st.actions));
            }
            for r in &st.resources {
                groups.extend(
                    refs(r)
                        .into_iter()
                        .filter(|g| out_res[g.as_str()]["Type"] == "AWS::CodeDeploy::DeploymentGroup"),
                );
            }
        }
        let calls = marked.iter().any(|(f, s)| {
            f == function
                && ["PreTrafficHook", "PostTrafficHook"]
                    .iter()
                    .any(|k| s.get(k).is_some_and(|h| identity(h, &function_ids) == hook))
        });
        if !calls {
            local.push(format!("{id}: {function} does not call the hook {hook}"));
        }
        let expected = BTreeSet::from([format!("{function}DeploymentGroup")]);
        if groups != expected {
            local.push(format!("{id} names deployment groups {groups:?}, the hook's are {expected:?}"));
        }
        for (alias_id, alias) in out_res.iter().filter(|(_, r)| r["Type"] == "AWS::Lambda::Alias") {
            let aliased = refs(&alias["Properties"]["FunctionName"]);
            let uses = aliased.iter().any(|f| f == function);
            let depends: Vec<Value> = one_or_many(alias.get("DependsOn"));
            if uses && !depends.contains(&Value::from(id.as_str())) {
                local.push(format!("{alias_id} does not depend on {id}"));
            }
        }
    }
    audit_smoke_tests(out_res, &in_res, &marked, &mut local);
    for m in local {
        fail(m);
    }
    (saw_role, n_hook_policies)
}

fn has_smoke_test(settings: &Map) -> bool {
    settings.get("SmokeTest").and_then(Value::as_array).is_some_and(|cases| !cases.is_empty())
}

/// The smoke test hook's role and CodeDeploy grants, per function with `SmokeTest`.
fn audit_smoke_tests(out_res: &Map, in_res: &Map, marked: &[(String, Map)], local: &mut Vec<String>) {
    for (function, settings) in marked.iter().filter(|(_, s)| has_smoke_test(s)) {
        if settings.get("Enabled") == Some(&Value::Bool(false)) {
            continue;
        }
        let (role_id, policy_id) = (format!("{function}SmokeTestRole"), format!("{function}SmokeTestPolicy"));
        let (Some(role), Some(policy)) = (out_res.get(role_id.as_str()), out_res.get(policy_id.as_str()))
        else {
            local.push(format!("{function} has a SmokeTest but no {role_id} or {policy_id}"));
            continue;
        };
        if in_res.contains_key(role_id.as_str()) || in_res.contains_key(policy_id.as_str()) {
            continue;
        }
        let trust = role.pointer("/Properties/AssumeRolePolicyDocument/Statement").map(Value::to_string);
        if trust.as_deref()
            != Some(
                r#"[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]"#,
            )
        {
            local.push(format!("{role_id} trusts {trust:?}, not only lambda.amazonaws.com"));
        }
        for st in statements(&role_id, role, local) {
            let resources: Vec<String> = st.resources.iter().map(|r| r.to_string()).collect();
            let expected = match st.actions.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["logs:CreateLogStream", "logs:PutLogEvents"] => {
                    format!(r#"{{"Fn::GetAtt":["{function}SmokeTestLogs","Arn"]}}"#)
                }
                ["lambda:InvokeFunction"] => format!(r#"{{"Fn::Sub":"${{{function}.Arn}}:*"}}"#),
                other => {
                    local.push(format!("{role_id} allows {other:?}"));
                    continue;
                }
            };
            if resources != [expected.clone()] {
                local.push(format!(
                    "{role_id} allows {:?} on {resources:?}, expected only {expected}",
                    st.actions
                ));
            }
        }
        let attached: BTreeSet<String> =
            one_or_many(policy.pointer("/Properties/Roles")).iter().flat_map(refs).collect();
        if attached != BTreeSet::from([role_id.clone()]) {
            local.push(format!("{policy_id} is attached to {attached:?}, not only {role_id}"));
        }
        for st in statements(&policy_id, policy, local) {
            let named: BTreeSet<String> = st.resources.iter().flat_map(refs).collect();
            let ok = match st.actions.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                ["codedeploy:GetDeployment", "codedeploy:PutLifecycleEventHookExecutionStatus"] => {
                    named.contains(&format!("{function}DeploymentGroup"))
                        && st.resources.len() == 1
                        && text_of(&st.resources[0]).is_some_and(|t| t.contains(":deploymentgroup:"))
                }
                ["codedeploy:GetApplicationRevision"] => {
                    st.resources.len() == 1
                        && text_of(&st.resources[0])
                            .is_some_and(|t| t.contains(":application:${") && t.ends_with('}'))
                }
                _ => false,
            };
            if !ok {
                local.push(format!("{policy_id} allows {:?} on {:?}", st.actions, st.resources));
            }
        }
        for (alias_id, alias) in out_res.iter().filter(|(_, r)| r["Type"] == "AWS::Lambda::Alias") {
            let uses = refs(&alias["Properties"]["FunctionName"]).contains(function.as_str());
            if uses && !one_or_many(alias.get("DependsOn")).contains(&Value::from(policy_id.as_str())) {
                local.push(format!("{alias_id} does not depend on {policy_id}"));
            }
        }
    }
}

#[test]
fn generated_iam_is_least_privilege() {
    let cases = ok_cases();
    assert!(!cases.is_empty(), "no golden ok cases to audit");
    let mut failures = Vec::new();
    let mut n_roles = 0;
    let mut n_hook_policies = 0;
    for case in &cases {
        let (saw_role, hook_policies) = audit(case, &mut failures);
        n_roles += usize::from(saw_role);
        n_hook_policies += hook_policies;
    }
    // The audit only means something if the corpus generates the role and hook policies at all.
    assert!(n_roles > 0, "no golden ok case generates {SERVICE_ROLE}");
    assert!(n_hook_policies > 0, "no golden ok case generates a hook policy");
    eprintln!("audited {} cases: {n_roles} CodeDeploy roles, {n_hook_policies} hook policies", cases.len());
    assert!(failures.is_empty(), "least-privilege audit failed:\n{}", failures.join("\n"));
}

#[test]
fn broad_statements_are_recognised() {
    // The audit must be able to fail.
    assert!(is_broad_resource(&Value::from("*")));
    assert!(is_broad_resource(
        &canary_engine::json!({"Fn::Sub": "arn:${AWS::Partition}:lambda:*:*:function:*"})
    ));
    assert!(!is_broad_resource(&canary_engine::json!({"Fn::Sub": "${Hook.Arn}:*"})));
    assert!(!is_broad_resource(&canary_engine::json!({"Fn::GetAtt": ["Hook", "Arn"]})));
    assert!(is_broad_action(&Value::from("lambda:*")));
    assert!(is_broad_action(&Value::from("*")));
    assert!(!is_broad_action(&Value::from("lambda:InvokeFunction")));
    let role = canary_engine::json!({"Properties": {"Policies": [{"PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "sns:*", "Resource": "*"}]}}]}});
    let mut failures = Vec::new();
    statements("Role", &role, &mut failures);
    assert_eq!(failures.len(), 2, "{failures:?}");
}
