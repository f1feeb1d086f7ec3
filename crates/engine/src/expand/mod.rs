//! Orchestration of one expansion (docs/generated-resources.md).
//!
//! Two phases. *Analysis* reads the template once ([`index`]), parses every marked function's
//! settings, decides every logical ID, and checks that none collides; it changes nothing, so a
//! template with errors comes back untouched. *Generation* then rebuilds `Resources` in one pass,
//! placing each function's version, alias, deployment group and alarms right after it and the shared
//! resources (application, configs, role, hook policies) at the end, and hands the result to
//! [`crate::rewire`].

mod cycles;
pub(crate) mod index;
mod resources;
mod sam;
mod scan;
pub(crate) mod source;
mod types;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::json::{KeyHashing, Map, Value};

use self::index::{referenced_resource, MarkedFunction, TemplateIndex, DEFAULTS_KEY, SETTING_KEY};
use self::resources::alarm::RollbackMetric;
use self::resources::{
    alarm, alias, application, deployment_config, deployment_group, policy, role, version,
};
use crate::diag::{self, Diagnostic, Path};
use crate::rewire::{self, AliasTarget};
use crate::settings::{self, ConditionEvaluator, Hook, Scope, Settings, Shape, Traffic};
use crate::{ids, json, limits};

/// The name under which templates list this macro in `Transform`.
pub const TRANSFORM_NAME: &str = "CanaryDeployments";

/// What the expansion knows besides the template. Deliberately no `Default`: a caller states the
/// region, account and parameter values it expands for.
#[derive(Debug, Clone)]
pub struct Context {
    pub region: String,
    pub account_id: String,
    /// Values given for the stack's parameters; a parameter missing here takes its `Default`.
    pub parameter_values: Map,
}

/// The result of [`expand`]. When `diagnostics` holds an error, `template` must not be deployed
/// (errors found before generation leave it exactly as it came in).
#[derive(Debug, Clone)]
pub struct Expansion {
    pub template: Value,
    /// Sorted by path.
    pub diagnostics: Vec<Diagnostic>,
    /// One entry per marked function, in template order.
    pub plan: Vec<FunctionPlan>,
    pub stats: Stats,
}

impl Expansion {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Warns when the template, written as compact JSON in `json_bytes`, is over CloudFormation's
    /// limit for a processed template. [`expand`] does not serialize, so the caller that does
    /// reports the size it wrote: measuring it here would walk the whole output a second time.
    pub fn check_serialized_size(&mut self, json_bytes: usize) {
        if json_bytes > limits::MAX_PROCESSED_TEMPLATE_BYTES {
            let warning = Diagnostic::warning(
                Path::root(),
                format!(
                    "the expanded template is {json_bytes} bytes of JSON, over CloudFormation's limit of {} \
                     bytes for a processed template; the stack will be refused",
                    limits::MAX_PROCESSED_TEMPLATE_BYTES
                ),
            );
            let diagnostics = std::mem::take(&mut self.diagnostics);
            self.diagnostics = diag::finish(diagnostics.into_iter().chain([warning]).collect());
        }
    }

    /// [`Expansion::check_serialized_size`] for a caller that writes something else than compact
    /// JSON (YAML, indented JSON, nothing): counts the bytes without writing them.
    pub fn check_template_size(&mut self) {
        let json_bytes = compact_json_len(&self.template);
        self.check_serialized_size(json_bytes);
    }
}

/// What happens to one marked function, for `plan` and for logs.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionPlan {
    pub function: String,
    pub alias_name: String,
    pub alias_logical_id: String,
    pub enabled: bool,
    /// The deployment config name or shape, as a user reads it.
    pub traffic: String,
    pub pre_traffic_hook: Option<String>,
    pub post_traffic_hook: Option<String>,
    /// Alarms that roll the deployment back, as a user reads them.
    pub alarms: Vec<String>,
    /// Every invoker moved to the alias.
    pub moved: Vec<MovedInvoker>,
}

/// One invoker moved to an alias: the resource and the exact position of the reference. Kept
/// structured (rendered only by whoever prints a plan), since most expansions are never shown as one.
#[derive(Debug, Clone, PartialEq)]
pub struct MovedInvoker {
    pub resource: String,
    pub path: Path,
    /// What moved, when it is not a reference the macro rewrote (a SAM event source, which SAM itself
    /// points at the alias).
    pub label: Option<String>,
}

impl std::fmt::Display for MovedInvoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.label.as_deref().unwrap_or(&self.resource), self.path)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub functions_marked: usize,
    pub resources_added: usize,
    pub references_rewired: usize,
}

/// Expands every `CanaryDeployment` in `template`, as the macro does with the fragment CloudFormation
/// hands it (the template without its `Transform` section). Never panics, never fails: problems are
/// diagnostics.
///
/// An output over CloudFormation's limits (500 resources, 1 MB) is still built, with a warning that
/// names the limit: what the CLI shows.
pub fn expand(template: Value, ctx: &Context) -> Expansion {
    expand_as(template, ctx, Origin::Fragment, false)
}

/// [`expand`] for a template as its author wrote it, `Transform` section included (what the CLI
/// reads): it also reports what only the whole template shows, such as a missing or misspelled
/// transform, a section or reference CloudFormation refuses, or SAM's resources without SAM.
pub fn expand_source(template: Value, ctx: &Context) -> Expansion {
    expand_as(template, ctx, Origin::Source, false)
}

/// What `expand` of a template as written should say beside its output, which no diagnostic says:
/// with SAM listed first, CloudFormation runs SAM before the macro, which the offline expansion
/// cannot do.
pub fn expand_note(template: &Value) -> Option<String> {
    let root = template.as_object()?;
    let serverless = root.get("Resources")?.as_object()?.values().any(|r| {
        r.get("Type").and_then(Value::as_str) == Some(sam::SERVERLESS_FUNCTION)
            && [r.get("Metadata"), r.get("Properties")]
                .into_iter()
                .flatten()
                .any(|h| h.get(SETTING_KEY).is_some())
    });
    (serverless && source::Transforms::of(root).sam_first()).then(|| {
        "SAM is listed before CanaryDeployments, so at deploy time SAM runs first and this macro expands the \
         AWS::Lambda::Functions SAM generates; offline, without SAM, the marked AWS::Serverless::Functions \
         are written as SAM DeploymentPreferences instead, which deploy the same canaries under SAM's \
         resource names"
            .to_owned()
    })
}

/// Where the template comes from, and so what the expansion can know about its transforms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The macro's fragment: no `Transform` section.
    Fragment,
    /// The template as written.
    Source,
}

/// [`expand`] for the macro, which can only return what CloudFormation accepts: an output over
/// CloudFormation's limits is an error found before it is built or written. The resources it would
/// have are counted from the input and, after analysis, from what generation would add; its size as
/// compact JSON is counted (without writing it) before anyone serializes it. So an input of any size
/// costs no more than reading it, however much its expansion would have held.
pub fn expand_for_macro(template: Value, ctx: &Context) -> Expansion {
    expand_as(template, ctx, Origin::Fragment, true)
}

