//! Generation: rebuilds `Resources` from the [`Decisions`](super::analyse::Decisions), with each
//! function's version, alias, deployment group and alarms after it and the shared resources at the end,
//! then rewires the invokers and reports what moved.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::analyse::{Decisions, FunctionDecision, RoleDecision};
use super::index;
use super::output::{check_output_limits, report_cycles};
use super::resources::{
    self, alarm, alias, application, deployment_config, deployment_group, function, log_group, permission,
    policy, role, version,
};
use super::{sam, sam_generated, FunctionPlan, MovedInvoker, Stats};
use crate::cfn::{self, DEFAULTS_KEY, SETTING_KEY, TRANSFORM_NAME};
use crate::diag::{Diagnostic, Path};
use crate::json::{KeyHashing, Map, Value};
use crate::rewire::{self, AliasTarget};
use crate::settings::{Hook, Settings, Traffic};
use crate::{ids, json};

pub(super) fn generate(
    mut root: Map,
    old_resources: Map,
    mut decisions: Decisions,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Value, Vec<FunctionPlan>, Stats) {
    let by_function: HashMap<&str, &FunctionDecision, KeyHashing> =
        decisions.functions.iter().map(|f| (f.marked.logical_id.as_str(), f)).collect();
    let adopted: HashMap<&str, &FunctionDecision, KeyHashing> = decisions
        .functions
        .iter()
        .filter(|f| f.adopts_alias && !f.marked.serverless)
        .map(|f| (f.alias.as_str(), f))
        .collect();
    let mut generated: HashSet<String, KeyHashing> = HashSet::default();
    // Us-first, SAM points the function's own event sources at the alias: listed in the plan too.
    let mut sam_moves: BTreeMap<String, Vec<MovedInvoker>> = BTreeMap::new();
    // Room for every resource and the ones each function adds (version, alias, group, alarms).
    let mut out = Map::with_capacity(old_resources.len() + 8 * decisions.functions.len() + 8);
    let mut add = |out: &mut Map, id: String, resource: Map| {
        generated.insert(id.clone());
        out.insert(id, Value::Object(resource));
    };

    let any_serverless = decisions.functions.iter().any(|f| f.marked.serverless);
    let metadata_copies: HashSet<&str, KeyHashing> =
        decisions.metadata_copies.iter().map(String::as_str).collect();
    for (logical_id, mut resource) in old_resources {
        // Kept published by its `DeletionPolicy` (SAM's is `Retain`); the alias moves off it.
        if decisions.replaced_versions.contains_key(logical_id.as_str()) {
            continue;
        }
        if let Some(function) = adopted.get(logical_id.as_str()) {
            adopt_alias(&mut resource, function, diagnostics);
        }
        if metadata_copies.contains(logical_id.as_str()) {
            consume_setting(&mut resource, index::SettingPlace::Metadata);
        }
        if let Some((apps, condition)) = decisions.sam_hooks.get(logical_id.as_str()) {
            sam::add_hook_statement(&mut resource, apps, condition.as_deref());
        }
        // Only SAM's own functions have connectors to grant; other templates skip the look at every
        // resource's type.
        if any_serverless {
            sam::grant_connector_alias(&mut resource, &|id| {
                by_function.get(id).filter(|f| f.marked.serverless).map(|f| f.alias.clone())
            });
        }
        let Some(function) = by_function.get(logical_id.as_str()).copied() else {
            out.insert(logical_id, resource);
            continue;
        };
        consume_setting(&mut resource, function.marked.place);
        if let Some(description) = &function.description {
            if let Some(props) = resource.get_mut("Properties").and_then(Value::as_object_mut) {
                props.insert("Description", description.clone());
            }
        }
        if function.marked.serverless {
            let kept: Vec<&str> = function.outside_invokers.iter().map(|o| o.event.as_str()).collect();
            sam_moves.insert(logical_id.to_string(), sam::event_sources(&resource, &logical_id, &kept));
            sam::write_preference(&mut resource, sam_preference(function));
            sam::remove_events(&mut resource, &kept);
        }
        out.insert(logical_id, resource);
        for (id, resource) in function_resources(function, &decisions) {
            add(&mut out, id, resource);
        }
    }
    if let Some(app) = &decisions.application {
        add(&mut out, ids::APPLICATION.to_owned(), application::application(app.condition.as_deref()));
    }
    for (shape, shared) in &decisions.configs {
        add(
            &mut out,
            ids::deployment_config(&shape.name()),
            deployment_config::deployment_config(shape, shared.condition.as_deref()),
        );
    }
    if let Some(role) = &decisions.role {
        add(&mut out, ids::SERVICE_ROLE.to_owned(), service_role(role));
    }
    for p in &decisions.hook_policies {
        let arn = policy::deployment_group_arn(p.application, &p.deployment_group);
        add(
            &mut out,
            p.logical_id.clone(),
            policy::hook_policy(&p.logical_id, &p.role, arn, p.condition.as_deref()),
        );
    }
    if !decisions.conditions.is_empty() {
        let conditions = root.entry("Conditions").or_insert_with(|| Value::Object(Map::new()));
        if let Some(conditions) = conditions.as_object_mut() {
            for (name, condition) in &decisions.conditions {
                conditions.insert(name.clone(), condition.clone());
            }
        }
    }
    let resources_added = generated.len();
    if !decisions.replaced_versions.is_empty() {
        // One walk for all of them: the alias's `FunctionVersion`, `Outputs`, `DependsOn`.
        for resource in out.values_mut() {
            if let Some(resource) = resource.as_object_mut() {
                rewire::rename_depends_on(resource, &decisions.replaced_versions);
            }
        }
        let mut resources = Value::Object(out);
        rewire::rename(&mut resources, &decisions.replaced_versions);
        root.insert("Resources", resources);
        if let Some(outputs) = root.get_mut("Outputs") {
            rewire::rename(outputs, &decisions.replaced_versions);
        }
    } else {
        root.insert("Resources", Value::Object(out));
    }

    let targets: BTreeMap<String, AliasTarget> = decisions
        .functions
        .iter()
        .map(|function| {
            let function_name = root
                .get("Resources")
                .and_then(|r| r.get(function.marked.logical_id.as_str()))
                .and_then(|f| f.get("Properties"))
                .and_then(|p| p.get("FunctionName"))
                .and_then(rewire::function_name_key);
            let target = AliasTarget {
                alias_logical_id: function.alias.clone(),
                alias_name: function.settings.alias.clone(),
                function_name,
            };
            (function.marked.logical_id.clone(), target)
        })
        .collect();
    // An alarm that rolls back a deployment keeps its actions on the functions they name: on the
    // alias, an action of an alarm of the function's own group would make the alias wait for itself
    // (alias, deployment group, alarm, alias).
    let mut untouched = generated.clone();
    for function in decisions.functions.iter().filter(|f| f.settings.enabled) {
        for alarm in &function.settings.alarms {
            let name = alarm.get("Name").unwrap_or(alarm);
            if let Some(id) = cfn::ref_target(name) {
                if !untouched.contains(id) && alarm_invokes(&root, id, &function.marked.logical_id) {
                    diagnostics.push(rollback_alarm_invokes(id, function));
                    untouched.insert(id.to_owned());
                }
            }
        }
    }
    let mut kept = Vec::new();
    let rewired = rewire::rewire(
        &mut root,
        &targets,
        &untouched,
        Some(&decisions.deployment_mentions),
        &mut kept,
        diagnostics,
    );
    let mut resources_added = resources_added;
    if let Some(Value::Object(resources)) = root.get_mut("Resources") {
        for k in kept {
            // Analysis planned this ID for every permission that names a marked function, so a clash
            // was refused there; this guard keeps a resource from ever being overwritten.
            if resources.contains_key(k.logical_id.as_str()) {
                diagnostics.push(Diagnostic::error(
                    Path::resource(&k.logical_id),
                    format!(
                        "a resource named {} already exists, and CanaryDeployments generates one with that logical ID \
                         beside {}",
                        k.logical_id, k.permission
                    ),
                ));
                continue;
            }
            let Some(Value::Object(original)) = resources.get(k.permission.as_str()) else { continue };
            let permission =
                resources::permission::alias_permission(original, k.function_name, k.depends_on.as_deref());
            resources.insert(k.logical_id.clone(), Value::Object(permission));
            generated.insert(k.logical_id);
            resources_added += 1;
        }
    }
    rewire::warn_unknown_references(&root, &decisions.function_mentions, &targets, diagnostics);

    consume_template_settings(&mut root);
    if let Some(Value::Object(resources)) = root.get("Resources") {
        let sam = if any_serverless { sam_generated(resources, &decisions) } else { Map::new() };
        report_cycles(resources, &sam, &decisions, &generated, diagnostics);
    }
    let template = Value::Object(root);
    check_output_limits(&template, diagnostics);

    let references_rewired = rewired.len();
    // Grouped in one pass: filtering every rewired reference per function would be quadratic.
    let mut moved: BTreeMap<String, Vec<MovedInvoker>> = BTreeMap::new();
    for r in rewired {
        let invoker = MovedInvoker { resource: r.resource, path: r.path, label: None };
        moved.entry(r.function).or_default().push(invoker);
    }
    let plan = decisions
        .functions
        .iter_mut()
        .map(|function| FunctionPlan {
            function: function.marked.logical_id.clone(),
            alias_name: function.settings.alias.clone(),
            alias_logical_id: function.alias.clone(),
            enabled: function.settings.enabled,
            traffic: traffic_label(&function.settings.traffic),
            pre_traffic_hook: function.settings.pre_traffic_hook.as_ref().map(hook_label),
            post_traffic_hook: function.settings.post_traffic_hook.as_ref().map(hook_label),
            alarms: function
                .alarm_labels
                .iter()
                .cloned()
                .chain(function.rollback_alarms.iter().map(|(id, _)| id.clone()))
                .collect(),
            moved: sam_moves
                .remove(&function.marked.logical_id)
                .unwrap_or_default()
                .into_iter()
                .chain(moved.remove(&function.marked.logical_id).unwrap_or_default())
                .collect(),
            version_logical_id: function.version_logical_id.clone(),
            // Moved, not copied: it may be as large as the function's properties.
            versioned_configuration: std::mem::replace(&mut function.versioned_configuration, Value::Null),
        })
        .collect();
    let stats = Stats { functions_marked: decisions.functions.len(), resources_added, references_rewired };
    (template, plan, stats)
}

