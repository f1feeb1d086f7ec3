//! The verdicts of a diff, per marked function: whether a version is published and why, whether a
//! canary starts, what changes at once, which invokers move, what is replaced and what will fail.
//!
//! "A new version is published" is the version logical ID the alias points at changing: CloudFormation
//! creates the new `AWS::Lambda::Version`, which publishes. "Why" is where the engine's
//! `versioned_configuration` differs. Lambda refuses to publish when nothing a version stores changed
//! ("A version for this Lambda function exists", `PublishVersion`), so a new version ID over an equal
//! configuration fails the update. A canary starts only when an existing alias is updated to a new
//! version under a `CodeDeployLambdaAliasUpdate` policy; a created alias starts on its version at once.
//! Replacements follow the `createOnlyProperties` of CloudFormation's resource schemas ([`CREATE_ONLY`]).

use std::collections::{BTreeSet, HashMap, HashSet};

use canary_engine::cfn;
use canary_engine::json::{Map, Value};
use canary_engine::rewire::table::INVOKERS;
use canary_engine::NOT_VERSIONED;

use super::side::{label, target, Deployment, Side, Traffic};
use super::{EXIT_CANARY, EXIT_WILL_FAIL};

/// Properties whose change replaces the resource (`createOnlyProperties` in the CloudFormation
/// registry schemas of these types); the first is the physical name, when the type has one.
const CREATE_ONLY: &[(&str, &[&str])] = &[
    (cfn::LAMBDA_ALIAS, &["Name", "FunctionName"]),
    (cfn::CODEDEPLOY_DEPLOYMENT_GROUP, &["DeploymentGroupName", "ApplicationName"]),
    (cfn::CODEDEPLOY_APPLICATION, &["ApplicationName", "ComputePlatform"]),
];

/// Everything `diff` found.
pub struct Outcome {
    pub before: String,
    pub before_form: &'static str,
    pub after: String,
    pub after_form: &'static str,
    pub functions: Vec<FunctionDiff>,
}

impl Outcome {
    pub fn failures(&self) -> usize {
        self.functions.iter().map(|f| f.failures.len()).sum()
    }

    /// Canaries this update starts: none when it fails, since CloudFormation rolls it back whole.
    pub fn canaries(&self) -> usize {
        if self.failures() > 0 {
            return 0;
        }
        self.functions.iter().filter(|f| f.state == State::Canary).count()
    }

    /// 3 when an update will fail, else 4 when a canary will start, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.failures() > 0 {
            EXIT_WILL_FAIL
        } else if self.canaries() > 0 {
            EXIT_CANARY
        } else {
            0
        }
    }
}

/// What happens to the traffic of one function's alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A new version, an existing alias, a deployment group: CodeDeploy shifts traffic.
    Canary,
    /// A new version and an alias without a deployment group (`Enabled: false`): all traffic moves at once.
    AtOnce,
    /// The alias is created (first deploy, renamed or replaced alias): it starts on its version with no canary.
    Created,
    /// The alias keeps its version.
    Unchanged,
    /// The function is no longer marked, or is gone.
    Unmarked,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::Canary => "canary",
            State::AtOnce => "at-once",
            State::Created => "alias-created",
            State::Unchanged => "unchanged",
            State::Unmarked => "unmarked",
        }
    }
}

pub struct FunctionDiff {
    pub function: String,
    pub alias: String,
    pub state: State,
    pub version_before: Option<String>,
    pub version_after: Option<String>,
    /// Where what the version stores changed.
    pub why: Vec<Change>,
    /// Whether `why` could be computed (both configurations known).
    pub why_known: bool,
    /// A new version whose only change is the hash the engine writes into the description (BEFORE was
    /// deployed by a macro that named its versions differently).
    pub stamp_only: bool,
    /// After the deploy: the deployment group, traffic, hooks and alarms in force.
    pub after: Option<Deployment>,
    /// Changes CloudFormation applies at once, outside the canary: `(resource kind, change)`.
    pub at_once: Vec<(String, Change)>,
    pub to_alias: Vec<String>,
    pub from_alias: Vec<String>,
    /// `(stage or deployment, new API deployment)`.
    pub api_stages: Vec<String>,
    pub replaced: Vec<String>,
    pub failures: Vec<Failure>,
    pub notes: Vec<String>,
}

