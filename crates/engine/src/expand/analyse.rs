//! Analysis: reads the template and every marked function's settings and decides what generation
//! builds ([`Decisions`]), without changing anything.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::checks::{check_collisions, check_conditions_of_named_resources, check_group_names};
use super::index::{self, referenced_resource, MarkedFunction, TemplateIndex};
use super::output::settings_bytes;
use super::resources::{self, alarm::RollbackMetric, version};
use super::scan::{self, Scan};
use super::{sam, sam_generated, source, Bounds, CodeLocation, Context, Origin};
use crate::cfn::{self, DEFAULTS_KEY};
use crate::diag::{Diagnostic, Path};
use crate::json::{KeyHashing, Map, Value};
use crate::rewire::{self, AliasTarget};
use crate::settings::{self, ConditionEvaluator, Hook, Scope, Settings, Shape, Traffic};
use crate::{ids, json, limits};

/// Everything generation needs, decided during analysis.
pub(super) struct Decisions {
    pub(super) functions: Vec<FunctionDecision>,
    pub(super) metadata_copies: Vec<String>,
    /// `None` when no function is enabled: no CodeDeploy application or role is created.
    pub(super) application: Option<Shared>,
    pub(super) role: Option<RoleDecision>,
    pub(super) configs: BTreeMap<Shape, Shared>,
    pub(super) hook_policies: Vec<HookPolicyDecision>,
    /// Conditions added to the template: the `Fn::Or` of the conditions of a shared resource's users.
    pub(super) conditions: Vec<(String, Value)>,
    /// SAM hooks that get their status permission in their `Policies`: the applications of their
    /// users, and the condition those users share.
    pub(super) sam_hooks: BTreeMap<String, (Vec<&'static str>, Option<String>)>,
    /// Resources that name an API deployment, the only ones whose references a renamed deployment
    /// changes (see [`scan`]).
    pub(super) deployment_mentions: HashSet<String, KeyHashing>,
    /// Resources rewiring does not know that name a marked function (see [`scan`]).
    pub(super) function_mentions: Vec<String>,
    /// Versions named by another content hash (SAM's), replaced by the one this rule names: old
    /// logical ID to new.
    pub(super) replaced_versions: BTreeMap<String, String>,
    /// The alias permissions rewiring may add (`rewire/permissions.rs`): one per permission and marked
    /// function it names, planned whether or not the permission stays, since that is decided only
    /// while rewiring.
    pub(super) alias_permissions: Vec<(String, String)>,
}

/// What a generated resource comes from, to say where a problem with its logical ID lies.
#[derive(Clone, Copy)]
pub(super) enum MadeFor<'a> {
    /// A function's settings, or one of them by key.
    Setting(&'a FunctionDecision, Option<&'static str>),
    /// Shared by the template's functions.
    Template,
    /// A hook's policy, for its status.
    Hook(&'a str),
    /// The alias's permission beside a user's permission.
    Permission(&'a str),
}

impl Decisions {
    /// The logical ID of every resource generation adds, with what each is made for: per function
    /// its version, alias, deployment group (SAM makes a us-first function's), rollback alarms and
    /// grants, then the application, role, deployment configs and hook policies.
    pub(super) fn generated_ids<'a>(&'a self) -> impl Iterator<Item = (Cow<'a, str>, MadeFor<'a>)> {
        let per_function = self.functions.iter().flat_map(|function| {
            let id = move |id: &'a String, key: Option<&'static str>| {
                (Cow::Borrowed(id.as_str()), MadeFor::Setting(function, key))
            };
            let enabled = function.settings.enabled;
            let version = (!function.reuses_version).then(|| id(&function.version, None));
            let alias = (!function.adopts_alias).then(|| id(&function.alias, Some("Alias")));
            let group =
                (enabled && !function.marked.serverless).then(|| id(&function.deployment_group, None));
            let alarms = function
                .rollback_alarms
                .iter()
                .filter(move |_| enabled)
                .map(move |(alarm, _)| id(alarm, Some("RollbackOn")));
            let grants = function.grant_policy.iter().map(move |policy| id(policy, None));
            let smoke = function.smoke_test.iter().flat_map(move |s| {
                [&s.logs, &s.role, &s.function, &s.policy].map(|smoke_id| id(smoke_id, Some("SmokeTest")))
            });
            let fn_id = function.marked.logical_id.as_str();
            let kept = function.outside_invokers.iter().flat_map(move |o| {
                [
                    Cow::Borrowed(o.permission.as_str()),
                    Cow::Owned(ids::alias_permission(&o.permission, fn_id)),
                ]
                .map(|kept_id| (kept_id, MadeFor::Setting(function, None)))
            });
            version.into_iter().chain(alias).chain(group).chain(alarms).chain(grants).chain(smoke).chain(kept)
        });
        let shared = self
            .application
            .iter()
            .map(|_| (Cow::Borrowed(ids::APPLICATION), MadeFor::Template))
            .chain(self.role.iter().map(|_| (Cow::Borrowed(ids::SERVICE_ROLE), MadeFor::Template)))
            .chain(
                self.configs
                    .keys()
                    .map(|shape| (Cow::Owned(ids::deployment_config(&shape.name())), MadeFor::Template)),
            )
            .chain(
                self.hook_policies
                    .iter()
                    .map(|p| (Cow::Borrowed(p.logical_id.as_str()), MadeFor::Hook(&p.hook))),
            )
            .chain(self.alias_permissions.iter().map(|(permission, function)| {
                (Cow::Owned(ids::alias_permission(permission, function)), MadeFor::Permission(permission))
            }));
        per_function.chain(shared)
    }
}

pub(super) struct FunctionDecision {
    pub(super) marked: MarkedFunction,
    pub(super) settings: Settings,
    pub(super) version: String,
    pub(super) reuses_version: bool,
    /// The logical ID of the version the alias points at (SAM's, for a us-first function).
    pub(super) version_logical_id: Option<String>,
    /// What Lambda snapshots into the version, as this deploy resolves it; `Null` when not computed.
    pub(super) versioned_configuration: Value,
    /// The function's `Description` with the version's hash after it (docs/versions.md), when the
    /// macro publishes the version.
    pub(super) description: Option<Value>,
    /// Us-first: the hash SAM names the version by (`AutoPublishCodeSha256`).
    pub(super) code_sha256: Option<String>,
    pub(super) alias: String,
    pub(super) adopts_alias: bool,
    /// The adopted alias's `FunctionVersion` names a resource that is not in the template: its version
    /// was removed to let the macro publish them, so it takes the published one.
    pub(super) alias_version_removed: bool,
    pub(super) deployment_group: String,
    pub(super) rollback_alarms: Vec<(String, RollbackMetric)>,
    /// The user's alarms as the plan shows them, each `Fn::If` decided for this expansion's parameters.
    pub(super) alarm_labels: Vec<String>,
    /// Hook policies the alias must wait for.
    pub(super) depends_on: Vec<String>,
    /// The generated role's grants for this function's hooks and topics, which its deployment group
    /// waits for.
    pub(super) grant_policy: Option<String>,
    /// The built-in pre-traffic hook, for an enabled function with `SmokeTest`.
    pub(super) smoke_test: Option<SmokeTestDecision>,
    /// Macro first, the events whose permission stays on the function, which the macro writes with
    /// the alias's beside it instead of SAM.
    pub(super) outside_invokers: Vec<sam_generated::OutsideInvoker>,
}

/// The resources of one function's smoke test hook, and what they are built from.
pub(super) struct SmokeTestDecision {
    pub(super) function: String,
    pub(super) role: String,
    pub(super) policy: String,
    pub(super) logs: String,
    pub(super) code: CodeLocation,
    /// The CodeDeploy application whose revisions the hook reads: SAM's for a function SAM deploys.
    pub(super) application: &'static str,
}

/// A resource shared by several functions: it exists when one of them does, so it carries no
/// condition when one of them has none, and otherwise their condition or a generated `Fn::Or` of them.
pub(super) struct Shared {
    pub(super) condition: Option<String>,
}

pub(super) struct RoleDecision {
    pub(super) shared: Shared,
    pub(super) permissions_boundary: Option<Value>,
}

/// The status permission of one hook for one function that calls it.
pub(super) struct HookPolicyDecision {
    pub(super) logical_id: String,
    pub(super) hook: String,
    pub(super) role: String,
    pub(super) application: &'static str,
    /// The calling function, its deployment group and its condition.
    pub(super) function: String,
    pub(super) deployment_group: String,
    pub(super) condition: Option<String>,
}

pub(super) fn analyse(
    template: &Value,
    ctx: &Context,
    origin: Origin,
    bounds: &Bounds,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Decisions> {
    let Some(root) = template.as_object() else {
        diagnostics.push(Diagnostic::error(
            Path::root(),
            format!(
                "the template is {}; a CloudFormation template is a JSON object with Resources",
                json::kind(template)
            ),
        ));
        return None;
    };
    let transforms = (origin == Origin::Source).then(|| source::Transforms::of(root));
    if let Some(transforms) = &transforms {
        // First: a misspelled section may be why Resources is missing.
        source::check_sections(root, transforms, diagnostics);
        super::parameters::check_values(root, &ctx.parameter_values, diagnostics);
    }
    let resources = match root.get("Resources") {
        Some(Value::Object(resources)) => resources,
        Some(other) => {
            diagnostics.push(Diagnostic::error(
                Path::root().key("Resources"),
                format!("Resources is {}; it must be an object of logical ID to resource", json::kind(other)),
            ));
            return None;
        }
        None => {
            diagnostics.push(Diagnostic::error(
                Path::root(),
                "the template has no Resources; CanaryDeployments expands whole templates (a template-level \
                 Transform), not snippets",
            ));
            return None;
        }
    };
    // With AWS::LanguageExtensions listed first, its `Fn::ForEach` is expanded before the macro runs.
    let for_each_expanded_first = transforms
        .as_ref()
        .is_some_and(|t| matches!((t.language_extensions, t.ours), (Some(le), Some(ours)) if le < ours));
    let template_index = index::index(resources, for_each_expanded_first, diagnostics);
    let marked: HashSet<&str, KeyHashing> =
        template_index.marked.iter().map(|m| m.logical_id.as_str()).collect();
    if let Some(transforms) = &transforms {
        source::check_transforms(root, &template_index, transforms, diagnostics);
        source::check_references(root, &marked, transforms, diagnostics);
    }
    // The one deep walk, after the shallow index that names the deployments it looks for.
    // How invokers may spell each marked function's name, for the warning about unknown invokers.
    let names: HashSet<String, KeyHashing> = template_index
        .marked
        .iter()
        .filter_map(|m| resources.get(m.logical_id.as_str())?.get("Properties")?.get("FunctionName"))
        .filter_map(crate::rewire::function_name_key)
        .collect();
    let scan = scan::scan(template, &template_index.deployments, &marked, &names);
    if let Some(path) = scan.too_deep {
        diagnostics.push(Diagnostic::error(
            path,
            format!("the template nests deeper than {} levels, the most this macro reads", limits::MAX_DEPTH),
        ));
        return None;
    }
    let empty = Map::new();
    let metadata = root.get("Metadata").and_then(Value::as_object);
    let n_bytes = settings_bytes(
        &template_index.marked,
        metadata.and_then(|m| m.get(DEFAULTS_KEY)).and_then(Value::as_object),
    );
    if n_bytes > bounds.settings_bytes {
        diagnostics.push(Diagnostic::error(
            Path::root(),
            format!(
                "the settings of the marked functions, with the template defaults each inherits, would copy \
                 {n_bytes} bytes into the expanded template, more than the {} bytes {}; nothing was expanded",
                bounds.settings_bytes, bounds.settings_bytes_of
            ),
        ));
        return None;
    }
    let defaults = match metadata.and_then(|m| m.get(DEFAULTS_KEY)) {
        Some(raw) => settings::parse_defaults(raw, &settings::defaults_path(), diagnostics),
        None => Map::new(),
    };
    let scope = Scope {
        resources,
        parameters: root.get("Parameters").and_then(Value::as_object).unwrap_or(&empty),
        parameter_values: &ctx.parameter_values,
        conditions: ConditionEvaluator::new(root, &ctx.parameter_values, &ctx.region, &ctx.account_id),
    };
    let mut parsed = Vec::new();
    for marked in &template_index.marked {
        let path = marked.settings_path();
        if let Some(settings) = settings::parse_function_settings(
            &marked.logical_id,
            &marked.raw,
            &path,
            &defaults,
            &scope,
            diagnostics,
        ) {
            let mut settings = settings;
            if !settings.smoke_test.is_empty() && settings.enabled && ctx.smoke_hook_code.is_none() {
                diagnostics.push(no_smoke_hook_code(&marked.logical_id, &path));
            }
            let alias_given = sam::alias_given(&marked.raw, &defaults);
            let resource = &resources[&marked.logical_id];
            if marked.serverless {
                sam::reconcile(
                    &marked.logical_id,
                    resource,
                    root,
                    alias_given,
                    &mut settings,
                    &path,
                    diagnostics,
                );
            } else {
                let id = &marked.logical_id;
                sam::adopt_published_alias(
                    resource,
                    id,
                    &template_index,
                    alias_given,
                    &mut settings,
                    &path,
                    diagnostics,
                );
            }
            parsed.push((marked.clone(), settings));
        }
    }
    if template_index.marked.iter().any(|m| m.serverless) {
        sam::check_template(root, diagnostics);
    }
    let smoke_hook_code = ctx.smoke_hook_code.as_ref();
    Some(decide(resources, &scope, &template_index, parsed, scan, smoke_hook_code, diagnostics))
}

/// The hook's code is an S3 object the macro's install publishes; an expansion that does not know
/// where cannot write the hook, and deploying the canary without its smoke test would drop a check.
fn no_smoke_hook_code(function: &str, path: &Path) -> Diagnostic {
    Diagnostic::error(
        path.key("SmokeTest"),
        format!(
            "{function} has a SmokeTest, but this expansion was not told where the smoke test hook's code is"
        ),
    )
    .with_help(
        "the macro reads it from SMOKE_HOOK_CODE_BUCKET and SMOKE_HOOK_CODE_KEY, which the install templates \
         set from CodeBucket and SmokeTestCodeKey (docs/smoke-test.md); the CLI takes --smoke-hook-bucket \
         (and --smoke-hook-key)",
    )
}

/// An alias the macro adopts becomes what every invoker of the function references; under a
/// condition the function does not share, it may not exist while they do, and CloudFormation refuses
/// a reference to a resource that was not created. Guarding each moved reference would leave the
/// invokers on the function, outside the canary, whenever the condition is false, so this is an error.
fn conditional_alias(
    alias: &str,
    function: &str,
    condition: Option<&str>,
    marked: &MarkedFunction,
) -> Diagnostic {
    let own = match &marked.condition {
        Some(c) => format!("{function} is under Condition {c}"),
        None => format!("{function} has no Condition"),
    };
    Diagnostic::error(
        Path::resource(alias).key("Condition"),
        format!(
            "the alias {alias} of {function} is under Condition {}, but {own}: the invokers moved to the alias \
             would reference a resource that may not exist; accepted is an alias under the function's own \
             condition, or none",
            condition.unwrap_or_default()
        ),
    )
    .with_help(format!(
        "give {alias} the Condition of {function}, or remove {alias} and let the macro generate the alias"
    ))
}

/// A version the template declares by hand is published once and never again: the function's later
/// changes reach `$LATEST` only, so the alias never gets a new version and no deployment ever runs.
/// The version is kept (removing it here would delete what the alias serves), and the author is told
/// how to hand publishing over to the macro. Replacing it by a hashed version in the same deploy was
/// not chosen: with the function unchanged, Lambda refuses to publish the same configuration twice.
fn fixed_version(function: &str, version: &str) -> Diagnostic {
    Diagnostic::warning(
        Path::resource(version),
        format!(
            "{version} is an AWS::Lambda::Version of {function} written in the template, published once and \
             never again: later changes of {function} publish no version, so CodeDeploy never shifts traffic \
             to them"
        ),
    )
    .with_help(format!(
        "remove {version} (and references to it) in the same deploy as a change of {function}'s code or \
         configuration; the macro then publishes {function}Version<hash> whenever the function changes"
    ))
}

fn decide(
    resources: &Map,
    scope: &Scope<'_>,
    template_index: &TemplateIndex,
    parsed: Vec<(MarkedFunction, Settings)>,
    scan: Scan,
    smoke_hook_code: Option<&CodeLocation>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Decisions {
    let mut functions = Vec::new();
    let resolver = version::Resolver::new(scope);
    let globals =
        scope.conditions.template.get("Globals").and_then(|g| g.get("Function")).and_then(Value::as_object);
    let empty = Map::new();
    let mut replaced_versions = BTreeMap::new();
    for (marked, settings) in parsed {
        let fn_id = marked.logical_id.clone();
        let props = resources[&fn_id].get("Properties").and_then(Value::as_object).unwrap_or(&empty);
        let mut stamp = None;
        let (version, reuses_version, published) = match template_index.versions.get(&fn_id) {
            // SAM publishes the version, named by the hash given as its `AutoPublishCodeSha256`.
            _ if marked.serverless => {
                let published = resolver.versioned(props, Some((&fn_id, globals)));
                stamp = Some(published.hash.clone());
                (sam::version_reference(&fn_id), true, Some(published))
            }
            // A version named by a content hash (SAM's `AutoPublishAlias`) follows only the content
            // that hash covers: replaced by one named by this rule.
            Some(existing) if ids::is_published_version(&fn_id, existing) => {
                let published = resolver.versioned(props, None);
                let ours = ids::version(&fn_id, &published.hash);
                let reuses = *existing == ours;
                if !reuses {
                    replaced_versions.insert(existing.clone(), ours.clone());
                }
                (ours, reuses, Some(published))
            }
            Some(existing) => {
                diagnostics.push(fixed_version(&fn_id, existing));
                (existing.clone(), true, None)
            }
            None => {
                let published = resolver.versioned(props, None);
                (ids::version(&fn_id, &published.hash), false, Some(published))
            }
        };
        let (version_logical_id, versioned_configuration, description) = match published {
            Some(published) => {
                let description =
                    if marked.serverless { None } else { described(&fn_id, props, &published, diagnostics) };
                let id =
                    if marked.serverless { ids::version(&fn_id, &published.hash) } else { version.clone() };
                (Some(id), published.configuration, description)
            }
            None => (Some(version.clone()), Value::Null, None),
        };
        let existing_alias = template_index.aliases.get(&(fn_id.clone(), settings.alias.clone()));
        let alias_version_removed = existing_alias.is_some_and(|a| {
            let version = resources[a].get("Properties").and_then(|p| p.get("FunctionVersion"));
            version
                .and_then(cfn::single_key)
                .and_then(|(key, arg)| cfn::ref_or_get_att_target(key, arg))
                .is_some_and(|id| !resources.contains_key(id))
        });
        let (alias, adopts_alias) = match existing_alias {
            _ if marked.serverless => (ids::alias(&fn_id, &settings.alias), true),
            Some(existing) => {
                let alias_condition = resources[existing].get("Condition").and_then(Value::as_str);
                if alias_condition.is_some() && alias_condition != marked.condition.as_deref() {
                    diagnostics.push(conditional_alias(existing, &fn_id, alias_condition, &marked));
                }
                if resources[existing].pointer("/UpdatePolicy/CodeDeployLambdaAliasUpdate").is_some() {
                    diagnostics.push(
                        Diagnostic::error(
                            Path::resource(existing).key("UpdatePolicy"),
                            format!(
                                "the alias {existing} of {fn_id} is already deployed by CodeDeploy (its UpdatePolicy \
                                 comes from SAM's DeploymentPreference or is written by hand); a function takes one"
                            ),
                        )
                        .with_help(format!(
                            "remove DeploymentPreference from the SAM function (or the alias's UpdatePolicy), or \
                             remove the CanaryDeployment of {fn_id}"
                        )),
                    );
                }
                (existing.clone(), true)
            }
            None => (ids::alias(&fn_id, &settings.alias), false),
        };
        let outside_invokers = if marked.serverless {
            let kept = sam_generated::outside_invokers(&fn_id, &resources[&fn_id], resources);
            let target = AliasTarget {
                alias_logical_id: alias.clone(),
                alias_name: settings.alias.clone(),
                function_name: None,
            };
            for o in &kept {
                let api = o.api.as_deref();
                diagnostics.push(rewire::kept_for_event(&o.permission, &fn_id, &target, &o.properties, api));
            }
            kept
        } else {
            Vec::new()
        };
        let rollback_alarms = rollback_metrics(&settings)
            .into_iter()
            .map(|m| (ids::rollback_alarm(&fn_id, m.id_part()), m))
            .collect();
        let alarm_labels =
            settings.alarms.iter().filter_map(|a| chosen(a, &scope.conditions)).map(alarm_label).collect();
        let smoke_test =
            smoke_hook_code.filter(|_| settings.enabled && !settings.smoke_test.is_empty()).map(|code| {
                SmokeTestDecision {
                    function: ids::smoke_test(&fn_id),
                    role: ids::smoke_test_role(&fn_id),
                    policy: ids::smoke_test_policy(&fn_id),
                    logs: ids::smoke_test_logs(&fn_id),
                    code: code.clone(),
                    application: if marked.serverless { sam::APPLICATION } else { ids::APPLICATION },
                }
            });
        functions.push(FunctionDecision {
            smoke_test,
            alarm_labels,
            deployment_group: ids::deployment_group(&fn_id),
            marked,
            settings,
            version,
            reuses_version,
            version_logical_id,
            versioned_configuration,
            description,
            code_sha256: stamp,
            alias,
            adopts_alias,
            alias_version_removed,
            rollback_alarms,
            depends_on: Vec::new(),
            grant_policy: None,
            outside_invokers,
        });
    }

    let enabled: Vec<&FunctionDecision> = functions.iter().filter(|f| f.settings.enabled).collect();
    check_group_names(&enabled, diagnostics);
    for function in &enabled {
        check_conditions_of_named_resources(function, resources, diagnostics);
    }
    // SAM generates its own application for the functions it deploys.
    let app_users: Vec<&FunctionDecision> =
        enabled.iter().copied().filter(|f| !f.marked.serverless).collect();
    let mut conditions = SharedConditions::default();
    let existing = scope.conditions.template.get("Conditions").and_then(Value::as_object);
    let application = (!app_users.is_empty())
        .then(|| Shared { condition: conditions.of(&app_users, existing, diagnostics) });
    let role_users: Vec<&FunctionDecision> =
        enabled.iter().copied().filter(|f| f.settings.service_role.is_none()).collect();
    let role = if role_users.is_empty() {
        None
    } else {
        Some(RoleDecision {
            shared: Shared { condition: conditions.of(&role_users, existing, diagnostics) },
            permissions_boundary: permissions_boundary(&role_users, diagnostics),
        })
    };
    let mut shape_users: BTreeMap<Shape, Vec<&FunctionDecision>> = BTreeMap::new();
    for function in &enabled {
        if let Traffic::Shape(shape) = &function.settings.traffic {
            shape_users.entry(*shape).or_default().push(function);
        }
    }
    let configs = shape_users
        .into_iter()
        .map(|(shape, users)| (shape, Shared { condition: conditions.of(&users, existing, diagnostics) }))
        .collect();

    // Hook policies: one per hook function whose execution role is in the template.
    let mut hook_users: BTreeMap<&str, Vec<&FunctionDecision>> = BTreeMap::new();
    for function in &enabled {
        for hook in
            [&function.settings.pre_traffic_hook, &function.settings.post_traffic_hook].into_iter().flatten()
        {
            if let Hook::Function(hook) = hook {
                let users = hook_users.entry(hook.as_str()).or_default();
                // Functions come one at a time, so a function that is its own pre- and post-traffic
                // hook's user twice is the last one listed (a scan of all users was quadratic).
                if users.last().is_none_or(|u| u.marked.logical_id != function.marked.logical_id) {
                    users.push(function);
                }
            }
        }
    }
    let mut hook_policies = Vec::new();
    let mut sam_hooks = BTreeMap::new();
    // Hook logical IDs appear in BTreeMap order, so policies and warnings are deterministic.
    for (hook, users) in hook_users {
        if sam::takes_policies(resources, hook) {
            let mut apps: Vec<&'static str> = users.iter().map(|u| application_of(u)).collect();
            apps.sort_unstable();
            apps.dedup();
            sam_hooks.insert(hook.to_owned(), (apps, conditions.of(&users, existing, diagnostics)));
            continue;
        }
        match execution_role(resources, hook) {
            Some(role) => hook_policies.extend(users.iter().map(|u| HookPolicyDecision {
                logical_id: ids::hook_policy(hook, &u.marked.logical_id),
                hook: hook.to_owned(),
                role: role.clone(),
                application: application_of(u),
                function: u.marked.logical_id.clone(),
                deployment_group: u.deployment_group.clone(),
                condition: u.marked.condition.clone(),
            })),
            None => diagnostics.push(Diagnostic::warning(
                Path::resource(hook).key("Properties").key("Role"),
                format!(
                    "the hook's execution role is not an AWS::IAM::Role in this template, so no policy was \
                     attached; grant it codedeploy:PutLifecycleEventHookExecutionStatus on the deployment \
                     group{} {}",
                    if users.len() == 1 { "" } else { "s" },
                    users.iter().map(|u| u.deployment_group.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    // Each policy is one function's, so the alias waits for its own policies only.
    let mut policies_of: HashMap<&str, Vec<String>> = HashMap::new();
    for p in &hook_policies {
        policies_of.entry(p.function.as_str()).or_default().push(p.logical_id.clone());
    }
    for function in functions.iter_mut().filter(|f| f.settings.enabled) {
        if let Some(ids) = policies_of.remove(function.marked.logical_id.as_str()) {
            function.depends_on = ids;
        }
        // The smoke test is the function's pre-traffic hook from here on (settings refuse it beside
        // another): the alias's update policy names it, the CodeDeploy role may invoke it, and the
        // alias waits for it and for its CodeDeploy grants. Its policy is its own, not a hook
        // policy: its role is generated, not found in the template.
        if let Some(smoke) = &function.smoke_test {
            function.settings.pre_traffic_hook = Some(Hook::Function(smoke.function.clone()));
            function.depends_on.push(smoke.policy.clone());
            function.depends_on.push(smoke.function.clone());
        }
        let has_grants = !function.settings.triggers.is_empty()
            || function.settings.pre_traffic_hook.is_some()
            || function.settings.post_traffic_hook.is_some();
        if has_grants && function.settings.service_role.is_none() {
            function.grant_policy = Some(ids::grant_policy(&function.marked.logical_id));
        }
    }

    let metadata_copies = template_index.metadata_copies.clone();
    let decisions = Decisions {
        functions,
        metadata_copies,
        application,
        role,
        configs,
        hook_policies,
        conditions: conditions.added,
        sam_hooks,
        deployment_mentions: scan.deployment_mentions,
        function_mentions: scan.function_mentions,
        replaced_versions,
        alias_permissions: template_index.permissions.clone(),
    };
    check_collisions(resources, &decisions, diagnostics);
    decisions
}

/// The function's `Description` with the version's hash after it, or an error when that passes
/// Lambda's length limit.
fn described(
    function: &str,
    props: &Map,
    published: &version::Versioned,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let resolved = published.configuration.get("Description");
    match version::stamp(props.get("Description"), resolved, &published.hash) {
        Ok(description) => Some(description),
        Err(length) => {
            diagnostics.push(
                Diagnostic::error(
                    Path::resource(function).key("Properties").key("Description"),
                    format!(
                        "with the version's hash after it the description is {length} characters, over \
                         Lambda's {}; the hash goes there so that Lambda publishes whenever the version ID \
                         changes (docs/versions.md)",
                        version::MAX_DESCRIPTION
                    ),
                )
                .with_help(format!(
                    "shorten the description to at most {} characters",
                    version::MAX_DESCRIPTION - 11
                )),
            );
            None
        }
    }
}

/// The CodeDeploy application that deploys a function: SAM's for the functions SAM deploys.
fn application_of(function: &FunctionDecision) -> &'static str {
    if function.marked.serverless {
        sam::APPLICATION
    } else {
        ids::APPLICATION
    }
}

fn rollback_metrics(settings: &Settings) -> Vec<RollbackMetric> {
    let r = &settings.rollback_on;
    let mut metrics = Vec::new();
    metrics.extend(r.errors.map(RollbackMetric::Errors));
    metrics.extend(r.throttles.map(RollbackMetric::Throttles));
    metrics.extend(r.error_rate.map(RollbackMetric::ErrorRate));
    metrics.extend(r.duration_p99.map(RollbackMetric::DurationP99));
    metrics
}

/// The conditions generated for shared resources, one per distinct set of users' conditions.
#[derive(Default)]
struct SharedConditions {
    added: Vec<(String, Value)>,
    by_set: BTreeMap<Vec<String>, String>,
}

impl SharedConditions {
    /// The condition under which a resource shared by `users` must exist: none when one of them is
    /// unconditional, their one condition when they share it, else a generated `Fn::Or` of theirs
    /// (as SAM's `ServerlessCodeDeployCondition`). `Fn::Or` takes 2 to 10 conditions, so longer lists
    /// nest.
    fn of(
        &mut self,
        users: &[&FunctionDecision],
        existing: Option<&Map>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let mut set: Vec<String> = Vec::with_capacity(users.len());
        for u in users {
            set.push(u.marked.condition.clone()?);
        }
        set.sort_unstable();
        set.dedup();
        if let [one] = set.as_slice() {
            return Some(one.clone());
        }
        if let Some(name) = self.by_set.get(&set) {
            return Some(name.clone());
        }
        let name = ids::shared_condition(self.added.len() + 1);
        if existing.is_some_and(|c| c.contains_key(&name)) {
            diagnostics.push(Diagnostic::error(
                Path::root().key("Conditions").key(&name),
                format!(
                    "a condition named {name} already exists, and CanaryDeployments generates one with that \
                     name for the resources its functions under {} share",
                    set.join(", ")
                ),
            ));
        }
        let or = any_of(set.iter().map(|c| resources::object([("Condition", c.as_str().into())])).collect());
        self.added.push((name.clone(), or));
        self.by_set.insert(set, name.clone());
        Some(name)
    }
}

/// `Fn::Or` of two or more conditions, nested by tens.
fn any_of(mut terms: Vec<Value>) -> Value {
    while terms.len() > 10 {
        terms = terms
            .chunks(10)
            .map(|chunk| match chunk {
                [one] => one.clone(),
                many => resources::object([(cfn::OR, Value::Array(many.to_vec()))]),
            })
            .collect();
    }
    resources::object([(cfn::OR, Value::Array(terms))])
}

/// The generated role is one per template, so its users must agree on its boundary.
pub(super) fn permissions_boundary(
    users: &[&FunctionDecision],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let mut chosen: Option<(&FunctionDecision, &Value)> = None;
    for function in users {
        let Some(boundary) = &function.settings.permissions_boundary else { continue };
        match chosen {
            None => chosen = Some((function, boundary)),
            Some((first, b)) if b != boundary => diagnostics.push(Diagnostic::error(
                function.marked.settings_path().key("PermissionsBoundary"),
                format!(
                    "PermissionsBoundary differs from the one {} gives; the generated CodeDeploy role is shared \
                     by the template, so its functions must agree on one boundary",
                    first.marked.logical_id
                ),
            )
            .with_help("set PermissionsBoundary once in Metadata.CanaryDeployments, or give ServiceRole")),
            Some(_) => {}
        }
    }
    if let Some((first, _)) = chosen {
        if let Some(function) = users.iter().find(|f| f.settings.permissions_boundary.is_none()) {
            diagnostics.push(Diagnostic::error(
                function.marked.settings_path(),
                format!(
                    "this function has no PermissionsBoundary but {} has one; the generated CodeDeploy role is \
                     shared by the template, so its functions must agree on one boundary",
                    first.marked.logical_id
                ),
            ));
        }
    }
    chosen.map(|(_, b)| b.clone())
}

/// The logical ID of the `AWS::IAM::Role` a function runs as, when that role is in the template.
fn execution_role(resources: &Map, function: &str) -> Option<String> {
    let role = resources.get(function)?.get("Properties")?.get("Role")?;
    let id = match role {
        Value::Object(obj) => match obj.get(cfn::SUB).and_then(Value::as_str) {
            Some(text) => cfn::sole_placeholder(text)?.strip_suffix(".Arn")?,
            None => referenced_resource(role)?,
        },
        _ => return None,
    };
    let is_role = resources.get(id)?.get("Type").and_then(Value::as_str) == Some(cfn::IAM_ROLE);
    is_role.then(|| id.to_owned())
}

/// The branch an `Fn::If` takes for this expansion's parameter values (through nested ones), `None`
/// for `AWS::NoValue`; any other value is itself. A condition that cannot be decided keeps the
/// `Fn::If` (settings have checked that its name exists).
fn chosen<'v>(value: &'v Value, conditions: &settings::ConditionEvaluator<'_>) -> Option<&'v Value> {
    let mut value = value;
    // As deep as settings allow Fn::If in Alarms.
    for _ in 0..=limits::MAX_IF_NESTING {
        let Some((cfn::IF, Value::Array(arg))) = cfn::single_key(value) else { break };
        let [Value::String(condition), then, otherwise] = arg.as_slice() else { break };
        match conditions.eval_named(condition, &Path::root()) {
            Ok(true) => value = then,
            Ok(false) => value = otherwise,
            Err(_) => break,
        }
    }
    (!cfn::is_no_value(value)).then_some(value)
}

fn alarm_label(item: &Value) -> String {
    match item.get("Name") {
        Some(Value::String(name)) => name.to_string(),
        Some(name) => match cfn::ref_target(name) {
            Some(id) => id.to_owned(),
            None => name.to_string(),
        },
        None => item.to_string(),
    }
}