/// Whether alarm `alarm`'s actions name `function` (its ID appears in a `Ref`, `Fn::GetAtt` or
/// `Fn::Sub` of one of them).
fn alarm_invokes(root: &Map, alarm: &str, function: &str) -> bool {
    let Some(props) = root.get("Resources").and_then(|r| r.get(alarm)).and_then(|a| a.get("Properties"))
    else {
        return false;
    };
    ["AlarmActions", "OKActions", "InsufficientDataActions"].iter().any(|key| {
        props
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|actions| actions.iter().any(|a| rewire::names_any_of(a, &|id| id == function)))
    })
}

fn rollback_alarm_invokes(alarm: &str, decision: &FunctionDecision) -> Diagnostic {
    let function = &decision.marked.logical_id;
    Diagnostic::warning(
        Path::resource(alarm).key("Properties"),
        format!(
            "{alarm} rolls back the deployments of {function} and its actions invoke {function}: they stay on the \
             function, since on the alias {} they would make the alias wait for itself",
            decision.alias
        ),
    )
    .with_help(format!("invoke another function from {alarm}, or use a separate alarm for rollback"))
}

/// Removes the `CanaryDeployment` key, and `Metadata` when that key was all it held.
fn consume_setting(resource: &mut Value, place: index::SettingPlace) {
    let Some(resource) = resource.as_object_mut() else { return };
    if let Some(holder) = resource.get_mut(place.key()).and_then(Value::as_object_mut) {
        let removed = holder.shift_remove(SETTING_KEY).is_some();
        if removed && holder.is_empty() && place == index::SettingPlace::Metadata {
            resource.shift_remove("Metadata");
        }
    }
}

