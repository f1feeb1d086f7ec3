//! Rewiring (docs/rewiring.md): every reference to a marked function in an invoking position moves to its alias.
//!
//! `table.rs` is the only list of invoking positions; `matcher.rs` alone rewrites the reference forms
//! (`Ref`, both `Fn::GetAtt` forms, `Fn::Sub`, `Fn::Join`, `Fn::If`), which it reads through
//! `cfn::refs`. This file walks the resources once,
//! applying each resource's table row; `iam.rs` and `deployments.rs` carry the two actions that do more
//! than rewrite a reference. Nothing outside a table position changes, which is what keeps custom
//! resources, Lambda@Edge, log groups, `Outputs` and `DependsOn` as they were (`never.rs`).

mod deployments;
mod iam;
mod matcher;
pub mod never;
mod permissions;
pub mod table;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::LazyLock;

use crate::json::{KeyHashing, Map, Value};

use crate::cfn;
use crate::diag::{Diagnostic, Path};
use crate::json;
use crate::limits::MAX_DEPTH;
use deployments::Snapshots;
pub(crate) use matcher::{ids_named, names_any, names_any_of, rename, rename_depends_on};
pub(crate) use permissions::kept_for_event;
pub use permissions::KeptPermission;
use permissions::{Invokers, Served};
use table::{Action, Invoker, Step, INVOKERS};

/// Where a marked function's invokers must point instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTarget {
    /// Logical ID of the `AWS::Lambda::Alias` (generated or adopted).
    pub alias_logical_id: String,
    /// The alias `Name`, for positions that take a qualifier (`EventInvokeConfig.Qualifier`).
    pub alias_name: String,
    /// The function's `FunctionName` as invokers may spell it (see [`function_name_key`]), when it has
    /// one: a literal name in an invoking position is then recognised as the function.
    pub function_name: Option<String>,
}

/// How a function's `FunctionName` is spelled where an invoker names it: a literal as it is, a
/// `Fn::Sub` string's text (`${AWS::StackName}-worker`, as in an ARN built with `Fn::Sub`), a `Ref`
/// to a parameter as `${Parameter}`. Other forms have no spelling an invoker could repeat.
pub fn function_name_key(function_name: &Value) -> Option<String> {
    match function_name {
        Value::String(name) => Some(name.to_string()),
        _ => match cfn::single_key(function_name)? {
            (cfn::SUB, Value::String(text)) => Some(text.to_string()),
            (cfn::REF, Value::String(id)) if !cfn::is_pseudo_parameter(id) => Some(format!("${{{id}}}")),
            _ => None,
        },
    }
}

/// `targets` as the walk looks them up: at every reference it meets, by the referenced logical ID.
/// A hash of the ID's few bytes costs less than the string comparisons of a search through the
/// ordered map, which it would pay again at each step down.
pub(crate) struct Targets<'a> {
    by_id: HashMap<&'a str, &'a AliasTarget, KeyHashing>,
    /// Marked functions by their `FunctionName`'s spelling ([`function_name_key`]).
    by_name: HashMap<&'a str, &'a str, KeyHashing>,
    /// Marked functions whose `FunctionName` is a `Ref` to a parameter, by the parameter.
    by_parameter: HashMap<&'a str, &'a str, KeyHashing>,
}

impl<'a> Targets<'a> {
    fn new(targets: &'a BTreeMap<String, AliasTarget>) -> Targets<'a> {
        Targets::of(targets.iter().map(|(id, target)| (id.as_str(), target)))
    }

    fn of(targets: impl Iterator<Item = (&'a str, &'a AliasTarget)>) -> Targets<'a> {
        let mut by_id: HashMap<&str, &AliasTarget, KeyHashing> = HashMap::default();
        let mut by_name: HashMap<&str, &str, KeyHashing> = HashMap::default();
        let mut by_parameter: HashMap<&str, &str, KeyHashing> = HashMap::default();
        for (id, target) in targets {
            by_id.insert(id, target);
            if let Some(name) = target.function_name.as_deref() {
                // Two functions cannot share a name; if a template tries, neither is guessed.
                if by_name.insert(name, id).is_some_and(|other| other != id) {
                    by_name.insert(name, "");
                }
                if let Some(parameter) = cfn::sole_placeholder(name) {
                    by_parameter.insert(parameter, id);
                }
            }
        }
        by_name.retain(|_, id| !id.is_empty());
        by_parameter.retain(|parameter, id| by_name.get(format!("${{{parameter}}}").as_str()) == Some(id));
        Targets { by_id, by_name, by_parameter }
    }