pub struct Failure {
    pub reason: String,
    pub fix: String,
}

/// One difference at a path (`Timeout`, `Layers[0]`, `Environment.Variables.LOG_LEVEL`).
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The values are not shown (environment variables may hold secrets).
    pub hidden: bool,
}

pub fn compare(before: &Side, after: &Side, show_values: bool) -> Outcome {
    let index = Index::new(before, after);
    let mut functions: Vec<FunctionDiff> =
        after.deployments.iter().map(|d| function_diff(before, after, &index, d, show_values)).collect();
    for gone in before.deployments.iter().filter(|b| !index.after_functions.contains(b.function.as_str())) {
        functions.push(unmarked(before, after, &index, gone));
    }
    Outcome {
        before: before.name.clone(),
        before_form: before.form.describe(),
        after: after.name.clone(),
        after_form: after.form.describe(),
        functions,
    }
}

fn function_diff(
    before: &Side,
    after: &Side,
    index: &Index<'_>,
    d: &Deployment,
    show_values: bool,
) -> FunctionDiff {
    let function = &d.function;
    // The deployed alias: the same logical ID, else the function's other alias (renamed).
    let same_alias = index.before_by_alias.get(d.alias.as_str()).copied().filter(|b| &b.function == function);
    let previous = same_alias.or_else(|| index.before_by_function.get(function.as_str()).copied());
    let alias_before = before.resource(&d.alias).filter(|_| same_alias.is_some());
    let alias_after = after.resource(&d.alias);
    let mut replaced = Vec::new();
    let mut failures = Vec::new();
    let mut notes = Vec::new();

    let alias_replaced = match (alias_before, alias_after) {
        (Some(b), Some(a)) => replacement(cfn::LAMBDA_ALIAS, b, a),
        _ => None,
    };
    if let Some(property) = &alias_replaced {
        replaced.push(format!(
            "alias {}: its {property} changes, so CloudFormation creates a new alias on the new version (all traffic \
             at once, no canary) and deletes the old one",
            d.alias
        ));
    }
    if let (None, Some(old)) = (alias_before, previous) {
        replaced.push(format!(
            "alias {} is replaced by {}: the new alias is created on {}, with all traffic and no canary; \
             invokers move to it and {} is deleted",
            old.alias,
            d.alias,
            d.version.as_deref().unwrap_or("its version"),
            old.alias
        ));
    }

    let version_before = previous.and_then(|p| p.version.clone());
    let version_after = d.version.clone();
    let new_version = version_after.is_some() && version_after != version_before;
    let why_known = previous.is_some_and(|p| !p.versioned.is_null()) && !d.versioned.is_null();
    let mut why = Vec::new();
    if let (true, Some(p)) = (why_known, previous) {
        changes(&p.versioned, &d.versioned, &mut String::new(), show_values, &mut why);
    }

    let state = match (alias_before, &alias_replaced) {
        (None, _) | (_, Some(_)) => State::Created,
        _ if !new_version => State::Unchanged,
        _ if d.group.is_some() => State::Canary,
        _ => State::AtOnce,
    };

    // The engine writes the version's hash into the function's Description, which a version stores
    // too (docs/versions.md): beside the versioned configuration, that is the one thing that can change.
    let description =
        |side: &Side| side.resource(function).and_then(|f| f.pointer("/Properties/Description")).cloned();
    let description_changed =
        before.resource(function).is_some() && description(before) != description(after);
    let stamp_only = new_version && why_known && why.is_empty() && description_changed;
    // A version resource that is new to the stack is published; Lambda refuses when nothing changed.
    let published = version_after.as_deref().filter(|v| before.resource(v).is_none());
    let unchanged = why_known && why.is_empty() && !description_changed;
    if let (Some(new), true, Some(old)) = (published, unchanged, previous) {
        let old_version = old.version.as_deref().unwrap_or("the deployed version");
        let removed_by_hand =
            before.declared_versions.contains(old_version) && after.resource(old_version).is_none();
        let reason = if removed_by_hand {
            format!(
                "the version {old_version} written in the template is removed while {function} is unchanged: \
                 CloudFormation creates {new}, and Lambda refuses to publish a version of an unchanged function (\"A \
                 version for this Lambda function exists\")"
            )
        } else {
            format!(
                "the version's logical ID changes from {old_version} to {new} though nothing it stores changed (as \
                 after an upgrade of the macro that names versions differently): Lambda refuses to publish a version \
                 of an unchanged function (\"A version for this Lambda function exists\")"
            )
        };
        failures.push(Failure {
            reason,
            fix: format!(
                "deploy this together with a change to what the versions of {function} store (its code, or its \
                 Description), or keep deploying the previous template until the function changes"
            ),
        });
    }
    if !new_version && !why.is_empty() && version_after.is_some() {
        notes.push(format!(
            "what the version stores changes but its logical ID does not: no version is published, the change \
             reaches $LATEST only and {} keeps serving {}",
            d.alias,
            version_after.as_deref().unwrap_or_default()
        ));
    }

    let mut at_once = Vec::new();
    if let (Some(b), Some(a)) = (before.resource(function), after.resource(function)) {
        // Only what a version does not store applies at once; the rest is in `why`, as resolved.
        let skip: BTreeSet<String> = props_keys(b)
            .chain(props_keys(a))
            .filter(|k| !NOT_VERSIONED.contains(&k.as_str()) || k == cfn::SETTING_KEY)
            .collect();
        let props = |r: &Value| filtered(r.get("Properties"), &skip);
        let mut found = Vec::new();
        changes(&props(b), &props(a), &mut String::new(), show_values, &mut found);
        at_once.extend(found.into_iter().map(|c| ("function".to_owned(), c)));
    }
    if let (Some(b), Some(a), None) = (alias_before, alias_after, &alias_replaced) {
        let skip: BTreeSet<String> = ["FunctionVersion".to_owned()].into();
        let mut found = Vec::new();
        changes(
            &filtered(b.get("Properties"), &skip),
            &filtered(a.get("Properties"), &skip),
            &mut String::new(),
            true,
            &mut found,
        );
        let policy = |r: &Value| r.get("UpdatePolicy").cloned().unwrap_or(Value::Null);
        let mut path = "UpdatePolicy".to_owned();
        changes(&policy(b), &policy(a), &mut path, true, &mut found);
        at_once.extend(found.into_iter().map(|c| ("alias".to_owned(), c)));
    }
    let group_before = previous.and_then(|p| p.group.clone());
    match (&group_before, &d.group) {
        (Some(gb), Some(ga)) => {
            let (b, a) = (before.resource(gb), after.resource(ga));
            if let (Some(b), Some(a)) = (b, a) {
                if let Some(property) = replacement(cfn::CODEDEPLOY_DEPLOYMENT_GROUP, b, a) {
                    replaced.push(format!(
                        "deployment group {ga}: its {property} changes, so CloudFormation creates a new group (the next \
                         deployment runs in it) and deletes {gb} with its deployment history"
                    ));
                    if let Some(failure) = custom_named_replacement(ga, b, a) {
                        failures.push(failure);
                    }
                } else {
                    let mut found = Vec::new();
                    changes(&filtered(b.get("Properties"), &BTreeSet::new()), &filtered(a.get("Properties"), &BTreeSet::new()), &mut String::new(), true, &mut found);
                    at_once.extend(found.into_iter().map(|c| ("deployment group".to_owned(), c)));
                }
            } else if gb != ga {
                replaced.push(format!("deployment group {gb} is replaced by {ga}"));
            }
        }
        (None, Some(ga)) if alias_before.is_some() => notes.push(format!(
            "the deployment group {ga} is created: from this update on, new versions reach {} through CodeDeploy",
            d.alias
        )),
        (Some(gb), None) => notes.push(format!(
            "the deployment group {gb} is removed: {} moves to each new version at once from this update on",
            d.alias
        )),
        _ => {}
    }

    let (to_alias, from_alias) = index.invokers(previous.map(|p| p.alias.as_str()), Some(&d.alias));
    let api_stages = index.api_stages(before, after, to_alias.iter().chain(&from_alias));
    FunctionDiff {
        function: function.clone(),
        alias: d.alias.clone(),
        state,
        version_before,
        version_after,
        why,
        why_known,
        stamp_only,
        after: Some(d.clone()),
        at_once,
        to_alias,
        from_alias,
        api_stages,
        replaced,
        failures,
        notes,
    }
}