fn expand_as(template: Value, ctx: &Context, origin: Origin, within_limits: bool) -> Expansion {
    let mut diagnostics = Vec::new();
    if within_limits {
        // Every input resource stays in the output: past the limit already, nothing is worth analysing.
        let n_input = template.get("Resources").and_then(Value::as_object).map_or(0, Map::len);
        if n_input > limits::MAX_RESOURCES {
            diagnostics.push(too_many_resources(n_input, "has"));
            return Expansion { template, diagnostics, plan: Vec::new(), stats: Stats::default() };
        }
    }
    let bounds = if within_limits {
        Bounds { resources: limits::MAX_RESOURCES, settings_bytes: limits::MAX_PROCESSED_TEMPLATE_BYTES }
    } else {
        Bounds { resources: limits::MAX_CLI_RESOURCES, settings_bytes: limits::MAX_CLI_SETTINGS_BYTES }
    };
    let decided = analyse(&template, ctx, origin, &bounds, &mut diagnostics);
    let mut errors = diagnostics.iter().any(Diagnostic::is_error);
    let mut predicted = None;
    if let (false, Some(decisions)) = (errors, &decided) {
        let n_input = template.get("Resources").and_then(Value::as_object).map_or(0, Map::len);
        let n_output = n_input + resources_to_add(decisions);
        predicted = Some(resources_to_add(decisions));
        if n_output > bounds.resources {
            diagnostics.push(if within_limits {
                too_many_resources(n_output, "would have")
            } else {
                too_many_for_the_cli(n_output)
            });
            errors = true;
        }
    }
    let (template, plan, stats) = match (decided, template) {
        (Some(decisions), Value::Object(mut root)) if !errors => {
            match root.get_mut("Resources").map(std::mem::take) {
                Some(Value::Object(resources)) => generate(root, resources, decisions, &mut diagnostics),
                // Analysis accepts only an object `Resources`; keep the input whole all the same.
                other => {
                    root.insert("Resources", other.unwrap_or(Value::Null));
                    (Value::Object(root), Vec::new(), Stats::default())
                }
            }
        }
        (_, template) => (template, Vec::new(), Stats::default()),
    };
    if let (Some(predicted), false) = (predicted, errors) {
        debug_assert_eq!(stats.resources_added, predicted, "the resource count predicted before generation");
    }
    if within_limits && !diagnostics.iter().any(Diagnostic::is_error) {
        let json_bytes = compact_json_len(&template);
        if json_bytes > limits::MAX_PROCESSED_TEMPLATE_BYTES {
            diagnostics.push(Diagnostic::error(
                Path::root(),
                format!(
                    "the expanded template would be {json_bytes} bytes of JSON, over CloudFormation's limit of {} \
                     bytes for a processed template; split the template into nested stacks",
                    limits::MAX_PROCESSED_TEMPLATE_BYTES
                ),
            ));
        }
    }
    Expansion { template, diagnostics: diag::finish(diagnostics), plan, stats }
}

/// The error for an output of `n` resources, over CloudFormation's limit.
/// How far an expansion may go before it is refused unbuilt: CloudFormation's limits for the macro,
/// which cannot return more, and far beyond them for the CLI, which shows an over-limit expansion with
/// a warning but must stay within its memory on any input.
struct Bounds {
    resources: usize,
    /// Bytes of settings values the marked functions copy into the output (see [`settings_bytes`]).
    settings_bytes: usize,
}

fn too_many_for_the_cli(n: usize) -> Diagnostic {
    Diagnostic::error(
        Path::root().key("Resources"),
        format!(
            "the expanded template would have {n} resources, more than {} (a hundred times CloudFormation's \
             limit of {} for one stack), the most this CLI expands; nothing was expanded: split the template \
             into nested stacks",
            limits::MAX_CLI_RESOURCES,
            limits::MAX_RESOURCES
        ),
    )
}

/// The bytes of settings values that the marked functions copy into the expanded template: each
/// function's own values, and each template default once per function that inherits it. Counted on
/// the raw settings before any is parsed, since parsing copies the defaults into every function: a
/// long default in a template with many functions would otherwise be copied before anything could
/// refuse it. `PermissionsBoundary` (one role) and `Enabled` (no output) are not copied per function.
fn settings_bytes(marked: &[MarkedFunction], defaults: Option<&Map>) -> usize {
    const NOT_COPIED: &[&str] = &["PermissionsBoundary", "Enabled"];
    let copied = |key: &str| !NOT_COPIED.contains(&key);
    let inherited: Vec<(&str, usize)> = defaults
        .into_iter()
        .flatten()
        .filter(|(key, _)| copied(key))
        .map(|(key, value)| (&**key, compact_json_len(value)))
        .collect();
    let mut total = 0usize;
    for f in marked {
        let own = f.raw.as_object();
        for (key, value) in own.into_iter().flatten().filter(|(key, _)| copied(key)) {
            total = total.saturating_add(key.len() + compact_json_len(value));
        }
        for (key, n) in &inherited {
            if !own.is_some_and(|o| o.contains_key(key)) {
                total = total.saturating_add(key.len() + n);
            }
        }
    }
    total
}

fn too_many_resources(n: usize, verb: &str) -> Diagnostic {
    Diagnostic::error(
        Path::root().key("Resources"),
        format!(
            "the expanded template {verb} {n} resources, over CloudFormation's limit of {} for one stack; \
             nothing was expanded: split the template into nested stacks",
            limits::MAX_RESOURCES
        ),
    )
}

/// How many resources [`generate`] adds for `d`: per function its version, alias, deployment group and
/// rollback alarms (those it makes), then the shared application, deployment configs, role and hook
/// policies. Counted before building them, so that an output over the limit is never built.
fn resources_to_add(d: &Decisions) -> usize {
    let per_function: usize = d
        .functions
        .iter()
        .map(|f| {
            let own = usize::from(!f.reuses_version) + usize::from(!f.adopts_alias);
            let deployment = if f.settings.enabled {
                usize::from(!f.marked.serverless) + f.rollback_alarms.len()
            } else {
                0
            };
            own + deployment
        })
        .sum();
    per_function
        + usize::from(d.application.is_some())
        + d.configs.len()
        + usize::from(d.role.is_some())
        + d.hook_policies.len()
        + d.functions.iter().filter(|f| f.grant_policy.is_some()).count()
}