    /// The same targets narrowed to `function`.
    pub(crate) fn only(&self, function: &str) -> Targets<'a> {
        Targets::of(self.by_id.get_key_value(function).map(|(id, target)| (*id, *target)).into_iter())
    }

    /// Whether some marked function can be named by its `FunctionName`.
    pub(crate) fn has_names(&self) -> bool {
        !self.by_name.is_empty()
    }

    /// The marked function whose `FunctionName` is spelled `name`.
    pub(crate) fn by_name(&self, name: &str) -> Option<&'a str> {
        self.by_name.get(name).copied()
    }

    /// The marked function whose `FunctionName` is a `Ref` to `parameter`.
    pub(crate) fn by_parameter(&self, parameter: &str) -> Option<&'a str> {
        self.by_parameter.get(parameter).copied()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&'a AliasTarget> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }
}

impl std::ops::Index<&str> for Targets<'_> {
    type Output = AliasTarget;
    fn index(&self, id: &str) -> &AliasTarget {
        // Callers index only with IDs they found in `targets`.
        self.by_id[id]
    }
}

/// One reference that moved to an alias.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rewired {
    /// The marked function whose invoker moved.
    pub function: String,
    /// The invoking resource.
    pub resource: String,
    /// The exact position of the reference.
    pub path: Path,
}