fn unmarked(before: &Side, after: &Side, index: &Index<'_>, gone: &Deployment) -> FunctionDiff {
    let alias_kept = after.resource(&gone.alias).is_some();
    let (to_alias, from_alias) = index.invokers(Some(&gone.alias), alias_kept.then_some(gone.alias.as_str()));
    let api_stages = index.api_stages(before, after, to_alias.iter().chain(&from_alias));
    let mut notes = Vec::new();
    if !alias_kept {
        notes.push(format!("the alias {} is deleted", gone.alias));
    }
    if let Some(group) = &gone.group {
        notes.push(format!(
            "the deployment group {group} is deleted: no canary runs for {} any more",
            gone.function
        ));
    }
    FunctionDiff {
        function: gone.function.clone(),
        alias: gone.alias.clone(),
        state: State::Unmarked,
        version_before: gone.version.clone(),
        version_after: None,
        why: Vec::new(),
        why_known: false,
        stamp_only: false,
        after: None,
        at_once: Vec::new(),
        to_alias,
        from_alias,
        api_stages,
        replaced: Vec::new(),
        failures: Vec::new(),
        notes,
    }
}

/// The first create-only property of `resource_type` whose value differs.
fn replacement(resource_type: &str, before: &Value, after: &Value) -> Option<String> {
    let (_, properties) = CREATE_ONLY.iter().find(|(t, _)| *t == resource_type)?;
    properties
        .iter()
        .find(|p| {
            before.get("Properties").and_then(|b| b.get(**p))
                != after.get("Properties").and_then(|a| a.get(**p))
        })
        .map(|p| (*p).to_owned())
}