/// The resources that follow one marked function: its version, alias, deployment group and alarms.
fn function_resources(function: &FunctionDecision, decisions: &Decisions) -> Vec<(String, Map)> {
    let fn_id = function.marked.logical_id.as_str();
    let condition = function.marked.condition.as_deref();
    let settings = &function.settings;
    let mut out = Vec::new();
    if !function.reuses_version {
        out.push((function.version.clone(), version::version(fn_id, condition)));
    }
    if !function.adopts_alias {
        let mut alias_resource = alias::alias(
            fn_id,
            &settings.alias,
            &function.version,
            settings.provisioned_concurrency,
            condition,
        );
        if settings.enabled {
            attach_update_policy(&mut alias_resource, function);
        }
        out.push((function.alias.clone(), alias_resource));
    }
    // Macro first, the permissions SAM would give the alias alone: the function keeps one.
    for kept in &function.outside_invokers {
        let own = permission::event_permission(&kept.attributes, &kept.properties);
        let for_alias = permission::alias_permission(&own, cfn::ref_to(&function.alias), None);
        out.push((kept.permission.clone(), own));
        out.push((ids::alias_permission(&kept.permission, fn_id), for_alias));
    }
    if !settings.enabled {
        return out;
    }
    // SAM generates the deployment group from the preference `sam_preference` wrote.
    if !function.marked.serverless {
        debug_assert!(decisions.application.is_some(), "an enabled function implies the application");
        let mut group = deployment_group::deployment_group(deployment_group::DeploymentGroupInputs {
            settings,
            application: ids::APPLICATION,
            service_role_arn: service_role_arn(settings),
            deployment_config_name: deployment_config_name(&settings.traffic),
            alarms: alarm_items(function),
            condition,
        });
        // CodeDeploy creates the group's triggers and runs its hooks with the role: the grants come
        // first (the role's own existence is already a dependency through ServiceRoleArn).
        if let Some(id) = &function.grant_policy {
            group.insert("DependsOn", Value::Array(vec![Value::from(id)]));
        }
        out.push((function.deployment_group.clone(), group));
    }
    if let Some(id) = &function.grant_policy {
        out.push((id.clone(), grant_policy(function, id)));
    }
    if let Some(smoke) = &function.smoke_test {
        out.push((smoke.logs.clone(), log_group::smoke_test_logs(condition)));
        out.push((
            smoke.role.clone(),
            role::smoke_test_role(fn_id, &smoke.logs, settings.permissions_boundary.clone(), condition),
        ));
        out.push((
            smoke.function.clone(),
            function::smoke_test(function::SmokeTestInputs {
                function: fn_id,
                code: &smoke.code,
                cases: &settings.smoke_test,
                role: &smoke.role,
                log_group: &smoke.logs,
                condition,
            }),
        ));
        let group_arn = policy::deployment_group_arn(smoke.application, &function.deployment_group);
        out.push((
            smoke.policy.clone(),
            policy::smoke_test_policy(&smoke.policy, &smoke.role, smoke.application, group_arn, condition),
        ));
    }
    for (id, metric) in &function.rollback_alarms {
        out.push((
            id.clone(),
            alarm::rollback_alarm(fn_id, &settings.alias, &function.version, *metric, condition),
        ));
    }
    out
}