/// Everything generation needs, decided during analysis.
struct Decisions {
    functions: Vec<FunctionDecision>,
    metadata_copies: Vec<String>,
    /// `None` when no function is enabled: no CodeDeploy application or role is created.
    application: Option<Shared>,
    role: Option<RoleDecision>,
    configs: BTreeMap<Shape, Shared>,
    hook_policies: Vec<HookPolicyDecision>,
    /// Conditions added to the template: the `Fn::Or` of the conditions of a shared resource's users.
    conditions: Vec<(String, Value)>,
    /// SAM hooks that get their status permission in their `Policies`: the applications of their
    /// users, and the condition those users share.
    sam_hooks: BTreeMap<String, (Vec<&'static str>, Option<String>)>,
    /// Resources that name an API deployment, the only ones whose references a renamed deployment
    /// changes (see [`scan`]).
    deployment_mentions: HashSet<String, KeyHashing>,
    /// Resources rewiring does not know that name a marked function (see [`scan`]).
    function_mentions: Vec<String>,
}

struct FunctionDecision {
    marked: MarkedFunction,
    settings: Settings,
    version: String,
    reuses_version: bool,
    alias: String,
    adopts_alias: bool,
    /// The adopted alias's `FunctionVersion` names a resource that is not in the template: its version
    /// was removed to let the macro publish them, so it takes the published one.
    alias_version_removed: bool,
    deployment_group: String,
    rollback_alarms: Vec<(String, RollbackMetric)>,
    /// The user's alarms as the plan shows them, each `Fn::If` decided for this expansion's parameters.
    alarm_labels: Vec<String>,
    /// Hook policies the alias must wait for.
    depends_on: Vec<String>,
    /// The generated role's grants for this function's hooks and topics, which its deployment group
    /// waits for.
    grant_policy: Option<String>,
}

/// A resource shared by several functions: it exists when one of them does, so it carries no
/// condition when one of them has none, and otherwise their condition or a generated `Fn::Or` of them.
struct Shared {
    condition: Option<String>,
}

struct RoleDecision {
    shared: Shared,
    permissions_boundary: Option<Value>,
}

/// The status permission of one hook for one function that calls it.
struct HookPolicyDecision {
    logical_id: String,
    hook: String,
    role: String,
    application: &'static str,
    /// The calling function, its deployment group and its condition.
    function: String,
    deployment_group: String,
    condition: Option<String>,
}

fn analyse(
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
    let idx = index::index(resources, for_each_expanded_first, diagnostics);
    if let Some(transforms) = &transforms {
        source::check_transforms(root, &idx, transforms, diagnostics);
        source::check_references(root, &idx, transforms, diagnostics);
    }
    // The one deep walk, after the shallow index that names the deployments it looks for.
    let marked: HashSet<&str, KeyHashing> = idx.marked.iter().map(|m| m.logical_id.as_str()).collect();
    let scan = scan::scan(template, &idx.deployments, &marked);
    if let Some(path) = scan.too_deep {
        diagnostics.push(Diagnostic::error(
            path,
            format!("the template nests deeper than {} levels, the most this macro reads", limits::MAX_DEPTH),
        ));
        return None;
    }
    let empty = Map::new();
    let metadata = root.get("Metadata").and_then(Value::as_object);
    let n_bytes =
        settings_bytes(&idx.marked, metadata.and_then(|m| m.get(DEFAULTS_KEY)).and_then(Value::as_object));
    if n_bytes > bounds.settings_bytes {
        diagnostics.push(Diagnostic::error(
            Path::root(),
            format!(
                "the settings of the marked functions, with the template defaults each inherits, would copy \
                 {n_bytes} bytes into the expanded template, more than the {} bytes {}; nothing was expanded",
                bounds.settings_bytes,
                if bounds.settings_bytes == limits::MAX_PROCESSED_TEMPLATE_BYTES {
                    "CloudFormation accepts in a processed template"
                } else {
                    "this CLI expands (sixteen times what CloudFormation accepts)"
                }
            ),
        ));
        return None;
    }
    let defaults = match metadata.and_then(|m| m.get(DEFAULTS_KEY)) {
        Some(raw) => {
            settings::parse_defaults(raw, &Path::root().key("Metadata").key(DEFAULTS_KEY), diagnostics)
        }
        None => Map::new(),
    };
    let scope = Scope {
        resources,
        parameters: root.get("Parameters").and_then(Value::as_object).unwrap_or(&empty),
        parameter_values: &ctx.parameter_values,
        conditions: ConditionEvaluator::new(root, &ctx.parameter_values, &ctx.region, &ctx.account_id),
    };
    let mut parsed = Vec::new();
    for marked in &idx.marked {
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
            let alias_given = sam::alias_given(&marked.raw, &defaults);
            let res = &resources[&marked.logical_id];
            if marked.serverless {
                sam::reconcile(&marked.logical_id, res, root, alias_given, &mut settings, &path, diagnostics);
            } else {
                let id = &marked.logical_id;
                sam::adopt_published_alias(res, id, &idx, alias_given, &mut settings, &path, diagnostics);
            }
            parsed.push((marked.clone(), settings));
        }
    }
    if idx.marked.iter().any(|m| m.serverless) {
        sam::check_template(root, diagnostics);
    }
    let mut decisions = decide(resources, &scope, &idx, parsed, diagnostics)?;
    decisions.deployment_mentions = scan.deployment_mentions;
    decisions.function_mentions = scan.function_mentions;
    Some(decisions)
}