/// CloudFormation does not replace a resource whose physical name is set and unchanged ("CloudFormation
/// cannot update a stack when a custom-named resource requires replacing"): the new group would take
/// the name of the one it replaces while that one still exists.
fn custom_named_replacement(group: &str, before: &Value, after: &Value) -> Option<Failure> {
    let name = |r: &Value| r.pointer("/Properties/DeploymentGroupName").cloned();
    let named = name(after)?;
    (Some(&named) == name(before).as_ref()).then(|| Failure {
        reason: format!(
            "the deployment group {group} must be replaced (its ApplicationName changes) but keeps its \
             DeploymentGroupName {}: CloudFormation cannot update a stack when a custom-named resource requires \
             replacing",
            label(&named)
        ),
        fix: "change DeploymentGroupName in the same deploy (or remove it and let CloudFormation name the group)"
            .to_owned(),
    })
}

/// What the verdicts look up, built in one pass over each template: deployments by function and by
/// alias, the invokers naming each alias, and the API deployments new to the stack by API.
struct Index<'a> {
    before_by_function: HashMap<&'a str, &'a Deployment>,
    before_by_alias: HashMap<&'a str, &'a Deployment>,
    after_functions: HashSet<&'a str>,
    /// Per alias, the resources of invoking types that name it, before and after.
    on_alias: [HashMap<&'a str, BTreeSet<String>>; 2],
    /// Per API, its deployments new to the stack, each as `<stage> (new deployment <id>)`.
    new_deployments: HashMap<String, Vec<String>>,
}