/// Us-first, what SAM will generate for the marked SAM functions, as the dependency graph sees it:
/// each alias and deployment group (built as for any other function, so a cycle through them is
/// blamed on the same setting), and what SAM points at each alias.
fn sam_generated(resources: &Map, decisions: &Decisions) -> Map {
    let mut out = Map::new();
    for function in decisions.functions.iter().filter(|f| f.marked.serverless) {
        let fn_id = function.marked.logical_id.as_str();
        let settings = &function.settings;
        let mut alias_resource = alias::alias(fn_id, &settings.alias, &function.version, None, None);
        // The alias before the group, as the SAM-first order has them.
        let group = settings.enabled.then(|| {
            attach_update_policy(&mut alias_resource, function);
            deployment_group::deployment_group(deployment_group::DeploymentGroupInputs {
                settings,
                application: sam::APPLICATION,
                service_role_arn: service_role_arn(settings),
                deployment_config_name: deployment_config_name(&settings.traffic),
                alarms: alarm_items(function),
                condition: None,
            })
        });
        out.insert(function.alias.clone(), Value::Object(alias_resource));
        if let Some(group) = group {
            out.insert(function.deployment_group.clone(), Value::Object(group));
        }
        if let Some(resource) = resources.get(fn_id) {
            sam_generated::alias_dependents(fn_id, resource, &function.alias, resources, &mut out);
        }
    }
    out
}