/// The logical ID a `Ref` or either `Fn::GetAtt` form names, whatever the attribute.
fn referenced_resource_any(value: &Value) -> Option<&str> {
    let obj = value.as_object().filter(|o| o.len() == 1)?;
    match (obj.get("Ref"), obj.get("Fn::GetAtt")) {
        (Some(Value::String(id)), _) => Some(id),
        (_, Some(Value::Array(parts))) => parts.first()?.as_str(),
        (_, Some(Value::String(dotted))) => dotted.split_once('.').map(|(id, _)| id),
        _ => None,
    }
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

/// CodeDeploy names each deployment group of an application once, and the template has one
/// application: two enabled functions (under the same condition) whose `DeploymentGroupName` is the
/// same string, or the same intrinsic (which evaluates to the same string), would expand cleanly and
/// then fail at deploy time.
fn check_group_names(enabled: &[&FunctionDecision], diagnostics: &mut Vec<Diagnostic>) {
    let mut first_user: BTreeMap<(String, Option<&str>), &str> = BTreeMap::new();
    for f in enabled {
        let Some(name) = &f.settings.deployment_group_name else { continue };
        let key = (name.to_string(), f.marked.condition.as_deref());
        let Some(first) = first_user.get(&key) else {
            first_user.insert(key, &f.marked.logical_id);
            continue;
        };
        // The name is always the function's own: settings refuse it as a template default.
        diagnostics.push(
            Diagnostic::error(
                f.marked.settings_path().key("DeploymentGroupName"),
                format!(
                    "DeploymentGroupName {name} is already the deployment group name of {first}: accepted \
                     is a name no other function of the template uses"
                ),
            )
            .with_help(format!(
                "leave DeploymentGroupName out for {} to let CloudFormation name its group",
                f.marked.logical_id
            )),
        );
    }
}

fn decide(
    resources: &Map,
    scope: &Scope<'_>,
    idx: &TemplateIndex,
    parsed: Vec<(MarkedFunction, Settings)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Decisions> {
    let mut functions = Vec::new();
    for (marked, settings) in parsed {
        let fn_id = marked.logical_id.clone();
        let (version, reuses_version) = match idx.versions.get(&fn_id) {
            // SAM publishes the version and names the alias as we do; neither is generated here.
            _ if marked.serverless => (sam::version_reference(&fn_id), true),
            Some(existing) => {
                if !ids::is_published_version(&fn_id, existing) {
                    diagnostics.push(fixed_version(&fn_id, existing));
                }
                (existing.clone(), true)
            }
            None => {
                let props = resources[&fn_id].get("Properties").and_then(Value::as_object);
                let hash = version::content_hash(props.unwrap_or(&Map::new()), scope);
                (ids::version(&fn_id, &hash), false)
            }
        };
        let alias_version_removed =
            idx.aliases.get(&(fn_id.clone(), settings.alias.clone())).is_some_and(|a| {
                let version = resources[a].get("Properties").and_then(|p| p.get("FunctionVersion"));
                version.and_then(referenced_resource_any).is_some_and(|id| !resources.contains_key(id))
            });
        let (alias, adopts_alias) = match idx.aliases.get(&(fn_id.clone(), settings.alias.clone())) {
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
        let rollback_alarms = rollback_metrics(&settings)
            .into_iter()
            .map(|m| (ids::rollback_alarm(&fn_id, m.id_part()), m))
            .collect();
        let alarm_labels =
            settings.alarms.iter().filter_map(|a| chosen(a, &scope.conditions)).map(alarm_label).collect();
        functions.push(FunctionDecision {
            alarm_labels,
            deployment_group: ids::deployment_group(&fn_id),
            marked,
            settings,
            version,
            reuses_version,
            alias,
            adopts_alias,
            alias_version_removed,
            rollback_alarms,
            depends_on: Vec::new(),
            grant_policy: None,
        });
    }

    let enabled: Vec<&FunctionDecision> = functions.iter().filter(|f| f.settings.enabled).collect();
    check_group_names(&enabled, diagnostics);
    for f in &enabled {
        check_conditions_of_named_resources(f, resources, diagnostics);
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
    for f in &enabled {
        if let Traffic::Shape(shape) = &f.settings.traffic {
            shape_users.entry(*shape).or_default().push(f);
        }
    }
    let configs = shape_users
        .into_iter()
        .map(|(shape, users)| (shape, Shared { condition: conditions.of(&users, existing, diagnostics) }))
        .collect();

    // Hook policies: one per hook function whose execution role is in the template.
    let mut hook_users: BTreeMap<&str, Vec<&FunctionDecision>> = BTreeMap::new();
    for f in &enabled {
        for hook in [&f.settings.pre_traffic_hook, &f.settings.post_traffic_hook].into_iter().flatten() {
            if let Hook::Function(hook) = hook {
                let users = hook_users.entry(hook.as_str()).or_default();
                // Functions come one at a time, so a function that is its own pre- and post-traffic
                // hook's user twice is the last one listed (a scan of all users was quadratic).
                if users.last().is_none_or(|u| u.marked.logical_id != f.marked.logical_id) {
                    users.push(f);
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
    for f in functions.iter_mut().filter(|f| f.settings.enabled) {
        if let Some(ids) = policies_of.remove(f.marked.logical_id.as_str()) {
            f.depends_on = ids;
        }
        let has_grants = !f.settings.triggers.is_empty()
            || f.settings.pre_traffic_hook.is_some()
            || f.settings.post_traffic_hook.is_some();
        if has_grants && f.settings.service_role.is_none() {
            f.grant_policy = Some(ids::grant_policy(&f.marked.logical_id));
        }
    }

    let metadata_copies = idx.metadata_copies.clone();
    let decisions = Decisions {
        functions,
        metadata_copies,
        application,
        role,
        configs,
        hook_policies,
        conditions: conditions.added,
        sam_hooks,
        deployment_mentions: HashSet::default(),
        function_mentions: Vec::new(),
    };
    check_collisions(resources, &decisions, diagnostics);
    Some(decisions)
}

/// A resource the settings name (a hook, a trigger topic, an alarm, a deployment config, a role) that
/// exists under a `Condition` the function does not have may be missing while the function's alias,
/// deployment group and grants refer to it: CloudFormation then fails the stack on an unresolved
/// reference. Guarding every one of those references would deploy the function without the hook or
/// alarm its author asked for, so it is an error: the resource must share the function's condition,
/// or have none.
fn check_conditions_of_named_resources(
    f: &FunctionDecision,
    resources: &Map,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let settings = &f.settings;
    let path = f.marked.settings_path();
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
    let own = f.marked.condition.as_deref();
    for (at, ids) in named {
        for (id, guards) in ids {
            let Some(theirs) = resources.get(id).and_then(|r| r.get("Condition")).and_then(Value::as_str)
            else {
                continue;
            };
            if Some(theirs) == own || guards.contains(&theirs) {
                continue;
            }
            let function = &f.marked.logical_id;
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
        if let Some(Value::Array(branches)) = value.get("Fn::If") {
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

/// The CodeDeploy application that deploys a function: SAM's for the functions SAM deploys.
fn application_of(f: &FunctionDecision) -> &'static str {
    if f.marked.serverless {
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
                many => resources::object([("Fn::Or", Value::Array(many.to_vec()))]),
            })
            .collect();
    }
    resources::object([("Fn::Or", Value::Array(terms))])
}

/// The generated role is one per template, so its users must agree on its boundary.
fn permissions_boundary(users: &[&FunctionDecision], diagnostics: &mut Vec<Diagnostic>) -> Option<Value> {
    let mut chosen: Option<(&FunctionDecision, &Value)> = None;
    for f in users {
        let Some(boundary) = &f.settings.permissions_boundary else { continue };
        match chosen {
            None => chosen = Some((f, boundary)),
            Some((first, b)) if b != boundary => diagnostics.push(Diagnostic::error(
                f.marked.settings_path().key("PermissionsBoundary"),
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
        if let Some(f) = users.iter().find(|f| f.settings.permissions_boundary.is_none()) {
            diagnostics.push(Diagnostic::error(
                f.marked.settings_path(),
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
        Value::Object(obj) => match obj.get("Fn::Sub").and_then(Value::as_str) {
            Some(text) => text.strip_prefix("${")?.strip_suffix(".Arn}")?,
            None => referenced_resource(role)?,
        },
        _ => return None,
    };
    let is_role = resources.get(id)?.get("Type").and_then(Value::as_str) == Some("AWS::IAM::Role");
    is_role.then(|| id.to_owned())
}

/// Every logical ID the expansion will add must be new, and unique among the generated ones.
fn check_collisions(resources: &Map, d: &Decisions, diagnostics: &mut Vec<Diagnostic>) {
    // Where each planned resource comes from, made a path only for an error: most templates have none.
    enum From<'a> {
        Setting(&'a FunctionDecision, Option<&'static str>),
        Template,
        Hook(&'a str),
    }
    let mut planned: Vec<(String, From<'_>)> = Vec::new();
    for f in &d.functions {
        if !f.reuses_version {
            planned.push((f.version.clone(), From::Setting(f, None)));
        }
        if !f.adopts_alias {
            planned.push((f.alias.clone(), From::Setting(f, Some("Alias"))));
        }
        if f.settings.enabled && !f.marked.serverless {
            planned.push((f.deployment_group.clone(), From::Setting(f, None)));
            for (id, _) in &f.rollback_alarms {
                planned.push((id.clone(), From::Setting(f, Some("RollbackOn"))));
            }
        }
        if let Some(id) = &f.grant_policy {
            planned.push((id.clone(), From::Setting(f, None)));
        }
    }
    if d.application.is_some() {
        planned.push((ids::APPLICATION.to_owned(), From::Template));
    }
    if d.role.is_some() {
        planned.push((ids::SERVICE_ROLE.to_owned(), From::Template));
    }
    for shape in d.configs.keys() {
        planned.push((ids::deployment_config(&shape.name()), From::Template));
    }
    for p in &d.hook_policies {
        planned.push((p.logical_id.clone(), From::Hook(&p.hook)));
    }
    // A generated policy's `PolicyName` is its logical ID, which IAM holds to a shorter limit.
    let policies = d
        .hook_policies
        .iter()
        .map(|p| {
            (
                &p.logical_id,
                Path::resource(&p.hook),
                format!("the hook's logical ID {} or the function's {}", p.hook, p.function),
            )
        })
        .chain(d.functions.iter().filter_map(|f| {
            let id = f.grant_policy.as_ref()?;
            Some((id, f.marked.settings_path(), format!("the function's logical ID {}", f.marked.logical_id)))
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
    let path_of = |from: &From<'_>| match *from {
        From::Setting(f, None) => f.marked.settings_path(),
        From::Setting(f, Some(key)) => f.marked.settings_path().key(key),
        From::Template => Path::root().key("Resources"),
        From::Hook(hook) => Path::resource(hook),
    };
    // SAM, running after the macro, names a us-first function's version, alias and deployment group
    // the same way, and CloudFormation holds its IDs to the same limit; only their length is ours to
    // check, the rollback alarms (generated here) besides.
    let mut sam_named = Vec::new();
    for f in d.functions.iter().filter(|f| f.marked.serverless) {
        let id = &f.marked.logical_id;
        // SAM's version ID ends in 10 hex digits of its own hash.
        let version = format!("{id}Version<10 hex>");
        let version_len = id.len() + "Version".len() + 10;
        sam_named.push((version, version_len, From::Setting(f, None)));
        let alias = ids::alias(id, &f.settings.alias);
        sam_named.push((alias.clone(), alias.len(), From::Setting(f, Some("Alias"))));
        if f.settings.enabled {
            let group = ids::deployment_group(id);
            sam_named.push((group.clone(), group.len(), From::Setting(f, None)));
            for (alarm, _) in &f.rollback_alarms {
                sam_named.push((alarm.clone(), alarm.len(), From::Setting(f, Some("RollbackOn"))));
            }
        }
    }
    let too_long = |id: &str, len: usize, from: &From<'_>, diagnostics: &mut Vec<Diagnostic>| {
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

fn generate(
    mut root: Map,
    old_resources: Map,
    d: Decisions,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Value, Vec<FunctionPlan>, Stats) {
    let by_function: HashMap<&str, &FunctionDecision, KeyHashing> =
        d.functions.iter().map(|f| (f.marked.logical_id.as_str(), f)).collect();
    let adopted: HashMap<&str, &FunctionDecision, KeyHashing> = d
        .functions
        .iter()
        .filter(|f| f.adopts_alias && !f.marked.serverless)
        .map(|f| (f.alias.as_str(), f))
        .collect();
    let mut generated: HashSet<String, KeyHashing> = HashSet::default();
    // Us-first, SAM points the function's own event sources at the alias: listed in the plan too.
    let mut sam_moves: BTreeMap<String, Vec<MovedInvoker>> = BTreeMap::new();
    // Room for every resource and the ones each function adds (version, alias, group, alarms).
    let mut out = Map::with_capacity(old_resources.len() + 8 * d.functions.len() + 8);
    let mut add = |out: &mut Map, id: String, res: Map| {
        generated.insert(id.clone());
        out.insert(id, Value::Object(res));
    };

    let any_serverless = d.functions.iter().any(|f| f.marked.serverless);
    let metadata_copies: HashSet<&str, KeyHashing> = d.metadata_copies.iter().map(String::as_str).collect();
    for (logical_id, mut res) in old_resources {
        if let Some(f) = adopted.get(logical_id.as_str()) {
            adopt_alias(&mut res, f, diagnostics);
        }
        if metadata_copies.contains(logical_id.as_str()) {
            consume_setting(&mut res, index::SettingPlace::Metadata);
        }
        if let Some((apps, condition)) = d.sam_hooks.get(logical_id.as_str()) {
            sam::add_hook_statement(&mut res, apps, condition.as_deref());
        }
        // Only SAM's own functions have connectors to grant; other templates skip the look at every
        // resource's type.
        if any_serverless {
            sam::grant_connector_alias(&mut res, &|id| {
                by_function.get(id).filter(|f| f.marked.serverless).map(|f| f.alias.clone())
            });
        }
        let Some(f) = by_function.get(logical_id.as_str()).copied() else {
            out.insert(logical_id, res);
            continue;
        };
        consume_setting(&mut res, f.marked.place);
        if f.marked.serverless {
            sam_moves.insert(logical_id.to_string(), sam::event_sources(&res, &logical_id));
            sam::write_preference(&mut res, sam_preference(f));
        }
        out.insert(logical_id, res);
        for (id, res) in function_resources(f, &d) {
            add(&mut out, id, res);
        }
    }
    if let Some(app) = &d.application {
        add(&mut out, ids::APPLICATION.to_owned(), application::application(app.condition.as_deref()));
    }
    for (shape, shared) in &d.configs {
        add(
            &mut out,
            ids::deployment_config(&shape.name()),
            deployment_config::deployment_config(shape, shared.condition.as_deref()),
        );
    }
    if let Some(role) = &d.role {
        add(&mut out, ids::SERVICE_ROLE.to_owned(), service_role(role));
    }
    for p in &d.hook_policies {
        let arn = policy::deployment_group_arn(p.application, &p.deployment_group);
        add(
            &mut out,
            p.logical_id.clone(),
            policy::hook_policy(&p.logical_id, &p.role, arn, p.condition.as_deref()),
        );
    }
    if !d.conditions.is_empty() {
        let conditions = root.entry("Conditions").or_insert_with(|| Value::Object(Map::new()));
        if let Some(conditions) = conditions.as_object_mut() {
            for (name, condition) in &d.conditions {
                conditions.insert(name.clone(), condition.clone());
            }
        }
    }
    let resources_added = generated.len();
    root.insert("Resources", Value::Object(out));

    let targets: BTreeMap<String, AliasTarget> = d
        .functions
        .iter()
        .map(|f| {
            let target =
                AliasTarget { alias_logical_id: f.alias.clone(), alias_name: f.settings.alias.clone() };
            (f.marked.logical_id.clone(), target)
        })
        .collect();
    // An alarm that rolls back a deployment keeps its actions on the functions they name: on the
    // alias, an action of an alarm of the function's own group would make the alias wait for itself
    // (alias, deployment group, alarm, alias).
    let mut untouched = generated.clone();
    for f in d.functions.iter().filter(|f| f.settings.enabled) {
        for alarm in &f.settings.alarms {
            let name = alarm.get("Name").unwrap_or(alarm);
            if let Some(id) = name.get("Ref").and_then(Value::as_str) {
                if !untouched.contains(id) && alarm_invokes(&root, id, &f.marked.logical_id) {
                    diagnostics.push(rollback_alarm_invokes(id, f));
                    untouched.insert(id.to_owned());
                }
            }
        }
    }
    let rewired = rewire::rewire(&mut root, &targets, &untouched, Some(&d.deployment_mentions), diagnostics);
    rewire::warn_unknown_references(&root, &d.function_mentions, &targets, diagnostics);

    consume_template_settings(&mut root);
    if let Some(Value::Object(resources)) = root.get("Resources") {
        report_cycles(resources, &d, &generated, diagnostics);
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
    let plan = d
        .functions
        .iter()
        .map(|f| FunctionPlan {
            function: f.marked.logical_id.clone(),
            alias_name: f.settings.alias.clone(),
            alias_logical_id: f.alias.clone(),
            enabled: f.settings.enabled,
            traffic: traffic_label(&f.settings.traffic),
            pre_traffic_hook: f.settings.pre_traffic_hook.as_ref().map(hook_label),
            post_traffic_hook: f.settings.post_traffic_hook.as_ref().map(hook_label),
            alarms: f
                .alarm_labels
                .iter()
                .cloned()
                .chain(f.rollback_alarms.iter().map(|(id, _)| id.clone()))
                .collect(),
            moved: sam_moves
                .remove(&f.marked.logical_id)
                .unwrap_or_default()
                .into_iter()
                .chain(moved.remove(&f.marked.logical_id).unwrap_or_default())
                .collect(),
        })
        .collect();
    let stats = Stats { functions_marked: d.functions.len(), resources_added, references_rewired };
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

fn rollback_alarm_invokes(alarm: &str, f: &FunctionDecision) -> Diagnostic {
    let function = &f.marked.logical_id;
    Diagnostic::warning(
        Path::resource(alarm).key("Properties"),
        format!(
            "{alarm} rolls back the deployments of {function} and its actions invoke {function}: they stay on the \
             function, since on the alias {} they would make the alias wait for itself",
            f.alias
        ),
    )
    .with_help(format!("invoke another function from {alarm}, or use a separate alarm for rollback"))
}

/// Every dependency cycle of the output is an error: CloudFormation would refuse the stack. A cycle
/// through what a function's settings name is reported at that setting, with why it cannot be
/// generated without one; any other at its first resource.
fn report_cycles(
    resources: &Map,
    d: &Decisions,
    generated: &HashSet<String, KeyHashing>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Every edge the expansion adds starts at a generated resource or an adopted alias, or ends at an
    // alias: a cycle it closes passes through one of them.
    let aliases: HashSet<&str, KeyHashing> = d.functions.iter().map(|f| f.alias.as_str()).collect();
    for cycle in cycles::find(resources, |id| generated.contains(id) || aliases.contains(id)) {
        let circle: Vec<&str> =
            cycle.iter().map(|e| e.from.as_str()).chain(cycle.first().map(|e| e.from.as_str())).collect();
        let circle = circle.join(" -> ");
        // Edges between generated resources are the expansion's structure; the setting to blame is
        // the one that names a resource of the template.
        let blame =
            cycle.iter().filter(|e| !generated.contains(e.to.as_str())).find_map(|e| setting_of_edge(e, d));
        let diagnostic = match blame {
            Some((path, why)) => Diagnostic::error(
                path,
                format!(
                    "this setting makes a dependency cycle, which CloudFormation refuses: {circle}; {why}"
                ),
            ),
            None => Diagnostic::error(
                Path::resource(&cycle[0].from),
                format!(
                    "the expanded template has a dependency cycle, which CloudFormation refuses: {circle} \
                     (at {})",
                    cycle.iter().map(|e| e.at.to_string()).collect::<Vec<_>>().join(", ")
                ),
            ),
        };
        diagnostics.push(diagnostic);
    }
}

/// The setting behind an edge the expansion made, and why the edge must be there.
fn setting_of_edge(e: &cycles::Edge, d: &Decisions) -> Option<(Path, &'static str)> {
    const ALARM: &str = "the deployment group waits for its alarms, and an alarm that refers to a \
        resource invoking the function waits for the alias, which waits for the group; watch a metric \
        that does not refer to an invoker (RollbackOn watches the function's own)";
    const HOOK: &str = "the alias waits for its hooks, and a hook that refers to a resource invoking the \
        function waits for the alias; give the hook that resource's name through a parameter or \
        look it up when it runs";
    const TRIGGER: &str = "the deployment group waits for its trigger topics, and a topic that \
        subscribes this function (or a function whose own trigger topic leads back here) waits for \
        that function's alias, which waits for its group; notify through a topic that subscribes no \
        function deployed by this template";
    let segments: Vec<String> =
        e.at.segments()
            .into_iter()
            .skip(2)
            .map(|s| match s {
                diag::Segment::Key(k) => k,
                diag::Segment::Index(i) => i.to_string(),
            })
            .collect();
    let inner: Vec<&str> = segments.iter().map(String::as_str).collect();
    for f in d.functions.iter().filter(|f| f.settings.enabled) {
        let settings = f.marked.settings_path();
        let hook_key = |hook: &str| {
            let is = |h: &Option<Hook>| matches!(h, Some(Hook::Function(id)) if id == hook);
            if is(&f.settings.pre_traffic_hook) {
                Some("PreTrafficHook")
            } else if is(&f.settings.post_traffic_hook) {
                Some("PostTrafficHook")
            } else {
                None
            }
        };
        if e.from == f.deployment_group && !f.marked.serverless {
            return match inner.as_slice() {
                ["Properties", "TriggerConfigurations", i, ..] => {
                    Some((settings.key("Triggers").index(i.parse().unwrap_or(0)), TRIGGER))
                }
                ["Properties", "AlarmConfiguration", "Alarms", i, ..] => {
                    let i: usize = i.parse().unwrap_or(0);
                    let path = if i < f.settings.alarms.len() {
                        settings.key("Alarms").index(i)
                    } else {
                        settings.key("RollbackOn")
                    };
                    Some((path, ALARM))
                }
                _ => None,
            };
        }
        if e.from == f.alias {
            return match inner.as_slice() {
                [.., "BeforeAllowTrafficHook"] => Some((settings.key("PreTrafficHook"), HOOK)),
                [.., "AfterAllowTrafficHook"] => Some((settings.key("PostTrafficHook"), HOOK)),
                ["DependsOn", ..] => d
                    .hook_policies
                    .iter()
                    .find(|p| p.logical_id == e.to)
                    .and_then(|p| hook_key(&p.hook))
                    .map(|key| (settings.key(key), HOOK)),
                _ => None,
            };
        }
        if f.grant_policy.as_deref() == Some(e.from.as_str()) {
            let hook = hook_key(&e.to);
            let trigger = f.settings.triggers.iter().position(|t| cycles::refers_to(t, &e.to));
            return Some(match (hook, trigger) {
                (Some(key), _) => (settings.key(key), HOOK),
                (None, Some(i)) => (settings.key("Triggers").index(i), TRIGGER),
                (None, None) => (settings.key("Triggers"), TRIGGER),
            });
        }
    }
    None
}

/// Removes the `CanaryDeployment` key, and `Metadata` when that key was all it held.
fn consume_setting(res: &mut Value, place: index::SettingPlace) {
    let Some(res) = res.as_object_mut() else { return };
    if let Some(holder) = res.get_mut(place.key()).and_then(Value::as_object_mut) {
        let removed = holder.shift_remove(SETTING_KEY).is_some();
        if removed && holder.is_empty() && place == index::SettingPlace::Metadata {
            res.shift_remove("Metadata");
        }
    }
}

/// The resources that follow one marked function: its version, alias, deployment group and alarms.
fn function_resources(f: &FunctionDecision, d: &Decisions) -> Vec<(String, Map)> {
    let fn_id = f.marked.logical_id.as_str();
    let condition = f.marked.condition.as_deref();
    let settings = &f.settings;
    let mut out = Vec::new();
    if !f.reuses_version {
        out.push((f.version.clone(), version::version(fn_id, condition)));
    }
    if !f.adopts_alias {
        let mut res =
            alias::alias(fn_id, &settings.alias, &f.version, settings.provisioned_concurrency, condition);
        if settings.enabled {
            attach_update_policy(&mut res, f);
        }
        out.push((f.alias.clone(), res));
    }
    if !settings.enabled {
        return out;
    }
    // SAM generates the deployment group from the preference `sam_preference` wrote.
    if !f.marked.serverless {
        debug_assert!(d.application.is_some(), "an enabled function implies the application");
        let mut group = deployment_group::deployment_group(deployment_group::DeploymentGroupInputs {
            settings,
            application: ids::APPLICATION,
            service_role_arn: service_role_arn(settings),
            deployment_config_name: deployment_config_name(&settings.traffic),
            alarms: alarm_items(f),
            condition,
        });
        // CodeDeploy creates the group's triggers and runs its hooks with the role: the grants come
        // first (the role's own existence is already a dependency through ServiceRoleArn).
        if let Some(id) = &f.grant_policy {
            group.insert("DependsOn", Value::Array(vec![Value::from(id)]));
        }
        out.push((f.deployment_group.clone(), group));
    }
    if let Some(id) = &f.grant_policy {
        out.push((id.clone(), grant_policy(f, id)));
    }
    for (id, metric) in &f.rollback_alarms {
        out.push((id.clone(), alarm::rollback_alarm(fn_id, &settings.alias, &f.version, *metric, condition)));
    }
    out
}

/// What SAM's `DeploymentPreference` of a us-first function says: what the deployment group says for
/// every other function.
fn sam_preference(f: &FunctionDecision) -> sam::Preference<'_> {
    sam::Preference {
        settings: &f.settings,
        condition: f.marked.condition.as_deref(),
        deployment_config: deployment_config_name(&f.settings.traffic),
        role: service_role_arn(&f.settings),
        alarms: alarm_items(f),
        pre_traffic_hook: f.settings.pre_traffic_hook.as_ref().map(hook_name),
        post_traffic_hook: f.settings.post_traffic_hook.as_ref().map(hook_name),
    }
}

/// The user's alarms, then the generated `RollbackOn` alarms, as `AlarmConfiguration.Alarms` items.
fn alarm_items(f: &FunctionDecision) -> Vec<Value> {
    let mut alarms = f.settings.alarms.clone();
    alarms.extend(
        f.rollback_alarms.iter().map(|(id, _)| resources::object([("Name", resources::reference(id))])),
    );
    alarms
}

fn service_role_arn(settings: &Settings) -> Value {
    match &settings.service_role {
        Some(arn) => arn.clone(),
        None => resources::get_att(ids::SERVICE_ROLE, "Arn"),
    }
}

fn deployment_config_name(traffic: &Traffic) -> Value {
    match traffic {
        Traffic::ConfigName(name) => Value::from(name),
        Traffic::Shape(shape) => resources::reference(&ids::deployment_config(&shape.name())),
        Traffic::ConfigResource(id) => resources::reference(id),
    }
}

fn attach_update_policy(res: &mut Map, f: &FunctionDecision) {
    let update = alias::AliasUpdate {
        application: ids::APPLICATION.to_owned(),
        deployment_group: f.deployment_group.clone(),
        before_allow_traffic_hook: f.settings.pre_traffic_hook.as_ref().map(hook_name),
        after_allow_traffic_hook: f.settings.post_traffic_hook.as_ref().map(hook_name),
    };
    res.insert("UpdatePolicy", alias::update_policy(&update));
    if !f.depends_on.is_empty() {
        let mut depends_on: Vec<Value> = match res.get("DependsOn") {
            Some(Value::String(one)) => vec![Value::String(one.clone())],
            Some(Value::Array(many)) => many.clone(),
            _ => Vec::new(),
        };
        for id in &f.depends_on {
            if !depends_on.iter().any(|d| d == id.as_str()) {
                depends_on.push(Value::from(id));
            }
        }
        res.insert("DependsOn", Value::Array(depends_on));
    }
}

/// An alias the template already declares for the function, under the same name, becomes ours.
fn adopt_alias(res: &mut Value, f: &FunctionDecision, diagnostics: &mut Vec<Diagnostic>) {
    let Some(res) = res.as_object_mut() else { return };
    let path = Path::resource(&f.alias);
    if let Some(props) = res.get_mut("Properties").and_then(Value::as_object_mut) {
        let points_at_version = props
            .get("FunctionVersion")
            .is_some_and(|v| v.get("Fn::GetAtt").is_some() || v.get("Ref").is_some())
            && !f.alias_version_removed;
        if !points_at_version {
            diagnostics.push(Diagnostic::warning(
                path.key("Properties").key("FunctionVersion"),
                format!(
                    "FunctionVersion {} replaced by the published version {}, since CodeDeploy shifts traffic \
                     only between published versions",
                    props.get("FunctionVersion").map_or_else(|| "(missing)".to_owned(), Value::to_string),
                    f.version
                ),
            ));
            props.insert("FunctionVersion", resources::get_att(&f.version, "Version"));
        }
        if let Some(n) = f.settings.provisioned_concurrency {
            props.insert("ProvisionedConcurrencyConfig", json!({"ProvisionedConcurrentExecutions": n}));
        }
    }
    if f.settings.enabled {
        attach_update_policy(res, f);
    }
}

fn service_role(role: &RoleDecision) -> Map {
    role::service_role(role::RoleInputs {
        permissions_boundary: role.permissions_boundary.clone(),
        condition: role.shared.condition.clone(),
    })
}

/// The generated role's grants for one function: its hooks and its trigger topics, each once.
fn grant_policy(f: &FunctionDecision, logical_id: &str) -> Map {
    let mut hook_arns: Vec<Value> = Vec::with_capacity(2);
    for hook in [&f.settings.pre_traffic_hook, &f.settings.post_traffic_hook].into_iter().flatten() {
        let arn = hook_arn(hook);
        if !hook_arns.contains(&arn) {
            hook_arns.push(arn);
        }
    }
    let mut topic_arns: Vec<Value> = Vec::with_capacity(f.settings.triggers.len());
    for arn in f.settings.triggers.iter().filter_map(|t| t.get("TriggerTargetArn")) {
        if !topic_arns.contains(arn) {
            topic_arns.push(arn.clone());
        }
    }
    policy::grant_policy(logical_id, ids::SERVICE_ROLE, hook_arns, topic_arns, f.marked.condition.as_deref())
}

/// The hook as CodeDeploy's `UpdatePolicy` names it: the function's name.
fn hook_name(hook: &Hook) -> Value {
    match hook {
        Hook::Function(id) => resources::reference(id),
        Hook::External(name) => Value::from(name),
    }
}

fn hook_arn(hook: &Hook) -> Value {
    match hook {
        Hook::Function(id) => resources::get_att(id, "Arn"),
        Hook::External(arn) if arn.starts_with("arn:") => Value::from(arn),
        // `<account>:function:<name>`, the partial ARN Lambda accepts.
        Hook::External(partial) if partial.contains(':') && partial.split(':').nth(1) == Some("function") => {
            resources::sub(&format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:{partial}"))
        }
        Hook::External(name) => resources::sub(&format!(
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

/// The branch an `Fn::If` takes for this expansion's parameter values (through nested ones), `None`
/// for `AWS::NoValue`; any other value is itself. A condition that cannot be decided keeps the
/// `Fn::If` (settings have checked that its name exists).
fn chosen<'v>(value: &'v Value, conditions: &settings::ConditionEvaluator<'_>) -> Option<&'v Value> {
    let mut value = value;
    // Settings allow 8 levels of Fn::If in Alarms.
    for _ in 0..=8 {
        let Some(Value::Array(arg)) =
            value.as_object().filter(|o| o.len() == 1).and_then(|o| o.get("Fn::If"))
        else {
            break;
        };
        let [condition, then, otherwise] = arg.as_slice() else { break };
        match conditions.eval(&json!({ "Condition": condition }), &Path::root()) {
            Ok(true) => value = then,
            Ok(false) => value = otherwise,
            Err(_) => break,
        }
    }
    let no_value = value.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue");
    (!no_value).then_some(value)
}

fn alarm_label(item: &Value) -> String {
    match item.get("Name") {
        Some(Value::String(name)) => name.to_string(),
        Some(name) => match name.get("Ref").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => name.to_string(),
        },
        None => item.to_string(),
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

fn check_output_limits(template: &Value, diagnostics: &mut Vec<Diagnostic>) {
    let n_resources = template.get("Resources").and_then(Value::as_object).map_or(0, Map::len);
    if n_resources > limits::MAX_RESOURCES {
        diagnostics.push(Diagnostic::warning(
            Path::root().key("Resources"),
            format!(
                "the expanded template has {n_resources} resources, over CloudFormation's limit of {}; \
                 the stack will be refused",
                limits::MAX_RESOURCES
            ),
        ));
    }
    // The size in bytes is checked by whoever serializes: see `Expansion::check_serialized_size`.
}

/// The length of `value` as compact JSON (what `serde_json::to_string` writes), counted without
/// writing it: the limit check must not cost a second serialization of every template.
fn compact_json_len(value: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        n += match value {
            Value::Null => 4,
            Value::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Value::Number(number) => number_len(number),
            Value::String(s) => string_len(s),
            Value::Array(items) => {
                stack.extend(items);
                2 + items.len().saturating_sub(1)
            }
            Value::Object(obj) => {
                stack.extend(obj.values());
                // Braces, one colon per member, commas between members.
                2 + obj.len() + obj.len().saturating_sub(1) + obj.keys().map(|k| string_len(k)).sum::<usize>()
            }
        };
    }
    n
}

/// A JSON string's length with its quotes and serde_json's escapes: `\"`, `\\` and the short control
/// escapes take two bytes, other control characters six (`\u00XX`), everything else itself.
fn string_len(s: &str) -> usize {
    2 + s.len()
        + s.bytes()
            .map(|b| match b {
                b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
                0..=0x1f => 5,
                _ => 0,
            })
            .sum::<usize>()
}

fn number_len(number: &serde_json::Number) -> usize {
    let digits = |mut v: u64| {
        let mut d = 1;
        while v >= 10 {
            v /= 10;
            d += 1;
        }
        d
    };
    match (number.as_u64(), number.as_i64()) {
        (Some(u), _) => digits(u),
        (None, Some(i)) => 1 + digits(i.unsigned_abs()),
        // Floats are rare in templates; formatting the few there are is cheap.
        _ => number.to_string().len(),
    }
}

#[cfg(test)]
mod tests {
    use crate::json;

    #[test]
    fn compact_json_len_matches_serde_json() {
        let value = json!({
            "a": [1, -20, 3.5, 1e300, null, true, false, "q\"uo\\te\n\u{1}\u{7f}é"],
            "": {}, "b": [], "c": {"d": u64::MAX, "e": i64::MIN},
        });
        assert_eq!(super::compact_json_len(&value), serde_json::to_string(&value).unwrap().len());
    }

    #[test]
    fn the_size_warning_comes_from_the_length_the_caller_wrote() {
        let template = json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
        let mut expansion = super::expand(
            template,
            &super::Context {
                region: "us-east-1".into(),
                account_id: "123456789012".into(),
                parameter_values: crate::json::Map::new(),
            },
        );
        expansion.check_serialized_size(crate::limits::MAX_PROCESSED_TEMPLATE_BYTES);
        assert!(expansion.diagnostics.is_empty());
        expansion.check_serialized_size(crate::limits::MAX_PROCESSED_TEMPLATE_BYTES + 1);
        let [warning] = expansion.diagnostics.as_slice() else { panic!("{:?}", expansion.diagnostics) };
        assert!(!warning.is_error() && warning.message.contains("1048577 bytes of JSON"), "{warning}");
        // A template written some other way is measured as the compact JSON CloudFormation counts.
        let mut small = expansion.clone();
        small.diagnostics.clear();
        small.check_template_size();
        assert!(small.diagnostics.is_empty());
    }
}