impl<'a> Index<'a> {
    fn new(before: &'a Side, after: &'a Side) -> Index<'a> {
        let mut before_by_function = HashMap::new();
        for d in &before.deployments {
            before_by_function.entry(d.function.as_str()).or_insert(d);
        }
        let before_by_alias = before.deployments.iter().map(|d| (d.alias.as_str(), d)).collect();
        let after_functions = after.deployments.iter().map(|d| d.function.as_str()).collect();
        let aliases: HashSet<&str> =
            before.deployments.iter().chain(&after.deployments).map(|d| d.alias.as_str()).collect();
        let on_alias = [on_alias(before, &aliases), on_alias(after, &aliases)];
        Index {
            before_by_function,
            before_by_alias,
            after_functions,
            on_alias,
            new_deployments: new_deployments(before, after),
        }
    }

    /// The resources of invoking types that name the alias in each template: `(moved to it, moved off it)`.
    fn invokers(&self, alias_before: Option<&str>, alias_after: Option<&str>) -> (Vec<String>, Vec<String>) {
        let empty = BTreeSet::new();
        let on = |side: usize, alias: Option<&str>| {
            alias.and_then(|a| self.on_alias[side].get(a)).unwrap_or(&empty)
        };
        let (b, a) = (on(0, alias_before), on(1, alias_after));
        (a.difference(b).cloned().collect(), b.difference(a).cloned().collect())
    }

    /// The new API deployments of the APIs of the invokers that moved (or that are APIs themselves).
    fn api_stages<'m>(
        &self,
        before: &Side,
        after: &Side,
        moved: impl Iterator<Item = &'m String>,
    ) -> Vec<String> {
        let mut apis = BTreeSet::new();
        for id in moved {
            if let Some(r) = after.resource(id).or_else(|| before.resource(id)) {
                apis.insert(id.clone());
                if let Some(api) = api_of(r) {
                    apis.insert(api.to_owned());
                }
            }
        }
        apis.iter().filter_map(|api| self.new_deployments.get(api)).flatten().cloned().collect()
    }
}

fn on_alias<'a>(side: &Side, aliases: &HashSet<&'a str>) -> HashMap<&'a str, BTreeSet<String>> {
    let mut out: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let Some(resources) = side.resources() else { return out };
    for (id, r) in resources {
        if !is_invoker(r.get("Type").and_then(Value::as_str).unwrap_or_default()) {
            continue;
        }
        let mut named = Vec::new();
        references(r, &mut named, 0);
        for name in named {
            if let Some(alias) = aliases.get(name) {
                out.entry(alias).or_default().insert(id.to_string());
            }
        }
    }
    out
}

fn is_invoker(resource_type: &str) -> bool {
    !resource_type.starts_with("AWS::IAM::") && INVOKERS.iter().any(|row| row.resource_type == resource_type)
}

/// Every logical ID `value` references (`Ref`, `Fn::GetAtt`, a `Fn::Sub` placeholder), at any depth.
fn references<'v>(value: &'v Value, out: &mut Vec<&'v str>, depth: usize) {
    if depth > canary_engine::limits::MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(obj) => {
            if let Some(id) = target(value) {
                out.push(id);
            }
            if let Some((text, vars)) = obj.get(cfn::SUB).and_then(cfn::sub_parts) {
                cfn::sub_references(text, vars, &mut |name| out.push(name));
            }
            obj.values().for_each(|v| references(v, out, depth + 1));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out, depth + 1)),
        _ => {}
    }
}