/// Rewires `template` in place. `targets` maps each marked function's logical ID to its alias;
/// `generated` holds the logical IDs the expansion added, which are never rewired.
/// `deployment_mentions`, when known, holds the resources that name an API deployment: a renamed
/// deployment changes references in those resources and outside `Resources` only (`None`: anywhere).
///
/// Returns every moved reference in template order. IAM statements that gained an alias ARN are not
/// listed: nothing moved there. A permission that stays on its function (`permissions.rs`) is listed
/// in `kept`, for generation to add the alias's permission beside it. Warnings (a definition the macro
/// cannot read, a function URL that gets a new address, an invoker that stays on the function) and
/// errors (a deployment rename that would clash) go to `diagnostics`.
pub fn rewire<S: BuildHasher>(
    template: &mut Map,
    targets: &BTreeMap<String, AliasTarget>,
    generated: &HashSet<String, S>,
    deployment_mentions: Option<&HashSet<String, KeyHashing>>,
    kept: &mut Vec<KeptPermission>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Rewired> {
    let mut rewired = Vec::new();
    if targets.is_empty() {
        return rewired;
    }
    let rows = &*ROWS;
    let targets = &Targets::new(targets);
    let Some(Value::Object(resources)) = template.get_mut("Resources") else { return rewired };
    // Each resource's type is read once, here, for everything below: its table row, whether its
    // definition is unseen (its permissions may come before it, so this is known before the walk),
    // and the API deployments and stages a rename needs.
    let mut row_of = Vec::with_capacity(resources.len());
    let mut unseen_apis = HashSet::default();
    let mut snapshots = Snapshots::default();
    // What permissions' `SourceArn`s name: the only resources an invoker that moved credits besides
    // itself, which keeps the credits as few as the permissions that ask for them.
    let mut source_ids: HashSet<String, KeyHashing> = HashSet::default();
    for (logical_id, resource) in resources.iter() {
        let resource_type = json::get_str(resource, "Type").unwrap_or_default();
        let row = rows.get(resource_type).filter(|_| !generated.contains(logical_id.as_str()));
        match row.map(|row| row.invoker.action) {
            Some(Action::ApiDefinition { unseen, .. }) => {
                let properties = json::get(resource, "Properties").and_then(Value::as_object);
                if properties.is_some_and(|p| unseen.iter().any(|key| p.contains_key(key))) {
                    unseen_apis.insert(logical_id.clone());
                }
            }
            Some(Action::Permission { source_arn }) => {
                if let Some(arn) = json::get(resource, "Properties").and_then(|p| p.get(source_arn)) {
                    let mut named = Vec::new();
                    ids_named(arn, &|_| true, &mut named);
                    source_ids.extend(named);
                }
            }
            Some(_) => {}
            None => snapshots.note(logical_id, resource_type, resource),
        }
        row_of.push(row);
    }
    // Permissions come last: whether one moves depends on whether the invokers it serves moved.
    let mut served = Served::default();
    let mut permissions = Vec::new();
    let mut positions = Vec::new();
    for (position, ((logical_id, resource), row)) in resources.iter_mut().zip(row_of).enumerate() {
        let (Some(row), Value::Object(resource)) = (row, resource) else { continue };
        if let Action::Permission { source_arn } = row.invoker.action {
            permissions.push((position, logical_id.to_string(), row, source_arn));
            continue;
        }
        let mut ctx = Resource {
            logical_id,
            base: {
                let mut base = Path::resource(logical_id);
                base.push_key("Properties");
                base
            },
            targets,
            rewired: &mut rewired,
            served: &mut served,
            source_ids: &source_ids,
            diagnostics,
            snapshots: &mut snapshots,
        };
        ctx.apply(row, resource);
        positions.resize(rewired.len(), position);
    }
    if !permissions.is_empty() {
        let mut decided = Vec::with_capacity(permissions.len());
        {
            let mut invokers = Invokers::new(resources, targets, &served, &unseen_apis);
            for (_, id, _, source_arn) in &permissions {
                let properties =
                    resources.get(id.as_str()).and_then(|r| r.get("Properties")).and_then(Value::as_object);
                let verdict = properties.and_then(|p| invokers.decide(id, p, source_arn, diagnostics));
                decided.push(verdict);
            }
        }
        for ((position, id, row, _), verdict) in permissions.into_iter().zip(decided) {
            if let Some(mut verdict) = verdict {
                kept.append(&mut verdict);
                continue;
            }
            let Some(Value::Object(resource)) = resources.get_mut(id.as_str()) else { continue };
            let mut ctx = Resource {
                logical_id: &id,
                base: Path::resource(&id).key("Properties"),
                targets,
                rewired: &mut rewired,
                served: &mut served,
                source_ids: &source_ids,
                diagnostics,
                snapshots: &mut snapshots,
            };
            ctx.apply(row, resource);
            positions.resize(rewired.len(), position);
        }
        // Back into template order, which the plan shows.
        let mut ordered: Vec<(usize, Rewired)> = positions.into_iter().zip(rewired).collect();
        ordered.sort_by_key(|(position, _)| *position);
        rewired = ordered.into_iter().map(|(_, r)| r).collect();
    }
    // Us-first templates: SAM's `Globals` give its implicit APIs their properties, Lambda
    // authorizers included; each section is rewired as the resource type it configures.
    if let Some(Value::Object(globals)) = template.get_mut("Globals") {
        // The name stands where a logical ID would, in the plan and for API snapshots: a dotted name
        // is never a logical ID, so no resource of the template is mistaken for it.
        let sections = [
            ("Api", "Globals.Api", "AWS::Serverless::Api"),
            ("HttpApi", "Globals.HttpApi", "AWS::Serverless::HttpApi"),
        ];
        for (section, name, resource_type) in sections {
            let (Some(properties), Some(row)) = (globals.get_mut(section), rows.get(resource_type)) else {
                continue;
            };
            let mut holder = Map::new();
            holder.insert("Properties", properties.take());
            let mut ctx = Resource {
                logical_id: name,
                base: Path::root().key("Globals").key(section),
                targets,
                rewired: &mut rewired,
                served: &mut Served::default(),
                source_ids: &HashSet::default(),
                diagnostics,
                snapshots: &mut snapshots,
            };
            ctx.apply(row, &mut holder);
            *properties = holder.shift_remove("Properties").unwrap_or_default();
        }
    }
    snapshots.apply(template, deployment_mentions, diagnostics);
    rewired
}

/// Whether rewiring knows `resource_type`: it has a table row, or it is never rewired (`never.rs`),
/// or SAM (running after the macro) handles it. A reference to a marked function in any other
/// resource may invoke the function around its alias, and is warned about.
pub(crate) fn is_known(resource_type: &str) -> bool {
    ROWS.contains_key(resource_type)
        || resource_type.starts_with(cfn::SERVERLESS_TYPE_PREFIX)
        || never::is_never(resource_type)
}

/// Warns about every reference to a marked function in the `Properties` of the resources `ids`
/// (those the analysis found naming one outside the table and the never-rewired types): the macro
/// cannot tell whether the service behind them invokes the function, and if it does, those
/// invocations bypass the alias and the canary.
pub fn warn_unknown_references(
    template: &Map,
    ids: &[String],
    targets: &BTreeMap<String, AliasTarget>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(Value::Object(resources)) = template.get("Resources") else { return };
    let by_id = Targets::new(targets);
    for id in ids {
        let Some(resource) = resources.get(id.as_str()) else { continue };
        let Some(properties) = json::get(resource, "Properties") else { continue };
        let resource_type = json::get_str(resource, "Type").unwrap_or_default();
        let mut found = Vec::new();
        matcher::references_under(properties, &Path::resource(id).key("Properties"), &by_id, &mut found);
        for (path, function) in found {
            let alias = &by_id[function.as_str()].alias_logical_id;
            diagnostics.push(
                Diagnostic::warning(
                    path,
                    format!(
                        "{id} ({resource_type}) names the marked function {function} at a position the macro does \
                         not rewire: if {resource_type} invokes what it names here, those invocations bypass the \
                         alias {alias} and the canary"
                    ),
                )
                .with_help(format!(
                    "reference the alias instead ({{Ref: {alias}}} is its ARN) if the service accepts a qualified \
                     function ARN; leave it if this position does not invoke {function}"
                )),
            );
        }
    }
}

/// The table by resource type, each row's paths parsed once per process rather than per request:
/// a warm Lambda reuses them, and a small template no longer pays for parsing them all.
static ROWS: LazyLock<HashMap<&'static str, Row, KeyHashing>> = LazyLock::new(|| {
    INVOKERS
        .iter()
        .map(|invoker| {
            (
                invoker.resource_type,
                Row { invoker, steps: invoker.paths.iter().map(|p| table::steps(p)).collect() },
            )
        })
        .collect()
});

