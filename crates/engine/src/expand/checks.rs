//! Checks of the decisions before anything is generated: generated logical IDs that collide or are
//! too long, deployment group names used twice, and resources the settings name under another
//! condition than the function's.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use super::analyse::{Decisions, FunctionDecision, MadeFor};
use super::cycles;
use crate::cfn;
use crate::diag::{Diagnostic, Path};
use crate::json::{Map, Value};
use crate::settings::{Hook, Traffic};
use crate::{ids, limits};

/// CodeDeploy names each deployment group of an application once, and the template has one
/// application: two enabled functions (under the same condition) whose `DeploymentGroupName` is the
/// same string, or the same intrinsic (which evaluates to the same string), would expand cleanly and
/// then fail at deploy time.
pub(super) fn check_group_names(enabled: &[&FunctionDecision], diagnostics: &mut Vec<Diagnostic>) {
    let mut first_user: BTreeMap<(String, Option<&str>), &str> = BTreeMap::new();
    for function in enabled {
        let Some(name) = &function.settings.deployment_group_name else { continue };
        let key = (name.to_string(), function.marked.condition.as_deref());
        let Some(first) = first_user.get(&key) else {
            first_user.insert(key, &function.marked.logical_id);
            continue;
        };
        // The name is always the function's own: settings refuse it as a template default.
        diagnostics.push(
            Diagnostic::error(
                function.marked.settings_path().key("DeploymentGroupName"),
                format!(
                    "DeploymentGroupName {name} is already the deployment group name of {first}: accepted \
                     is a name no other function of the template uses"
                ),
            )
            .with_help(format!(
                "leave DeploymentGroupName out for {} to let CloudFormation name its group",
                function.marked.logical_id
            )),
        );
    }
}