/// What SAM's `DeploymentPreference` of a us-first function says: what the deployment group says for
/// every other function.
fn sam_preference(function: &FunctionDecision) -> sam::Preference<'_> {
    sam::Preference {
        settings: &function.settings,
        code_sha256: function.code_sha256.as_deref(),
        condition: function.marked.condition.as_deref(),
        deployment_config: deployment_config_name(&function.settings.traffic),
        role: service_role_arn(&function.settings),
        alarms: alarm_items(function),
        pre_traffic_hook: function.settings.pre_traffic_hook.as_ref().map(hook_name),
        post_traffic_hook: function.settings.post_traffic_hook.as_ref().map(hook_name),
    }
}

/// The user's alarms, then the generated `RollbackOn` alarms, as `AlarmConfiguration.Alarms` items.
fn alarm_items(function: &FunctionDecision) -> Vec<Value> {
    let mut alarms = function.settings.alarms.clone();
    alarms.extend(
        function.rollback_alarms.iter().map(|(id, _)| resources::object([("Name", cfn::ref_to(id))])),
    );
    alarms
}

fn service_role_arn(settings: &Settings) -> Value {
    match &settings.service_role {
        Some(arn) => arn.clone(),
        None => cfn::get_att(ids::SERVICE_ROLE, "Arn"),
    }
}

fn deployment_config_name(traffic: &Traffic) -> Value {
    match traffic {
        Traffic::ConfigName(name) => Value::from(name),
        Traffic::Shape(shape) => cfn::ref_to(&ids::deployment_config(&shape.name())),
        Traffic::ConfigResource(id) => cfn::ref_to(id),
    }
}

fn attach_update_policy(alias_resource: &mut Map, function: &FunctionDecision) {
    let update = alias::AliasUpdate {
        application: ids::APPLICATION.to_owned(),
        deployment_group: function.deployment_group.clone(),
        before_allow_traffic_hook: function.settings.pre_traffic_hook.as_ref().map(hook_name),
        after_allow_traffic_hook: function.settings.post_traffic_hook.as_ref().map(hook_name),
    };
    alias_resource.insert("UpdatePolicy", alias::update_policy(&update));
    if !function.depends_on.is_empty() {
        let mut depends_on: Vec<Value> = match alias_resource.get("DependsOn") {
            Some(Value::String(one)) => vec![Value::String(one.clone())],
            Some(Value::Array(many)) => many.clone(),
            _ => Vec::new(),
        };
        for id in &function.depends_on {
            if !depends_on.iter().any(|d| d == id.as_str()) {
                depends_on.push(Value::from(id));
            }
        }
        alias_resource.insert("DependsOn", Value::Array(depends_on));
    }
}

/// An alias the template already declares for the function, under the same name, becomes ours.
fn adopt_alias(alias_resource: &mut Value, function: &FunctionDecision, diagnostics: &mut Vec<Diagnostic>) {
    let Some(alias_resource) = alias_resource.as_object_mut() else { return };
    let path = Path::resource(&function.alias);
    if let Some(props) = alias_resource.get_mut("Properties").and_then(Value::as_object_mut) {
        let points_at_version = props
            .get("FunctionVersion")
            .is_some_and(|v| v.get(cfn::GET_ATT).is_some() || v.get(cfn::REF).is_some())
            && !function.alias_version_removed;
        if !points_at_version {
            diagnostics.push(Diagnostic::warning(
                path.key("Properties").key("FunctionVersion"),
                format!(
                    "FunctionVersion {} replaced by the published version {}, since CodeDeploy shifts traffic \
                     only between published versions",
                    props.get("FunctionVersion").map_or_else(|| "(missing)".to_owned(), Value::to_string),
                    function.version
                ),
            ));
            props.insert("FunctionVersion", cfn::get_att(&function.version, "Version"));
        }
        if let Some(n) = function.settings.provisioned_concurrency {
            props.insert("ProvisionedConcurrencyConfig", json!({"ProvisionedConcurrentExecutions": n}));
        }
    }
    if function.settings.enabled {
        attach_update_policy(alias_resource, function);
    }
}