/// A table row with its paths parsed.
struct Row {
    invoker: &'static Invoker,
    steps: Vec<Vec<Step<'static>>>,
}

/// What applying one row to one resource needs.
struct Resource<'a> {
    logical_id: &'a str,
    /// Where the properties sit: `Resources/<logical_id>/Properties`, or a `Globals` section.
    base: Path,
    targets: &'a Targets<'a>,
    rewired: &'a mut Vec<Rewired>,
    /// The functions each invoker moved, which decides its permissions.
    served: &'a mut Served,
    /// The resources permissions' `SourceArn`s name.
    source_ids: &'a HashSet<String, KeyHashing>,
    diagnostics: &'a mut Vec<Diagnostic>,
    snapshots: &'a mut Snapshots,
}

impl Resource<'_> {
    fn apply(&mut self, parsed: &Row, resource: &mut Map) {
        let row = parsed.invoker;
        let base = self.base.clone();
        let Some(Value::Object(properties)) = resource.get_mut("Properties") else { return };
        if let Action::ApiDefinition { unseen, .. } | Action::UnseenDefinitionReference { unseen } =
            row.action
        {
            self.warn_unseen(unseen, properties, &base);
        }
        // The qualifier's function is read before the walk borrows the properties mutably.
        let qualified = match row.action {
            Action::LatestQualifier { function_name, .. } => {
                let mut functions = Vec::new();
                if let Some(name) = properties.get(function_name) {
                    matcher::referenced(name, self.targets, &mut functions);
                }
                // A `Fn::If` between two marked functions has no single alias name to write.
                match functions.as_slice() {
                    [function] => Some(function.clone()),
                    _ => None,
                }
            }
            _ => None,
        };
        // The API whose snapshot an integration belongs to; one that is not a `Ref` (an imported API)
        // has no deployment in this template to renew.
        let api = match row.action {
            Action::ApiIntegration { api, api_id } => {
                properties.get(api_id).and_then(cfn::ref_target).map(|id| (api, id.to_owned()))
            }
            Action::ApiDefinition { api, .. } => Some((api, self.logical_id.to_owned())),
            _ => None,
        };

        let mut moves = Vec::new();
        let mut unwalked = Vec::new();
        let mut properties_value = Value::Object(std::mem::take(properties));
        for (steps, row_path) in parsed.steps.iter().zip(row.paths) {
            walk(&mut properties_value, steps, &base, None, 0, &mut |position, path| {
                let before = moves.len();
                match row.action {
                    Action::Reference
                    | Action::Permission { .. }
                    | Action::FunctionUrl
                    | Action::ApiIntegration { .. }
                    | Action::ApiDefinition { .. }
                    | Action::UnseenDefinitionReference { .. } => {
                        matcher::rewrite(position, path, self.targets, &mut moves);
                        matcher::unwalked(position, path, self.targets, &mut unwalked);
                    }
                    Action::LatestQualifier { qualifier, .. } if *row_path != qualifier => {
                        matcher::rewrite(position, path, self.targets, &mut moves);
                        matcher::unwalked(position, path, self.targets, &mut unwalked);
                    }
                    Action::LatestQualifier { .. } => {
                        if let (Some(function), Some("$LATEST")) = (&qualified, position.as_str()) {
                            *position = Value::from(self.targets[function.as_str()].alias_name.as_str());
                            moves.push(matcher::Move {
                                function: function.clone(),
                                path: path.clone(),
                                by_name: true,
                            });
                        }
                    }
                    Action::GrantAlias => {
                        iam::grant(position, self.targets);
                    }
                    Action::GrantAliasElseReference { grants } if grants.contains(row_path) => {
                        iam::grant(position, self.targets);
                    }
                    Action::GrantAliasElseReference { .. } => {
                        matcher::rewrite(position, path, self.targets, &mut moves);
                        matcher::unwalked(position, path, self.targets, &mut unwalked);
                    }
                }
                if moves.len() > before {
                    if let Some((api, api_id)) = &api {
                        self.snapshots.record(*api, api_id, path, position);
                    }
                }
            });
        }
        if let Value::Object(p) = properties_value {
            *properties = p;
        }
        for (path, wrapper, function) in unwalked {
            let alias = &self.targets[function.as_str()].alias_logical_id;
            self.diagnostics.push(
                Diagnostic::warning(
                    path,
                    format!(
                        "{wrapper} at this invoking position of {} holds a reference to the marked function \
                         {function} that the macro does not rewrite: if it gives {function}, those invocations \
                         bypass the alias {alias} and the canary",
                        self.logical_id
                    ),
                )
                .with_help(format!(
                    "reference the alias where the function is meant ({{Ref: {alias}}} is its ARN), or move the \
                     reference out of {wrapper}"
                )),
            );
        }

        if !moves.is_empty() {
            // The invoker serves the functions it moved, and so do the resources it names that a
            // permission's `SourceArn` names: the topic of a subscription, the API of a method, the
            // log group of a subscription filter.
            let mut named = HashSet::<&str, KeyHashing>::default();
            if let (Some(properties), false) = (resource.get("Properties"), self.source_ids.is_empty()) {
                matcher::ids_named_under(properties, &mut |id| {
                    if let Some(id) = self.source_ids.get(id) {
                        named.insert(id.as_str());
                    }
                });
            }
            let mut functions: Vec<&str> = moves.iter().map(|m| m.function.as_str()).collect();
            functions.sort_unstable();
            functions.dedup();
            for function in functions {
                self.served.moved(self.logical_id, row.resource_type, function);
            }
            for id in named {
                self.served.names(self.logical_id, id);
            }
        }
        for m in moves {
            // Only a move by name or a function URL needs the alias itself.
            if m.by_name || row.action == Action::FunctionUrl {
                let target = &self.targets[m.function.as_str()];
                if m.by_name {
                    matcher::add_depends_on(resource, &target.alias_logical_id);
                }
                if row.action == Action::FunctionUrl {
                    let message = format!(
                        "function URL `{}` moves to alias `{}` of `{}`: CloudFormation replaces the URL, so it gets a new address",
                        self.logical_id, target.alias_name, m.function
                    );
                    let help = format!(
                        "update the clients of the old address; `Fn::GetAtt: [{}, FunctionUrl]` gives the new one",
                        self.logical_id
                    );
                    self.diagnostics.push(Diagnostic::warning(m.path.clone(), message).with_help(help));
                }
            }
            self.rewired.push(Rewired {
                function: m.function,
                resource: self.logical_id.to_owned(),
                path: m.path,
            });
        }
    }

    fn warn_unseen(&mut self, unseen: &[&str], properties: &Map, base: &Path) {
        for property in unseen {
            if properties.contains_key(property) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        base.key(property),
                        format!(
                            "`{property}` is a definition the macro cannot read: its integrations, and the \
                             permissions that name this API, stay on the functions instead of their aliases"
                        ),
                    )
                    .with_help("inline the definition (`Body`, or `DefinitionBody` in SAM) so its Lambda integrations move to the alias, or point them at the alias ARN yourself"),
                );
            }
        }
    }
}