/// A resource the settings name (a hook, a trigger topic, an alarm, a deployment config, a role) that
/// exists under a `Condition` the function does not have may be missing while the function's alias,
/// deployment group and grants refer to it: CloudFormation then fails the stack on an unresolved
/// reference. Guarding every one of those references would deploy the function without the hook or
/// alarm its author asked for, so it is an error: the resource must share the function's condition,
/// or have none.
pub(super) fn check_conditions_of_named_resources(
    decision: &FunctionDecision,
    resources: &Map,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let settings = &decision.settings;
    let path = decision.marked.settings_path();
    let mut named: Vec<(Path, Vec<Guarded<'_>>)> = Vec::new();
    for (key, hook) in
        [("PreTrafficHook", &settings.pre_traffic_hook), ("PostTrafficHook", &settings.post_traffic_hook)]
    {
        if let Some(Hook::Function(id)) = hook {
            named.push((path.key(key), vec![(id.as_str(), Vec::new())]));
        }
    }
    for (i, trigger) in settings.triggers.iter().enumerate() {
        named.push((path.key("Triggers").index(i), guarded_names(trigger)));
    }
    for (i, alarm) in settings.alarms.iter().enumerate() {
        named.push((path.key("Alarms").index(i), guarded_names(alarm)));
    }
    if let Traffic::ConfigResource(id) = &settings.traffic {
        named.push((path.key("Type"), vec![(id.as_str(), Vec::new())]));
    }
    if let Some(role) = &settings.service_role {
        named.push((path.key("ServiceRole"), guarded_names(role)));
    }
    let own = decision.marked.condition.as_deref();
    for (at, ids) in named {
        for (id, guards) in ids {
            let Some(theirs) = resources.get(id).and_then(|r| r.get("Condition")).and_then(Value::as_str)
            else {
                continue;
            };
            if Some(theirs) == own || guards.contains(&theirs) {
                continue;
            }
            let function = &decision.marked.logical_id;
            diagnostics.push(
                Diagnostic::error(
                    at.clone(),
                    format!(
                        "{id} exists only under the condition {theirs}, while {function} exists {}: its alias, \
                         deployment group and grants would refer to {id} when it does not exist; accepted is \
                         a resource under the function's condition, or under none",
                        match own {
                            Some(c) => format!("under {c}"),
                            None => "always".to_owned(),
                        }
                    ),
                )
                .with_help(format!(
                    "give {function} and {id} the same Condition, or remove the Condition of {id}"
                )),
            );
        }
    }
}

/// A name a setting refers to, and the conditions that guard the reference.
type Guarded<'a> = (&'a str, Vec<&'a str>);

/// The names a setting's value refers to, each with the conditions of the `Fn::If`s whose first branch
/// holds it (a reference guarded by the resource's own condition is safe).
fn guarded_names(value: &Value) -> Vec<Guarded<'_>> {
    fn walk<'a>(value: &'a Value, guards: &mut Vec<&'a str>, out: &mut Vec<Guarded<'a>>) {
        if let Some(Value::Array(branches)) = value.get(cfn::IF) {
            if let [Value::String(condition), then, otherwise] = branches.as_slice() {
                guards.push(condition);
                walk(then, guards, out);
                guards.pop();
                walk(otherwise, guards, out);
                return;
            }
        }
        match value {
            Value::Array(items) => items.iter().for_each(|v| walk(v, guards, out)),
            Value::Object(obj) if obj.len() > 1 => obj.values().for_each(|v| walk(v, guards, out)),
            Value::Object(obj) if obj.contains_key("Name") => obj.values().for_each(|v| walk(v, guards, out)),
            _ => out.extend(cycles::referenced_names(value).into_iter().map(|n| (n, guards.clone()))),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// Every logical ID the expansion will add must be new, and unique among the generated ones.
pub(super) fn check_collisions(resources: &Map, decisions: &Decisions, diagnostics: &mut Vec<Diagnostic>) {
    let planned: Vec<(Cow<'_, str>, MadeFor<'_>)> = decisions.generated_ids().collect();
    // A generated policy's `PolicyName` is its logical ID, which IAM holds to a shorter limit.
    let policies = decisions
        .hook_policies
        .iter()
        .map(|p| {
            (
                &p.logical_id,
                Path::resource(&p.hook),
                format!("the hook's logical ID {} or the function's {}", p.hook, p.function),
            )
        })
        .chain(decisions.functions.iter().flat_map(|function| {
            let smoke = function.smoke_test.as_ref().map(|s| &s.policy);
            function.grant_policy.iter().chain(smoke).map(|id| {
                (
                    id,
                    function.marked.settings_path(),
                    format!("the function's logical ID {}", function.marked.logical_id),
                )
            })
        }));
    for (name, path, what) in policies {
        if name.len() > limits::MAX_POLICY_NAME {
            diagnostics.push(
                Diagnostic::error(
                    path,
                    format!(
                        "the generated policy's PolicyName {name} is {} characters, over IAM's limit of {} for a \
                         policy name",
                        name.len(),
                        limits::MAX_POLICY_NAME
                    ),
                )
                .with_help(format!("shorten {what} by {} characters", name.len() - limits::MAX_POLICY_NAME)),
            );
        }
    }
    let path_of = |from: &MadeFor<'_>| match *from {
        MadeFor::Setting(f, None) => f.marked.settings_path(),
        MadeFor::Setting(f, Some(key)) => f.marked.settings_path().key(key),
        MadeFor::Template => Path::root().key("Resources"),
        MadeFor::Hook(hook) | MadeFor::Permission(hook) => Path::resource(hook),
    };
    // SAM, running after the macro, names a us-first function's version, alias and deployment group
    // the same way, and CloudFormation holds its IDs to the same limit; only their length is ours to
    // check (the rollback alarms, generated here, are planned above).
    let mut sam_named = Vec::new();
    for function in decisions.functions.iter().filter(|f| f.marked.serverless) {
        let id = &function.marked.logical_id;
        // SAM's version ID ends in 10 hex digits of its own hash.
        const SAM_HASH: &str = "<10 hex>";
        let version = ids::version(id, SAM_HASH);
        let version_len = version.len() - SAM_HASH.len() + 10;
        sam_named.push((version, version_len, MadeFor::Setting(function, None)));
        let alias = ids::alias(id, &function.settings.alias);
        sam_named.push((alias.clone(), alias.len(), MadeFor::Setting(function, Some("Alias"))));
        if function.settings.enabled {
            let group = ids::deployment_group(id);
            sam_named.push((group.clone(), group.len(), MadeFor::Setting(function, None)));
        }
    }
    let too_long = |id: &str, len: usize, from: &MadeFor<'_>, diagnostics: &mut Vec<Diagnostic>| {
        if len <= limits::MAX_LOGICAL_ID {
            return false;
        }
        diagnostics.push(
            Diagnostic::error(
                path_of(from),
                format!(
                    "the generated logical ID {id} is {len} characters, over CloudFormation's limit of {}",
                    limits::MAX_LOGICAL_ID
                ),
            )
            .with_help(format!(
                "shorten the logical ID it is made from by {} characters or more",
                len - limits::MAX_LOGICAL_ID
            )),
        );
        true
    };
    for (id, len, from) in &sam_named {
        too_long(id, *len, from, diagnostics);
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(planned.len());
    for (id, from) in &planned {
        if too_long(id, id.len(), from, diagnostics) {
            continue;
        }
        if resources.contains_key(id) {
            let at = path_of(from);
            diagnostics.push(
                Diagnostic::error(
                    Path::resource(id),
                    format!("a resource named {id} already exists, and CanaryDeployments generates one with that logical ID"),
                )
                .with_help(format!("rename the existing resource; the generated one comes from {at}")),
            );
        } else if !seen.insert(id) {
            diagnostics.push(Diagnostic::error(
                path_of(from),
                format!("two generated resources would both be named {id}; give the functions different names or aliases"),
            ));
        }
    }
}