pub(super) fn service_role(role: &RoleDecision) -> Map {
    role::service_role(role::RoleInputs {
        permissions_boundary: role.permissions_boundary.clone(),
        condition: role.shared.condition.clone(),
    })
}

/// The generated role's grants for one function: its hooks and its trigger topics, each once.
pub(super) fn grant_policy(function: &FunctionDecision, logical_id: &str) -> Map {
    let mut hook_arns: Vec<Value> = Vec::with_capacity(2);
    for hook in
        [&function.settings.pre_traffic_hook, &function.settings.post_traffic_hook].into_iter().flatten()
    {
        let arn = hook_arn(hook);
        if !hook_arns.contains(&arn) {
            hook_arns.push(arn);
        }
    }
    let mut topic_arns: Vec<Value> = Vec::with_capacity(function.settings.triggers.len());
    for arn in function.settings.triggers.iter().filter_map(|t| t.get("TriggerTargetArn")) {
        if !topic_arns.contains(arn) {
            topic_arns.push(arn.clone());
        }
    }
    policy::grant_policy(
        logical_id,
        ids::SERVICE_ROLE,
        hook_arns,
        topic_arns,
        function.marked.condition.as_deref(),
    )
}

/// The hook as CodeDeploy's `UpdatePolicy` names it: the function's name.
fn hook_name(hook: &Hook) -> Value {
    match hook {
        Hook::Function(id) => cfn::ref_to(id),
        Hook::External(name) => Value::from(name),
    }
}

fn hook_arn(hook: &Hook) -> Value {
    match hook {
        Hook::Function(id) => cfn::get_att(id, "Arn"),
        Hook::External(arn) if arn.starts_with("arn:") => Value::from(arn),
        // `<account>:function:<name>`, the partial ARN Lambda accepts.
        Hook::External(partial) if partial.contains(':') && partial.split(':').nth(1) == Some("function") => {
            cfn::sub(format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:{partial}"))
        }
        Hook::External(name) => cfn::sub(format!(
            "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"
        )),
    }
}

fn hook_label(hook: &Hook) -> String {
    match hook {
        Hook::Function(id) => id.clone(),
        Hook::External(name) => name.clone(),
    }
}

fn traffic_label(traffic: &Traffic) -> String {
    match traffic {
        Traffic::ConfigName(name) => name.clone(),
        Traffic::Shape(shape) => format!("{} ({})", shape.name(), ids::deployment_config(&shape.name())),
        Traffic::ConfigResource(id) => format!("{id} (in the template)"),
    }
}

/// Drops the template-level defaults and this macro's entry in `Transform`, as CloudFormation hands
/// the template on to the next transform with ours done.
fn consume_template_settings(root: &mut Map) {
    if let Some(metadata) = root.get_mut("Metadata").and_then(Value::as_object_mut) {
        // Only a `Metadata` that held nothing but the defaults goes; one the author left empty stays.
        if metadata.shift_remove(DEFAULTS_KEY).is_some() && metadata.is_empty() {
            root.shift_remove("Metadata");
        }
    }
    let is_ours = |t: &Value| match t {
        Value::String(name) => name == TRANSFORM_NAME,
        Value::Object(obj) => obj.get("Name").and_then(Value::as_str) == Some(TRANSFORM_NAME),
        _ => false,
    };
    match root.get_mut("Transform") {
        Some(Value::Array(list)) => {
            list.retain(|t| !is_ours(t));
            if list.is_empty() {
                root.shift_remove("Transform");
            }
        }
        Some(one) if is_ours(one) => {
            root.shift_remove("Transform");
        }
        _ => {}
    }
}