/// Visits every position `steps` reaches under `value`, stepping through both branches of a `Fn::If`
/// and skipping `AWS::NoValue`.
///
/// `trail` is the way from `base` down to `value`, kept on the stack rather than as a [`Path`]: a `**`
/// step visits every node of an OpenAPI body, and cloning the path at each of them (its segments are
/// owned strings) cost more than the rest of the expansion. The path is built only where `f` is called.
fn walk(
    value: &mut Value,
    steps: &[Step<'_>],
    base: &Path,
    trail: Option<&Trail<'_>>,
    depth: usize,
    f: &mut dyn FnMut(&mut Value, &Path),
) {
    Walk { base, f }.walk(value, steps, trail, depth);
}

/// What stays the same through one [`walk`]: where it started and what it calls at each position.
struct Walk<'a, 'f> {
    base: &'a Path,
    f: &'f mut dyn FnMut(&mut Value, &Path),
}

impl Walk<'_, '_> {
    fn walk(&mut self, value: &mut Value, steps: &[Step<'_>], trail: Option<&Trail<'_>>, depth: usize) {
        if depth > MAX_DEPTH || cfn::is_no_value(value) {
            return;
        }
        if let Some(branches) = matcher::branches_mut(value) {
            for (i, branch) in branches {
                let key = Trail { parent: trail, step: TrailStep::Key(cfn::IF) };
                self.walk(branch, steps, Some(&key.index(i)), depth + 1);
            }
            return;
        }
        self.take_step(value, steps, trail, depth);
    }

    /// The part of [`Walk::walk`] after its checks of `value` itself: follows the first of `steps`.
    fn take_step(&mut self, value: &mut Value, steps: &[Step<'_>], trail: Option<&Trail<'_>>, depth: usize) {
        let Some((step, rest)) = steps.split_first() else {
            (self.f)(value, &Trail::path(trail, self.base));
            return;
        };
        match (*step, value) {
            (Step::Key(key), Value::Object(obj)) => {
                if let Some(v) = obj.get_mut(key) {
                    self.walk(v, rest, Some(&Trail { parent: trail, step: TrailStep::Key(key) }), depth + 1);
                }
            }
            (Step::Each, Value::Array(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(
                        item,
                        rest,
                        Some(&Trail { parent: trail, step: TrailStep::Index(i) }),
                        depth + 1,
                    );
                }
            }
            (Step::Each, Value::Object(obj)) => {
                for (key, v) in obj.iter_mut() {
                    self.walk(v, rest, Some(&Trail { parent: trail, step: TrailStep::Key(key) }), depth + 1);
                }
            }
            (Step::EachWhere { key, value: wanted }, Value::Array(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if item.get(key).and_then(Value::as_str) == Some(wanted) {
                        let here = Trail { parent: trail, step: TrailStep::Index(i) };
                        self.walk(item, rest, Some(&here), depth + 1);
                    }
                }
            }
            (Step::AnyDepth, value) => {
                // Zero levels: the rest of the steps from this very value, which `walk` has checked
                // already (not `AWS::NoValue`, not a `Fn::If`); only its depth grows.
                if depth < MAX_DEPTH {
                    self.take_step(value, rest, trail, depth + 1);
                }
                match value {
                    Value::Object(obj) => {
                        for (key, v) in obj.iter_mut() {
                            let here = Trail { parent: trail, step: TrailStep::Key(key) };
                            self.walk(v, steps, Some(&here), depth + 1);
                        }
                    }
                    Value::Array(items) => {
                        for (i, item) in items.iter_mut().enumerate() {
                            let here = Trail { parent: trail, step: TrailStep::Index(i) };
                            self.walk(item, steps, Some(&here), depth + 1);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// One step of [`walk`]'s way down, borrowed from the template and linked to the step before it.
struct Trail<'a> {
    parent: Option<&'a Trail<'a>>,
    step: TrailStep<'a>,
}

#[derive(Clone, Copy)]
enum TrailStep<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> Trail<'a> {
    fn index(&'a self, i: usize) -> Trail<'a> {
        Trail { parent: Some(self), step: TrailStep::Index(i) }
    }

    /// `base` extended by every step from the top of the trail down to `trail`.
    fn path(trail: Option<&Trail<'_>>, base: &Path) -> Path {
        let mut steps = Vec::new();
        let mut node = trail;
        // Keys are sized for the one allocation of the path (indexes take a few bytes).
        let mut room = 0;
        while let Some(t) = node {
            steps.push(t.step);
            room += match t.step {
                TrailStep::Key(key) => key.len() + 1,
                TrailStep::Index(_) => 8,
            };
            node = t.parent;
        }
        let mut path = base.with_room(room);
        for step in steps.iter().rev() {
            match step {
                TrailStep::Key(key) => path.push_key(key),
                TrailStep::Index(i) => path.push_index(*i),
            }
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use crate::json;

    use super::*;
    use crate::diag::Severity;

    fn targets(functions: &[&str]) -> BTreeMap<String, AliasTarget> {
        functions
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    AliasTarget {
                        alias_logical_id: format!("{f}AliasLive"),
                        alias_name: "Live".into(),
                        function_name: None,
                    },
                )
            })
            .collect()
    }

    /// `run` for functions with literal `FunctionName`s: `(logical ID, name spelling)`.
    fn run_named(template: Value, functions: &[(&str, &str)]) -> (Value, Vec<Rewired>, Vec<KeptPermission>) {
        let targets: BTreeMap<String, AliasTarget> = functions
            .iter()
            .map(|(f, name)| {
                let target = AliasTarget {
                    alias_logical_id: format!("{f}AliasLive"),
                    alias_name: "Live".into(),
                    function_name: Some((*name).to_owned()),
                };
                (f.to_string(), target)
            })
            .collect();
        let mut template = template.as_object().unwrap().clone();
        let (mut kept, mut diagnostics) = (Vec::new(), Vec::new());
        let rewired = rewire(&mut template, &targets, &HashSet::new(), None, &mut kept, &mut diagnostics);
        (Value::Object(template), rewired, kept)
    }

    #[test]
    fn literal_names_move_in_every_spelling_and_stay_where_qualified() {
        let arn = |tail: &str| json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{tail}")});
        let template = json!({"Resources": {
            "Plain": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": "worker"}},
            "Partial": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": "123456789012:function:worker"}},
            "Literal": {"Type": "AWS::SNS::Subscription", "Properties": {"Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:worker"}},
            "Built": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "a", "Arn": arn("worker")}]}},
            "Joined": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "a", "Arn": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":function:", "worker"]]}}]}},
            "Pinned": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "a", "Arn": arn("worker:$LATEST")}]}},
            "Prefixed": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Fn::Join": ["-", ["my", "worker"]]}}},
            "Other": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Id": "a", "Arn": arn("worker2")}]}},
            "ByParameter": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "ReporterName"}}},
        }});
        let (out, rewired, _) = run_named(template, &[("Worker", "worker"), ("Reporter", "${ReporterName}")]);
        let r = &out["Resources"];
        assert_eq!(r["Plain"]["Properties"]["FunctionName"], "worker:Live");
        assert_eq!(r["Partial"]["Properties"]["FunctionName"], "123456789012:function:worker:Live");
        assert_eq!(
            r["Literal"]["Properties"]["Endpoint"],
            "arn:aws:lambda:us-east-1:123456789012:function:worker:Live"
        );
        assert_eq!(r["Built"]["Properties"]["Targets"][0]["Arn"], arn("worker:Live"));
        assert_eq!(r["Joined"]["Properties"]["Targets"][0]["Arn"]["Fn::Join"][1][7], "worker:Live");
        assert_eq!(r["Pinned"]["Properties"]["Targets"][0]["Arn"], arn("worker:$LATEST"));
        assert_eq!(r["Prefixed"]["Properties"]["FunctionName"], json!({"Fn::Join": ["-", ["my", "worker"]]}));
        assert_eq!(r["Other"]["Properties"]["Targets"][0]["Arn"], arn("worker2"));
        assert_eq!(
            r["ByParameter"]["Properties"]["FunctionName"],
            json!({"Fn::Sub": "${ReporterName}:Live"})
        );
        // Each named the alias by its name, so each waits for it.
        let moved: Vec<&str> = rewired.iter().map(|m| m.resource.as_str()).collect();
        assert_eq!(moved, ["Plain", "Partial", "Literal", "Built", "Joined", "ByParameter"]);
        for id in ["Plain", "Built", "ByParameter"] {
            assert!(r[id]["DependsOn"].to_string().contains("AliasLive"), "{id}");
        }
    }

    #[test]
    fn a_permission_moves_only_with_the_invokers_it_serves() {
        let permission = |source: Value| {
            json!({"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "Fn"}, "Principal": "sns.amazonaws.com", "SourceArn": source}})
        };
        let template = json!({"Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "lambda", "Endpoint": {"Fn::GetAtt": ["Fn", "Arn"]}}},
            "Pinned": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "lambda", "Endpoint": {"Fn::Sub": "${Fn.Arn}:$LATEST"}}]}},
            "ViaSubscription": permission(json!({"Ref": "Topic"})),
            "ViaPinned": permission(json!({"Ref": "Pinned"})),
            "Outside": permission(json!("arn:aws:sns:us-east-1:123456789012:elsewhere")),
        }});
        let (out, _, kept) = run_named(template, &[("Fn", "fn-name")]);
        let r = &out["Resources"];
        assert_eq!(r["ViaSubscription"]["Properties"]["FunctionName"], json!({"Ref": "FnAliasLive"}));
        assert_eq!(r["ViaPinned"]["Properties"]["FunctionName"], json!({"Ref": "Fn"}));
        assert_eq!(r["Outside"]["Properties"]["FunctionName"], json!({"Ref": "Fn"}));
        let kept: Vec<(&str, &str)> =
            kept.iter().map(|k| (k.permission.as_str(), k.logical_id.as_str())).collect();
        assert_eq!(
            kept,
            [
                ("ViaPinned", "ViaPinnedCanaryAliasPermissionFn"),
                ("Outside", "OutsideCanaryAliasPermissionFn")
            ]
        );
    }

    fn run(template: Value, functions: &[&str]) -> (Value, Vec<Rewired>, Vec<Diagnostic>) {
        let mut template = template.as_object().unwrap().clone();
        let mut diagnostics = Vec::new();
        let rewired = rewire(
            &mut template,
            &targets(functions),
            &HashSet::new(),
            None,
            &mut Vec::new(),
            &mut diagnostics,
        );
        (Value::Object(template), rewired, diagnostics)
    }

    #[test]
    fn no_marked_function_changes_nothing_and_warns_nothing() {
        let template = json!({"Resources": {
            "P": {"Type": "AWS::Lambda::Permission", "Properties": {"FunctionName": {"Ref": "Fn"}}},
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"BodyS3Location": {"Bucket": "b", "Key": "k"}}},
        }});
        let (out, rewired, diagnostics) = run(template.clone(), &[]);
        assert_eq!(out, template);
        assert!(rewired.is_empty() && diagnostics.is_empty());
    }

    #[test]
    fn sam_definition_uri_is_warned_about() {
        let template = json!({"Resources": {
            "Api": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "v1", "DefinitionUri": "openapi.yaml"}},
            "Http": {"Type": "AWS::Serverless::HttpApi", "Properties": {"DefinitionUri": "s3://b/k"}},
        }});
        let (_, _, diagnostics) = run(template, &["Fn"]);
        let paths: Vec<String> = diagnostics.iter().map(|d| d.path.to_string()).collect();
        assert_eq!(
            paths,
            ["Resources/Api/Properties/DefinitionUri", "Resources/Http/Properties/DefinitionUri"]
        );
        assert!(diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning && d.message.contains("cannot read")));
    }

    #[test]
    fn openapi_paths_in_diagnostics_and_moves_are_escaped() {
        let template = json!({"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {
            "paths": {"/pets/{id}": {"get": {"x-amazon-apigateway-integration": {"uri": {"Fn::GetAtt": ["Fn", "Arn"]}}}}}
        }}}}});
        let (_, rewired, _) = run(template, &["Fn"]);
        assert_eq!(
            rewired[0].path.to_string(),
            "Resources/Api/Properties/Body/paths/~1pets~1{id}/get/x-amazon-apigateway-integration/uri"
        );
    }

    #[test]
    fn v2_deployment_renamed_only_when_no_stage_auto_deploys() {
        let api = |auto: bool| {
            json!({"Resources": {
                "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "a", "ProtocolType": "HTTP"}},
                "I": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {"ApiId": {"Ref": "Api"}, "IntegrationUri": {"Ref": "Fn"}}},
                "D": {"Type": "AWS::ApiGatewayV2::Deployment", "Properties": {"ApiId": {"Ref": "Api"}}},
                "S": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "s", "AutoDeploy": auto}},
            }})
        };
        let (out, _, _) = run(api(true), &["Fn"]);
        assert!(out["Resources"].get("D").is_some(), "an auto-deploying stage redeploys by itself");
        let (out, _, _) = run(api(false), &["Fn"]);
        assert!(out["Resources"].get("D").is_none(), "a manual stage needs a new deployment");
    }

    #[test]
    fn imported_rest_api_has_no_deployment_to_renew() {
        let template = json!({"Resources": {
            "M": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Fn::ImportValue": "api"},
                "Integration": {"Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}},
            "D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Other"}}},
        }});
        let (out, rewired, _) = run(template, &["Fn"]);
        assert_eq!(rewired.len(), 1);
        assert!(out["Resources"].get("D").is_some());
    }

    #[test]
    fn a_clashing_deployment_rename_is_an_error_not_an_overwrite() {
        let template = json!({"Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {"paths": {"/": {"get": {
                "x-amazon-apigateway-integration": {"uri": {"Ref": "Fn"}}}}}}}},
            "D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
        }});
        let (renamed, _, _) = run(template.clone(), &["Fn"]);
        let new_id =
            renamed["Resources"].as_object().unwrap().keys().find(|k| k.starts_with('D')).unwrap().clone();
        let mut clash = template;
        clash["Resources"][new_id.as_str()] = json!({"Type": "AWS::SNS::Topic"});
        let (out, _, diagnostics) = run(clash, &["Fn"]);
        assert_eq!(out["Resources"][&new_id]["Type"], "AWS::SNS::Topic");
        assert!(out["Resources"].get("D").is_some());
        assert!(diagnostics.iter().any(|d| d.is_error() && d.message.contains("already exists")));
    }

    #[test]
    fn generated_resources_and_unknown_shapes_are_left_alone() {
        let template = json!({"Resources": {
            "Gen": {"Type": "AWS::Lambda::Permission", "Properties": {"FunctionName": {"Ref": "Fn"}}},
            "NoProps": {"Type": "AWS::Lambda::Permission"},
            "BadProps": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": "not a list"}},
            "NotAnObject": 3,
        }});
        let mut map = template.as_object().unwrap().clone();
        let mut diagnostics = Vec::new();
        let generated: HashSet<String> = ["Gen".to_owned()].into();
        let rewired =
            rewire(&mut map, &targets(&["Fn"]), &generated, None, &mut Vec::new(), &mut diagnostics);
        assert!(rewired.is_empty());
        assert_eq!(Value::Object(map), template);
    }

    #[test]
    fn conditional_lists_and_items_are_walked_through_both_branches() {
        let template = json!({"Resources": {
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [
                {"Fn::If": ["C", {"Id": "a", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}}, {"Ref": "AWS::NoValue"}]},
            ]}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": {"Fn::If": ["C",
                [{"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": ["Fn", "Arn"]}}],
                [{"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": ["Other", "Arn"]}}],
            ]}}},
        }});
        let (out, rewired, _) = run(template, &["Fn"]);
        let paths: Vec<String> = rewired.iter().map(|r| r.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "Resources/Rule/Properties/Targets/0/Fn::If/1/Arn",
                "Resources/Topic/Properties/Subscription/Fn::If/1/0/Endpoint",
            ]
        );
        assert_eq!(
            out["Resources"]["Rule"]["Properties"]["Targets"][0]["Fn::If"][1]["Arn"],
            json!({"Ref": "FnAliasLive"})
        );
        assert_eq!(
            out["Resources"]["Topic"]["Properties"]["Subscription"]["Fn::If"][2][0]["Endpoint"],
            json!({"Fn::GetAtt": ["Other", "Arn"]})
        );
    }
}