/// API Gateway serves a snapshot: a deployment new to the stack redeploys the stages that name it.
fn new_deployments(before: &Side, after: &Side) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let Some(resources) = after.resources() else { return out };
    let mut stages: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, r) in resources {
        if let Some(deployment) = r.pointer("/Properties/DeploymentId").and_then(target) {
            stages.entry(deployment).or_default().push(id.as_str());
        }
    }
    for (id, r) in resources {
        let ty = r.get("Type").and_then(Value::as_str);
        let is_deployment =
            ty == Some(cfn::API_GATEWAY_DEPLOYMENT) || ty == Some(cfn::API_GATEWAY_V2_DEPLOYMENT);
        let Some(api) = api_of(r).filter(|_| is_deployment && before.resource(id).is_none()) else {
            continue;
        };
        let entry = out.entry(api.to_owned()).or_default();
        match stages.get(id.as_str()) {
            Some(named) => entry.extend(named.iter().map(|stage| format!("{stage} (new deployment {id})"))),
            None => entry.push(match r.pointer("/Properties/StageName").map(label) {
                Some(stage) => format!("stage {stage} (new deployment {id})"),
                None => format!("new deployment {id}"),
            }),
        }
    }
    out
}

fn filtered(properties: Option<&Value>, skip: &BTreeSet<String>) -> Value {
    let mut out = Map::new();
    if let Some(props) = properties.and_then(Value::as_object) {
        for (k, v) in props.iter().filter(|(k, _)| !skip.contains(k.as_str())) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Every difference between `before` and `after`, by path: members by key, list items by index.
fn changes(before: &Value, after: &Value, path: &mut String, show_values: bool, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    let change = |path: &str, b: Option<&Value>, a: Option<&Value>| Change {
        path: path.to_owned(),
        before: b.cloned(),
        after: a.cloned(),
        hidden: hidden_at(path, show_values),
    };
    let at = path.len();
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (key, bv) in b {
                push_key(path, key);
                match a.get(key) {
                    Some(av) => changes(bv, av, path, show_values, out),
                    None => out.push(change(path, Some(bv), None)),
                }
                path.truncate(at);
            }
            for (key, av) in a.iter().filter(|(k, _)| !b.contains_key(k.as_str())) {
                push_key(path, key);
                out.push(change(path, None, Some(av)));
                path.truncate(at);
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for i in 0..b.len().max(a.len()) {
                path.push_str(&format!("[{i}]"));
                match (b.get(i), a.get(i)) {
                    (Some(bv), Some(av)) => changes(bv, av, path, show_values, out),
                    (bv, av) => out.push(change(path, bv, av)),
                }
                path.truncate(at);
            }
        }
        _ => out.push(change(path, Some(before), Some(after))),
    }
}

/// Environment variables often hold secrets: their values are shown only when asked.
fn hidden_at(path: &str, show_values: bool) -> bool {
    !show_values && path.starts_with("Environment")
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Steps of a traffic shift as a sentence, and its shortest duration in minutes.
pub fn describe_traffic(traffic: &Traffic) -> (String, Option<u64>) {
    let Some(steps) = &traffic.steps else {
        return (
            format!("{} (defined outside the template: its steps are not known offline)", traffic.label),
            None,
        );
    };
    let minutes = steps.last().map_or(0, |(m, _)| *m);
    let text = match steps.as_slice() {
        [(0, 100)] => "all traffic at once".to_owned(),
        [(0, p), (m, 100)] => format!("{p}% for {m} {}, then 100%", plural(*m, "minute")),
        steps => steps.iter().map(|(m, p)| format!("{p}% at {m} min")).collect::<Vec<_>>().join(", "),
    };
    (format!("{}: {text}", traffic.label), Some(minutes))
}

pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

fn api_of(resource: &Value) -> Option<&str> {
    ["RestApiId", "ApiId"].iter().find_map(|k| resource.pointer(&format!("/Properties/{k}")).and_then(target))
}

fn props_keys(resource: &Value) -> impl Iterator<Item = String> + '_ {
    resource
        .get("Properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.keys().map(|k| k.to_string()))
}
