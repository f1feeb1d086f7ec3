//! Raw `CanaryDeployment` JSON → [`Settings`], with every problem reported at its template path.
//!
//! The walker is written by hand over `crate::json::Value` (serde derive would stop at the first error and carry no path): it never stops at the first
//! problem, every diagnostic carries the exact path of the offending value, and no `Value` makes it
//! panic. Each key has one parser; a parser returns `None` exactly when it reported an error.
//!
//! Template defaults (`Metadata.CanaryDeployments`) are checked once by [`parse_defaults`]. A
//! function's own keys win key by key; a key it leaves out is read from the defaults, at the defaults'
//! path, and a problem found there is reported once however many functions inherit it.

use crate::json;
use crate::json::{KeyHashing, Map, Value};
use std::collections::{HashMap, HashSet};

use super::conditions::{found, quoted};
use super::{ConditionEvaluator, Hook, RollbackEvent, RollbackOn, Settings, Shape, ShapeKind, Traffic};
use crate::diag::{did_you_mean, Diagnostic, Path};
use crate::limits::{MAX_ALARMS, MAX_FUNCTION_ARN_LEN, MAX_FUNCTION_NAME_LEN, MAX_LOGICAL_ID};

/// Every key a `CanaryDeployment` object (or the template defaults) may hold; used both to reject
/// unknown keys and to suggest the closest one.
pub const KNOWN_KEYS: &[&str] = &[
    "Type",
    "Alias",
    "PreTrafficHook",
    "PostTrafficHook",
    "Alarms",
    "RollbackOn",
    "Triggers",
    "ServiceRole",
    "PermissionsBoundary",
    "DeploymentGroupName",
    "AutoRollback",
    "IgnorePollAlarmFailure",
    "ProvisionedConcurrency",
    "Enabled",
];

/// The traffic shapes CodeDeploy predefines for Lambda, as `CodeDeployDefault.Lambda<name>`.
pub const PREDEFINED_TYPES: &[&str] = &[
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
    "AllAtOnce",
];

/// The keys of `RollbackOn`.
pub const ROLLBACK_ON_KEYS: &[&str] = &["Errors", "Throttles", "ErrorRate", "DurationP99"];

/// The keys of one `Triggers` item (CloudFormation's `TriggerConfig`).
pub const TRIGGER_KEYS: &[&str] = &["TriggerName", "TriggerTargetArn", "TriggerEvents"];

/// CodeDeploy's trigger event names (API reference, `TriggerConfig.triggerEvents`).
pub const TRIGGER_EVENTS: &[&str] = &[
    "DeploymentStart",
    "DeploymentSuccess",
    "DeploymentFailure",
    "DeploymentStop",
    "DeploymentRollback",
    "DeploymentReady",
    "InstanceStart",
    "InstanceSuccess",
    "InstanceFailure",
    "InstanceReady",
];

/// Intrinsic functions accepted where a setting takes a string CloudFormation resolves later
/// (ARNs, names).
const STRING_INTRINSICS: &[&str] =
    &["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::ImportValue", "Fn::FindInMap", "Fn::Select"];

/// Lambda versions run at most 15 minutes, so a p99 duration above that can never be reached.
const MAX_DURATION_MS: u64 = 900_000;

/// A Lambda deployment shifts traffic for at most 48 hours (CodeDeploy quotas).
const MAX_SHIFT_MINUTES: u64 = 2880;

const FUNCTION_TYPES: &[&str] = &["AWS::Lambda::Function", "AWS::Serverless::Function"];
const ALARM_TYPES: &[&str] = &["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"];
const DEPLOYMENT_CONFIG_TYPE: &str = "AWS::CodeDeploy::DeploymentConfig";

const TYPE_ACCEPTED: &str = "a predefined name (Canary10Percent5Minutes, Canary10Percent10Minutes, \
    Canary10Percent15Minutes, Canary10Percent30Minutes, Linear10PercentEvery1Minute, \
    Linear10PercentEvery2Minutes, Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes, AllAtOnce), \
    Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minutes, a deployment config name, \
    or {Ref: …} to a parameter or an AWS::CodeDeploy::DeploymentConfig";
const SHAPES_ACCEPTED: &str = "Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes \
    (Minute or Minutes), with P from 1 to 99 and M from 1 to 2880";
const HOOK_ACCEPTED: &str = "the logical ID of a function in the template, {Ref: Function}, \
    {Fn::GetAtt: [Function, Arn]}, or the name or ARN of a function outside the template";
const ALARM_ACCEPTED: &str =
    "the logical ID of an AWS::CloudWatch::Alarm or AWS::CloudWatch::CompositeAlarm \
    in the template, {Name: name}, {Ref: …}, or Fn::If of these";
const ALARMS_ACCEPTED: &str = "a list of alarms, each the logical ID of an AWS::CloudWatch::Alarm or \
    AWS::CloudWatch::CompositeAlarm in the template, {Name: name}, {Ref: …}, or Fn::If of these";
const INTRINSICS_ACCEPTED: &str =
    "Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::ImportValue, Fn::FindInMap or Fn::Select";

/// What settings may be checked against besides themselves.
pub struct Scope<'a> {
    /// The template's `Resources`.
    pub resources: &'a Map,
    /// The template's `Parameters` section (for `Default`s and types).
    pub parameters: &'a Map,
    /// Values given for parameters; a parameter missing here takes its `Default`.
    pub parameter_values: &'a Map,
    pub conditions: ConditionEvaluator<'a>,
}

impl Scope<'_> {
    /// The value of parameter `name`: the one given for the stack, else its `Default`.
    pub fn parameter_value(&self, name: &str) -> Option<&Value> {
        self.parameter_values.get(name).or_else(|| self.parameters.get(name)?.get("Default"))
    }

    fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resources
            .get(logical_id)
            .map(|r| r.get("Type").and_then(Value::as_str).unwrap_or("AWS resource without a Type"))
    }

    fn ids_of<'s>(&'s self, types: &'s [&str]) -> impl Iterator<Item = &'s str> + 's {
        self.resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str).is_some_and(|t| types.contains(&t)))
            .map(|(id, _)| id.as_str())
    }

    /// The closest of `candidates` (names from the template) to `word`, within the budget that all
    /// suggestions of one expansion share.
    fn suggest<'s>(&self, word: &str, candidates: impl IntoIterator<Item = &'s str>) -> Option<&'s str> {
        self.conditions.suggestions.did_you_mean(word, candidates)
    }

    /// Whether parameter `name` is declared as a list (`CommaDelimitedList`, `List<…>`): its value is
    /// no single name.
    fn is_list_parameter(&self, name: &str) -> bool {
        let ty = self.parameters.get(name).and_then(|p| p.get("Type")).and_then(Value::as_str).unwrap_or("");
        ty == "CommaDelimitedList"
            || ty.starts_with("List<")
            || ty.starts_with("AWS::SSM::Parameter::Value<List<")
    }

    fn is_parameter(&self, name: &str) -> bool {
        self.parameters.contains_key(name) || self.parameter_values.contains_key(name)
    }

    fn conditions_section(&self) -> Option<&Map> {
        self.conditions.template.get("Conditions").and_then(Value::as_object)
    }
}

/// Where the template defaults live (docs/settings.md).
pub fn defaults_path() -> Path {
    Path::root().key("Metadata").key("CanaryDeployments")
}

/// Checks the template-level defaults (`Metadata.CanaryDeployments`, at `path`) once, reporting their
/// problems at their own path, and returns the keys that later merge under each function's settings.
///
/// Only what can be checked without a function is checked here (keys, types, ranges); references to
/// the template (hooks, alarms, parameters) are checked by [`parse_function_settings`] when a function
/// inherits them, still at the defaults' path and still once.
pub fn parse_defaults(raw: &Value, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Map {
    let Some(obj) = raw.as_object() else {
        diagnostics.push(Diagnostic::error(
            path.clone(),
            format!("CanaryDeployments must be an object of default settings, found {}", found(raw)),
        ));
        return Map::new();
    };
    let mut p = Parser { scope: None, diags: Vec::new() };
    p.unknown_keys(obj, path, KNOWN_KEYS, "setting");
    let mut n_alarms = 0;
    let mut n_rollback_alarms = 0;
    for (key, value) in obj {
        let key_path = path.key(key);
        match key.as_str() {
            "Alarms" => n_alarms = p.alarms(value, &key_path).map_or(0, |a| a.most),
            "RollbackOn" => n_rollback_alarms = p.rollback_on(value, &key_path).map_or(0, |r| r.count()),
            "DeploymentGroupName" => p.diags.push(shared_group_name(key_path)),
            _ => {
                p.key(key, value, &key_path);
            }
        }
    }
    if n_alarms + n_rollback_alarms > MAX_ALARMS {
        let at = if obj.contains_key("Alarms") { path.key("Alarms") } else { path.key("RollbackOn") };
        p.diags.push(too_many_alarms(at, n_alarms, n_rollback_alarms));
    }
    diagnostics.extend(p.diags);
    // Unknown keys stay in the map (functions only read known ones) so that a misspelt default
    // `Type` is not reported again as a missing one.
    obj.clone()
}

/// Parses one function's settings (`raw`, found at `path`), with `defaults` under them.
/// Returns `None` when any error was reported.
///
/// `defaults` must come from [`parse_defaults`]: their own problems were reported there, and are not
/// repeated here (they still make this function fail).
pub fn parse_function_settings(
    function: &str,
    raw: &Value,
    path: &Path,
    defaults: &Map,
    scope: &Scope<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Settings> {
    let Some(obj) = raw.as_object() else {
        diagnostics.push(Diagnostic::error(
            path.clone(),
            format!(
                "CanaryDeployment must be an object of settings ({{}} for all defaults), found {}",
                found(raw)
            ),
        ));
        return None;
    };
    let mut run = Run { scope, out: diagnostics, failed: false };
    {
        let mut p = Parser { scope: Some(scope), diags: Vec::new() };
        p.unknown_keys(obj, path, KNOWN_KEYS, "setting");
        run.failed |= !p.diags.is_empty();
        run.out.extend(p.diags);
    }

    // A function's key wins over the default's as a whole. For `RollbackOn` this means the
    // function's object replaces the default one wholesale (no per-metric merge): the alarms a
    // function rolls back on are then all written in one place, and `RollbackOn: {}` turns the
    // defaults' alarms off for one function.
    let dpath = defaults_path();
    let entries: Vec<Option<Entry<'_>>> = KNOWN_KEYS
        .iter()
        .map(|key| {
            if let Some(value) = obj.get(key) {
                Some(Entry { value, path: path.key(key), from_defaults: false })
            } else {
                defaults.get(key).map(|value| Entry { value, path: dpath.key(key), from_defaults: true })
            }
        })
        .collect();
    let entry = |key: &str| entries[KNOWN_KEYS.iter().position(|k| *k == key).expect("known key")].as_ref();

    let traffic = match entry("Type") {
        Some(e) => run.field(e, |p, v, at| p.traffic(v, at)),
        // A misspelt `Type` (`Tpye`) was reported with its suggestion; "no Type" would repeat it.
        None if obj.keys().chain(defaults.keys()).any(|k| misspells(k, "Type")) => {
            run.failed = true;
            None
        }
        None => {
            run.fail(
                Diagnostic::error(
                    path.clone(),
                    format!("function {function} has no Type: accepted are {TYPE_ACCEPTED}"),
                )
                .with_help("set Type here, or for every function in Metadata/CanaryDeployments"),
            );
            None
        }
    };
    let alias = entry("Alias").map_or(Some("Live".to_owned()), |e| run.field(e, |p, v, at| p.alias(v, at)));
    let pre_traffic_hook = run.hook(function, path, entry("PreTrafficHook"), "PreTrafficHook");
    let post_traffic_hook = run.hook(function, path, entry("PostTrafficHook"), "PostTrafficHook");
    let alarms =
        entry("Alarms").map_or(Some(AlarmList::default()), |e| run.field(e, |p, v, at| p.alarms(v, at)));
    let rollback_on = entry("RollbackOn")
        .map_or(Some(RollbackOn::default()), |e| run.field(e, |p, v, at| p.rollback_on(v, at)));
    let triggers = entry("Triggers").map_or(Some(Vec::new()), |e| run.field(e, |p, v, at| p.triggers(v, at)));
    let service_role = run.optional(entry("ServiceRole"), |p, v, at| p.iam_arn(v, at, "ServiceRole", "role"));
    let permissions_boundary = run
        .optional(entry("PermissionsBoundary"), |p, v, at| p.iam_arn(v, at, "PermissionsBoundary", "policy"));
    let deployment_group_name =
        run.optional(entry("DeploymentGroupName"), |p, v, at| match entry("DeploymentGroupName") {
            Some(e) if e.from_defaults => {
                p.diags.push(shared_group_name(at.clone()));
                None
            }
            _ => p.deployment_group_name(v, at),
        });
    let auto_rollback = entry("AutoRollback")
        .map_or(Some(RollbackEvent::ALL.to_vec()), |e| run.field(e, |p, v, at| p.auto_rollback(v, at)));
    let ignore_poll_alarm_failure = entry("IgnorePollAlarmFailure")
        .map_or(Some(false), |e| run.field(e, |p, v, at| p.boolean(v, at, "IgnorePollAlarmFailure")));
    let provisioned_concurrency = run.optional(entry("ProvisionedConcurrency"), |p, v, at| {
        p.integer(v, at, "ProvisionedConcurrency", 1, u64::MAX)
    });
    let enabled = entry("Enabled").map_or(Some(true), |e| run.field(e, |p, v, at| p.enabled(v, at)));

    if let (Some(alarms), Some(rollback_on)) = (&alarms, &rollback_on) {
        if alarms.most + rollback_on.count() > MAX_ALARMS {
            // Reported where the user would cut: the alarm list if there is one, else RollbackOn.
            let source = entry("Alarms").filter(|_| !alarms.items.is_empty()).or(entry("RollbackOn"));
            if let Some(source) = source {
                let d = too_many_alarms(source.path.clone(), alarms.most, rollback_on.count());
                let both_from_defaults = entry("Alarms").is_none_or(|e| e.from_defaults)
                    && entry("RollbackOn").is_none_or(|e| e.from_defaults);
                run.report(d, both_from_defaults);
            }
        }
    }

    if run.failed {
        return None;
    }
    Some(Settings {
        traffic: traffic?,
        alias: alias?,
        pre_traffic_hook: pre_traffic_hook?,
        post_traffic_hook: post_traffic_hook?,
        alarms: alarms?.items,
        rollback_on: rollback_on?,
        triggers: triggers?,
        service_role: service_role?,
        permissions_boundary: permissions_boundary?,
        deployment_group_name: deployment_group_name?,
        auto_rollback: auto_rollback?,
        ignore_poll_alarm_failure: ignore_poll_alarm_failure?,
        provisioned_concurrency: provisioned_concurrency?,
        enabled: enabled?,
    })
}

/// One application holds every function's deployment group, and CodeDeploy wants their names
/// unique within it, so a shared default name could only ever fit one function.
fn shared_group_name(path: Path) -> Diagnostic {
    Diagnostic::error(
        path,
        "DeploymentGroupName cannot be a template default: every function's deployment group needs its own name",
    )
    .with_help("set DeploymentGroupName on each function's CanaryDeployment instead")
}

/// Whether `key` is not a known key but is closest to `known`.
fn misspells(key: &str, known: &str) -> bool {
    !KNOWN_KEYS.contains(&key) && did_you_mean(key, KNOWN_KEYS) == Some(known)
}

/// Parsed `Alarms`: the items, and the most alarms any choice of conditions leaves (what CodeDeploy
/// counts against its limit).
#[derive(Default)]
struct AlarmList {
    items: Vec<Value>,
    most: usize,
}

fn too_many_alarms(path: Path, n_alarms: usize, n_rollback: usize) -> Diagnostic {
    Diagnostic::error(
        path,
        format!(
            "{} alarms in total ({n_alarms} in Alarms, {n_rollback} from RollbackOn): CodeDeploy accepts at most {MAX_ALARMS} per deployment group",
            n_alarms + n_rollback
        ),
    )
}

/// One setting's value and where it came from.
struct Entry<'v> {
    value: &'v Value,
    path: Path,
    from_defaults: bool,
}

/// Routes each setting's diagnostics: a function's own go straight out; those of a value inherited
/// from the defaults go out only if not already reported (by [`parse_defaults`] or by another
/// function inheriting the same value).
struct Run<'s, 'a, 'd> {
    scope: &'s Scope<'a>,
    out: &'d mut Vec<Diagnostic>,
    failed: bool,
}

impl Run<'_, '_, '_> {
    fn field<T>(
        &mut self,
        e: &Entry<'_>,
        parse: impl FnOnce(&mut Parser<'_, '_>, &Value, &Path) -> Option<T>,
    ) -> Option<T> {
        let mut p = Parser { scope: Some(self.scope), diags: Vec::new() };
        let res = parse(&mut p, e.value, &e.path);
        self.failed |= res.is_none() || p.diags.iter().any(Diagnostic::is_error);
        for d in p.diags {
            self.report(d, e.from_defaults);
        }
        res
    }

    /// An optional setting: `Some(None)` when absent, `None` on error.
    fn optional<T>(
        &mut self,
        e: Option<&Entry<'_>>,
        parse: impl FnOnce(&mut Parser<'_, '_>, &Value, &Path) -> Option<T>,
    ) -> Option<Option<T>> {
        match e {
            None => Some(None),
            Some(e) => self.field(e, parse).map(Some),
        }
    }

    fn hook(
        &mut self,
        function: &str,
        path: &Path,
        e: Option<&Entry<'_>>,
        key: &str,
    ) -> Option<Option<Hook>> {
        let hook = match e {
            None => None,
            Some(e) => self.field(e, |p, v, at| p.hook_or_if(v, at, key, 0))?,
        };
        if let (Some(Hook::Function(id)), Some(e)) = (&hook, e) {
            if id == function {
                // CodeDeploy would invoke the function being deployed as its own hook, which can
                // never report the lifecycle status it waits for.
                let d = if e.from_defaults {
                    Diagnostic::error(
                        path.clone(),
                        format!("{key} from Metadata/CanaryDeployments is {function}, the function itself: a function cannot be its own hook"),
                    )
                    .with_help(format!(
                        "set {key} on this function to another function, or set the hook on each function that needs it instead of in the defaults"
                    ))
                } else {
                    Diagnostic::error(
                        e.path.clone(),
                        format!(
                            "{key} is {function}, the function itself: a function cannot be its own hook"
                        ),
                    )
                };
                self.fail(d);
                return None;
            }
        }
        Some(hook)
    }

    fn fail(&mut self, d: Diagnostic) {
        self.failed = true;
        self.out.push(d);
    }

    fn report(&mut self, d: Diagnostic, once: bool) {
        self.failed |= d.is_error();
        if !once || !self.out.contains(&d) {
            self.out.push(d);
        }
    }
}

/// The per-key parsers. Without a scope (template defaults) only what needs no template is checked.
struct Parser<'s, 'a> {
    scope: Option<&'s Scope<'a>>,
    diags: Vec<Diagnostic>,
}

impl Parser<'_, '_> {
    fn err<T>(&mut self, path: &Path, message: impl Into<String>) -> Option<T> {
        self.diags.push(Diagnostic::error(path.clone(), message));
        None
    }

    fn err_help<T>(&mut self, path: &Path, message: impl Into<String>, help: Option<String>) -> Option<T> {
        let mut d = Diagnostic::error(path.clone(), message);
        d.help = help;
        self.diags.push(d);
        None
    }

    /// Dispatches a known key of the defaults; the result is only checked, not kept.
    fn key(&mut self, key: &str, value: &Value, path: &Path) -> Option<()> {
        match key {
            "Type" => self.traffic(value, path).map(drop),
            "Alias" => self.alias(value, path).map(drop),
            "PreTrafficHook" | "PostTrafficHook" => self.hook(value, path, key).map(drop),
            "Triggers" => self.triggers(value, path).map(drop),
            "ServiceRole" => self.iam_arn(value, path, key, "role").map(drop),
            "PermissionsBoundary" => self.iam_arn(value, path, key, "policy").map(drop),
            "AutoRollback" => self.auto_rollback(value, path).map(drop),
            "IgnorePollAlarmFailure" => self.boolean(value, path, key).map(drop),
            "ProvisionedConcurrency" => self.integer(value, path, key, 1, u64::MAX).map(drop),
            "Enabled" => self.enabled(value, path).map(drop),
            _ => Some(()),
        }
    }

    /// Reports each key of `obj` not in `known`, with the closest known key as help.
    fn unknown_keys(&mut self, obj: &Map, path: &Path, known: &[&str], what: &str) -> bool {
        let mut ok = true;
        for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
            ok = false;
            let help = did_you_mean(key, known).map(|k| format!("did you mean {k:?}?"));
            self.err_help::<()>(
                &path.key(key),
                format!("unknown {what} {key:?}: accepted are {}", known.join(", ")),
                help,
            );
        }
        ok
    }

    fn traffic(&mut self, v: &Value, path: &Path) -> Option<Traffic> {
        match v {
            Value::String(s) => self.traffic_name(s, path, None),
            Value::Object(obj) if obj.len() == 1 && obj.contains_key("Ref") => {
                let ref_path = path.key("Ref");
                let Some(target) = obj["Ref"].as_str() else {
                    return self
                        .err(&ref_path, format!("Ref takes a logical ID, found {}", found(&obj["Ref"])));
                };
                let Some(scope) = self.scope else {
                    return Some(Traffic::ConfigResource(target.to_owned()));
                };
                if scope.is_list_parameter(target) {
                    return self.err(
                        &ref_path,
                        format!("Type refers to parameter {target}, a list: accepted is a String parameter"),
                    );
                }
                if scope.is_parameter(target) {
                    return match scope.parameter_value(target) {
                        Some(Value::String(s)) => self.traffic_name(s, &ref_path, Some(target)),
                        Some(other) => self.err(
                            &ref_path,
                            format!("Type refers to parameter {target}, whose value is {}: accepted is a string naming a traffic shape or deployment config", found(other)),
                        ),
                        None => self.err_help(
                            &ref_path,
                            format!("Type refers to parameter {target}, but parameter {target} has no value"),
                            Some("give the parameter a value, or a Default".to_owned()),
                        ),
                    };
                }
                match scope.resource_type(target) {
                    Some(DEPLOYMENT_CONFIG_TYPE) => Some(Traffic::ConfigResource(target.to_owned())),
                    Some(other) => self.err(
                        &ref_path,
                        format!("Type refers to {target}, an {other}: accepted are a parameter or an {DEPLOYMENT_CONFIG_TYPE}"),
                    ),
                    None => {
                        let names = scope.parameters.keys().map(|k| k.as_str());
                        let names = names.chain(scope.ids_of(&[DEPLOYMENT_CONFIG_TYPE]));
                        let help = scope.suggest(target, names).map(|n| format!("did you mean {n:?}?"));
                        self.err_help(
                            &ref_path,
                            format!("Type refers to {target:?}, which is neither a parameter nor a resource of the template"),
                            help,
                        )
                    }
                }
            }
            _ => self.err(path, format!("Type must be {TYPE_ACCEPTED}, found {}", found(v))),
        }
    }

    /// A `Type` string, written in the template or read from `parameter`.
    fn traffic_name(&mut self, s: &str, path: &Path, parameter: Option<&str>) -> Option<Traffic> {
        let shown = match parameter {
            Some(p) => format!("Type {s:?} (from parameter {p})"),
            None => format!("Type {s:?}"),
        };
        if PREDEFINED_TYPES.contains(&s) {
            return Some(Traffic::ConfigName(format!("CodeDeployDefault.Lambda{s}")));
        }
        let near_predefined = || did_you_mean(s, PREDEFINED_TYPES).map(|n| format!("did you mean {n:?}?"));
        match parse_shape(s) {
            Some(Ok(shape)) => {
                // A predefined shape written another way (`Linear10PercentEvery1Minutes`) is the
                // predefined config: no need to generate a copy of it.
                let name = shape.name();
                if PREDEFINED_TYPES.contains(&name.as_str()) {
                    return Some(Traffic::ConfigName(format!("CodeDeployDefault.Lambda{name}")));
                }
                if shape.kind == ShapeKind::Linear {
                    let steps = 100u64.div_ceil(u64::from(shape.percentage));
                    let total = (steps - 1) * u64::from(shape.interval_minutes);
                    if total > MAX_SHIFT_MINUTES {
                        self.diags.push(Diagnostic::warning(
                            path.clone(),
                            format!("{shown} shifts traffic over {total} minutes, longer than the {MAX_SHIFT_MINUTES} minutes (48 hours) CodeDeploy allows a Lambda deployment"),
                        ));
                    }
                }
                Some(Traffic::Shape(shape))
            }
            Some(Err(ShapeError::Malformed)) => self.err_help(
                path,
                format!("{shown} is not a traffic shape: accepted are {SHAPES_ACCEPTED}"),
                repaired_shape(s).map(|n| format!("did you mean {n:?}?")).or_else(near_predefined),
            ),
            Some(Err(ShapeError::Percent(p))) => {
                self.err(path, format!("{shown} shifts {p} percent: accepted percentages are 1 to 99"))
            }
            Some(Err(ShapeError::Interval(m))) => self.err(
                path,
                format!("{shown} waits {m} minutes: accepted intervals are 1 to {MAX_SHIFT_MINUTES} minutes"),
            ),
            None => {
                if let Some(rest) = s.strip_prefix("CodeDeployDefault.") {
                    // Every CodeDeployDefault config Lambda can use is one of the predefined names;
                    // the others are for EC2 or ECS and CodeDeploy rejects them for a Lambda group.
                    let known = rest.strip_prefix("Lambda").is_some_and(|n| PREDEFINED_TYPES.contains(&n));
                    if known {
                        return Some(Traffic::ConfigName(s.to_owned()));
                    }
                    let full: Vec<String> =
                        PREDEFINED_TYPES.iter().map(|n| format!("CodeDeployDefault.Lambda{n}")).collect();
                    let full: Vec<&str> = full.iter().map(String::as_str).collect();
                    let help = did_you_mean(s, &full).map(|n| format!("did you mean {n:?}?"));
                    return self.err_help(
                        path,
                        format!("{shown} is not a predefined Lambda deployment config: accepted are CodeDeployDefault.Lambda followed by one of {}", PREDEFINED_TYPES.join(", ")),
                        help,
                    );
                }
                if s.is_empty() {
                    return self.err(path, format!("Type must be {TYPE_ACCEPTED}, found \"\""));
                }
                if s.chars().count() > 100 {
                    return self.err(
                        path,
                        format!("{shown} is not a deployment config name: CodeDeploy accepts at most 100 characters"),
                    );
                }
                // CodeDeploy refuses a config name it does not know only at deploy time.
                self.diags.push(
                    Diagnostic::warning(
                        path.clone(),
                        format!("{shown} is neither a predefined config nor a traffic shape, so it is used as the name of a deployment config outside the template, which must exist in the account at deploy time"),
                    )
                    .with_help(near_predefined().unwrap_or_else(|| format!("accepted shapes are {SHAPES_ACCEPTED}"))),
                );
                Some(Traffic::ConfigName(s.to_owned()))
            }
        }
    }

    fn alias(&mut self, v: &Value, path: &Path) -> Option<String> {
        const ACCEPTED: &str = "a string of 1 to 128 letters, digits, - or _, not all digits";
        let Some(s) = v.as_str() else {
            return self.err(path, format!("Alias must be {ACCEPTED}, found {}", found(v)));
        };
        // Lambda's alias name pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+), 1 to 128 characters.
        let valid = (1..=128).contains(&s.len())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !s.chars().all(|c| c.is_ascii_digit());
        if !valid {
            return self.err(path, format!("Alias {s:?} is not a Lambda alias name: accepted is {ACCEPTED}"));
        }
        Some(s.to_owned())
    }

    /// A hook, or an `Fn::If` choosing one (or `AWS::NoValue`, none): the condition is evaluated
    /// for the parameter values of this expansion, as `Enabled` is, since the hook's name goes into
    /// the alias's update policy and the generated role. Both branches are checked.
    fn hook_or_if(&mut self, v: &Value, path: &Path, key: &str, depth: usize) -> Option<Option<Hook>> {
        let Some(Value::Array(arg)) = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.get("Fn::If"))
        else {
            return self.hook(v, path, key).map(Some);
        };
        let path = path.key("Fn::If");
        if depth > 8 {
            return self.err(&path, format!("Fn::If nests more than 8 levels deep in {key}"));
        }
        let [condition, then, otherwise] = arg.as_slice() else {
            return self.err(&path, format!("Fn::If takes [Condition, hook, hook], found {}", found(v)));
        };
        let ok = self.if_condition(condition, &path);
        let branch = |p: &mut Self, v: &Value, i: usize| -> Option<Option<Hook>> {
            if is_no_value(v) {
                return Some(None);
            }
            p.hook_or_if(v, &path.index(i), key, depth + 1)
        };
        let (then, otherwise) = (branch(self, then, 1), branch(self, otherwise, 2));
        let (Some(then), Some(otherwise), true) = (then, otherwise, ok) else { return None };
        let Some(scope) = self.scope else { return Some(then) };
        match scope.conditions.eval(&json!({ "Condition": condition }), &path.index(0)) {
            Ok(true) => Some(then),
            Ok(false) => Some(otherwise),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// A hook; a function outside the template must be named exactly, since the generated role
    /// grants `lambda:InvokeFunction` on it and CodeDeploy invokes it by that name.
    fn hook(&mut self, v: &Value, path: &Path, key: &str) -> Option<Hook> {
        match self.hook_form(v, path, key)? {
            Hook::External(name) => match external_function_problem(&name) {
                Some(problem) => self.err(
                    path,
                    format!("{key} {} {problem}: accepted is a function name (letters, digits, - and _, up to 64), \
                         optionally with :<version or alias>, or arn:<partition>:lambda:<region>:<account>:function:<name>", quoted(&name)),
                ),
                None => Some(Hook::External(name)),
            },
            hook => Some(hook),
        }
    }

    fn hook_form(&mut self, v: &Value, path: &Path, key: &str) -> Option<Hook> {
        let wrong = |v: &Value| format!("{key} must be {HOOK_ACCEPTED}, found {}", found(v));
        match v {
            Value::String(s) if s.is_empty() => self.err(path, wrong(v)),
            // An ARN (or `name:alias`) is a function outside the template.
            Value::String(s) if s.contains(':') => self.external_hook(s, path, key),
            Value::String(s) => {
                let Some(scope) = self.scope else { return self.external_hook(s, path, key) };
                match scope.resource_type(s) {
                    Some(t) if FUNCTION_TYPES.contains(&t) => Some(Hook::Function(s.to_string())),
                    Some(t) => {
                        self.err(path, format!("{key} names {s}, an {t}: accepted is {HOOK_ACCEPTED}"))
                    }
                    // No logical ID is that long: said before any suggestion is looked for.
                    None if s.len() > MAX_LOGICAL_ID => self.external_hook(s, path, key),
                    None => {
                        // Offline, a function elsewhere cannot be told from a typo; CodeDeploy finds
                        // out only when it invokes the hook, in the middle of a deployment.
                        let close = scope.suggest(s, scope.ids_of(FUNCTION_TYPES));
                        let hook = self.external_hook(s, path, key)?;
                        // A name no function can have is an error of its own (see `hook`).
                        if external_function_problem(s).is_some() {
                            return Some(hook);
                        }
                        let help = match close {
                            Some(close) => {
                                format!("did you mean {close:?}? For a function outside the template, write its ARN")
                            }
                            None => "for a function outside the template, write its ARN to say so".to_owned(),
                        };
                        self.diags.push(
                            Diagnostic::warning(
                                path.clone(),
                                format!(
                                    "{key} names {}, which is not a function of the template, so a function of \
                                     that name must exist in the account and region at deploy time",
                                    quoted(s)
                                ),
                            )
                            .with_help(help),
                        );
                        Some(hook)
                    }
                }
            }
            Value::Object(obj) if obj.len() == 1 && obj.contains_key("Ref") => {
                let ref_path = path.key("Ref");
                let Some(target) = obj["Ref"].as_str() else {
                    return self
                        .err(&ref_path, format!("Ref takes a logical ID, found {}", found(&obj["Ref"])));
                };
                let Some(scope) = self.scope else { return Some(Hook::Function(target.to_owned())) };
                if scope.is_list_parameter(target) {
                    return self.err(
                        &ref_path,
                        format!("{key} refers to parameter {target}, a list: accepted is a String parameter"),
                    );
                }
                if scope.is_parameter(target) {
                    // A parameter holds the name or ARN of a function elsewhere, resolved now so the
                    // hook's permissions can name it.
                    return match scope.parameter_value(target) {
                        Some(Value::String(s)) if !s.is_empty() => self.external_hook(s, &ref_path, key),
                        Some(other) => self.err(
                            &ref_path,
                            format!("{key} refers to parameter {target}, whose value is {}: accepted is a function name or ARN", found(other)),
                        ),
                        None => self.err_help(
                            &ref_path,
                            format!("{key} refers to parameter {target}, but parameter {target} has no value"),
                            Some("give the parameter a value, or a Default".to_owned()),
                        ),
                    };
                }
                self.hook_function(target, &ref_path, key)
            }
            Value::Object(obj) if obj.len() == 1 && obj.contains_key("Fn::GetAtt") => {
                let at = path.key("Fn::GetAtt");
                let Some((target, attribute)) = get_att(&obj["Fn::GetAtt"]) else {
                    return self.err(
                        &at,
                        format!(
                            "Fn::GetAtt takes [Function, Arn] or \"Function.Arn\", found {}",
                            found(&obj["Fn::GetAtt"])
                        ),
                    );
                };
                if attribute != "Arn" {
                    return self.err(
                        &at,
                        format!("{key} takes the Arn of a function, found Fn::GetAtt {target}.{attribute}"),
                    );
                }
                if self.scope.is_none() {
                    return Some(Hook::Function(target.to_owned()));
                }
                self.hook_function(target, &at, key)
            }
            _ => self.err(path, wrong(v)),
        }
    }

    /// A hook outside the template, by function name (at most 64 characters) or ARN (at most 140,
    /// as Lambda's `FunctionName` parameter takes them).
    fn external_hook(&mut self, s: &str, path: &Path, key: &str) -> Option<Hook> {
        let (what, limit) = if s.contains(':') {
            ("function ARN", MAX_FUNCTION_ARN_LEN)
        } else {
            ("function name", MAX_FUNCTION_NAME_LEN)
        };
        let length = s.chars().count();
        if length > limit {
            let in_template = if s.contains(':') { "" } else { " nor a function of the template" };
            return self.err(
                path,
                format!(
                    "{key} is {}, {length} characters long: no Lambda {what} is longer than {limit}{in_template}",
                    quoted(s)
                ),
            );
        }
        Some(Hook::External(s.to_owned()))
    }

    /// A hook named by `Ref` or `Fn::GetAtt`: it must be a function of the template.
    fn hook_function(&mut self, target: &str, path: &Path, key: &str) -> Option<Hook> {
        let scope = self.scope?;
        match scope.resource_type(target) {
            Some(t) if FUNCTION_TYPES.contains(&t) => Some(Hook::Function(target.to_owned())),
            Some(t) => {
                self.err(path, format!("{key} refers to {target}, an {t}: accepted is a Lambda function"))
            }
            None => {
                let help = scope
                    .suggest(target, scope.ids_of(FUNCTION_TYPES))
                    .map(|n| format!("did you mean {n:?}?"));
                self.err_help(
                    path,
                    format!("{key} refers to {target:?}, which is not a resource of the template"),
                    help,
                )
            }
        }
    }

    fn alarms(&mut self, v: &Value, path: &Path) -> Option<AlarmList> {
        self.alarm_list(v, path, 0)
    }

    /// A list of alarms, or one `Fn::If` choosing between two lists (`!If [IsProd, [A, B], []]`),
    /// which becomes one `Fn::If` per alarm: each alarm of a branch is kept when its branch is taken.
    fn alarm_list(&mut self, v: &Value, path: &Path, depth: usize) -> Option<AlarmList> {
        if let Some(Value::Array(arg)) = v.as_object().filter(|o| o.len() == 1).and_then(|o| o.get("Fn::If"))
        {
            if depth > 8 {
                return self.err(path, "Fn::If nests more than 8 levels deep in Alarms");
            }
            let path = path.key("Fn::If");
            let [condition, then, otherwise] = arg.as_slice() else {
                return self
                    .err(&path, format!("Fn::If takes [Condition, alarms, alarms], found {}", found(v)));
            };
            let ok = self.if_condition(condition, &path);
            let branch = |p: &mut Self, v: &Value, i: usize| -> Option<AlarmList> {
                if is_no_value(v) {
                    return Some(AlarmList::default());
                }
                p.alarm_list(v, &path.index(i), depth + 1)
            };
            let (then, otherwise) = (branch(self, then, 1), branch(self, otherwise, 2));
            let (Some(then), Some(otherwise), true) = (then, otherwise, ok) else { return None };
            let no_value = json!({"Ref": "AWS::NoValue"});
            let mut items = Vec::with_capacity(then.items.len() + otherwise.items.len());
            items.extend(then.items.into_iter().map(|a| json!({"Fn::If": [condition, a, no_value]})));
            items.extend(otherwise.items.into_iter().map(|a| json!({"Fn::If": [condition, no_value, a]})));
            return Some(AlarmList { items, most: then.most.max(otherwise.most) });
        }
        let Some(items) = v.as_array() else {
            return self.err(path, format!("Alarms must be {ALARMS_ACCEPTED}, found {}", found(v)));
        };
        let mut res: Vec<Value> = Vec::with_capacity(items.len());
        // Where each alarm was first listed, by its JSON text: hashed, since a list compared item by
        // item would cost the square of its length.
        let mut first_at: HashMap<String, usize, KeyHashing> = HashMap::default();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let at = path.index(i);
            match self.alarm(item, &at, 0) {
                // CodeDeploy takes each alarm once per deployment group.
                Some(alarm) => {
                    match first_at.entry(alarm.to_string()) {
                        std::collections::hash_map::Entry::Occupied(first) => {
                            ok = false;
                            self.err::<()>(
                            &at,
                            format!("alarm {alarm} is already listed at {}: CodeDeploy accepts each alarm once", path.index(*first.get())),
                        );
                        }
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(i);
                            res.push(alarm);
                        }
                    }
                }
                None => ok = false,
            }
        }
        ok.then(|| AlarmList { most: res.len(), items: res })
    }

    /// One alarm, normalised to CloudFormation's `{Name: …}` (or an `Fn::If` of such).
    fn alarm(&mut self, v: &Value, path: &Path, depth: usize) -> Option<Value> {
        if depth > 8 {
            return self.err(path, "Fn::If nests more than 8 levels deep in Alarms");
        }
        let obj = match v {
            Value::String(s) if s.is_empty() => {
                return self.err(path, format!("an alarm must be {ALARM_ACCEPTED}, found \"\""))
            }
            Value::String(s) => {
                if let Some(scope) = self.scope {
                    match scope.resource_type(s) {
                        Some(t) if ALARM_TYPES.contains(&t) => {}
                        Some(t) => {
                            return self
                                .err(path, format!("alarm {s} is an {t}: accepted is {ALARM_ACCEPTED}"))
                        }
                        None => {
                            let close = scope.suggest(s, scope.ids_of(ALARM_TYPES));
                            let outside = format!("for an alarm outside the template, write {{Name: {s:?}}}");
                            let help = match close {
                                Some(close) => format!(
                                    "did you mean {close:?}? {}{}",
                                    outside[..1].to_uppercase(),
                                    &outside[1..]
                                ),
                                None => outside,
                            };
                            return self.err_help(
                                path,
                                format!("alarm {s:?} is not a resource of the template"),
                                Some(help),
                            );
                        }
                    }
                }
                return Some(json!({ "Name": { "Ref": s } }));
            }
            Value::Object(obj) => obj,
            _ => return self.err(path, format!("an alarm must be {ALARM_ACCEPTED}, found {}", found(v))),
        };
        if obj.len() == 1 && obj.contains_key("Ref") {
            return self
                .alarm_ref(&obj["Ref"], &path.key("Ref"))
                .map(|target| json!({ "Name": { "Ref": target } }));
        }
        if obj.len() == 1 && obj.contains_key("Fn::If") {
            return self.alarm_if(&obj["Fn::If"], &path.key("Fn::If"), depth);
        }
        if obj.len() == 1 && obj.keys().all(|k| k.starts_with("Fn::")) {
            return self.err(path, format!("an alarm must be {ALARM_ACCEPTED}, found {}", found(v)));
        }
        let mut ok = self.unknown_keys(obj, path, &["Name"], "alarm key");
        let name = match obj.get("Name") {
            None => {
                // A misspelt `Name` was just reported as an unknown key; saying it is missing too
                // would only repeat it.
                if ok {
                    self.err::<()>(path, format!("an alarm object needs Name: accepted is {ALARM_ACCEPTED}"));
                }
                ok = false;
                None
            }
            Some(Value::String(s)) if (1..=255).contains(&s.chars().count()) => {
                Some(Value::String(s.clone()))
            }
            Some(name) if is_string_intrinsic(name) => {
                ok &= self.check_refs(name, &path.key("Name"));
                Some(name.clone())
            }
            Some(name) => {
                ok = false;
                self.err::<()>(
                    &path.key("Name"),
                    format!("Name must be an alarm name of 1 to 255 characters or {INTRINSICS_ACCEPTED}, found {}", found(name)),
                );
                None
            }
        };
        if ok {
            name.map(|name| json!({ "Name": name }))
        } else {
            None
        }
    }

    /// The target of an alarm's `{Ref: X}`: an alarm of the template or a parameter holding a name.
    fn alarm_ref(&mut self, target: &Value, path: &Path) -> Option<String> {
        let Some(target) = target.as_str() else {
            return self.err(path, format!("Ref takes a logical ID, found {}", found(target)));
        };
        let Some(scope) = self.scope else { return Some(target.to_owned()) };
        if scope.is_parameter(target) {
            return Some(target.to_owned());
        }
        match scope.resource_type(target) {
            Some(t) if ALARM_TYPES.contains(&t) => Some(target.to_owned()),
            Some(t) => {
                self.err(path, format!("alarm Ref to {target}, an {t}: accepted is an alarm or a parameter"))
            }
            None => {
                let names = scope.ids_of(ALARM_TYPES).chain(scope.parameters.keys().map(|k| k.as_str()));
                let help = scope.suggest(target, names).map(|n| format!("did you mean {n:?}?"));
                self.err_help(path, format!("alarm Ref to {target:?}, which is neither a parameter nor a resource of the template"), help)
            }
        }
    }

    fn alarm_if(&mut self, arg: &Value, path: &Path, depth: usize) -> Option<Value> {
        let Some([condition, then, otherwise]) =
            arg.as_array().and_then(|a| <&[Value; 3]>::try_from(a.as_slice()).ok())
        else {
            return self.err(path, format!("Fn::If takes [Condition, alarm, alarm], found {}", found(arg)));
        };
        let ok = self.if_condition(condition, path);
        let branch = |p: &mut Self, v: &Value, i: usize| -> Option<Value> {
            if is_no_value(v) {
                return Some(v.clone());
            }
            p.alarm(v, &path.index(i), depth + 1)
        };
        let then = branch(self, then, 1);
        let otherwise = branch(self, otherwise, 2);
        match (then, otherwise) {
            (Some(then), Some(otherwise)) if ok => Some(json!({ "Fn::If": [condition, then, otherwise] })),
            _ => None,
        }
    }

    /// The condition name an `Fn::If` (at `path`) starts with: a condition of the template.
    fn if_condition(&mut self, condition: &Value, path: &Path) -> bool {
        let Some(name) = condition.as_str() else {
            self.err::<()>(
                &path.index(0),
                format!("Fn::If takes a condition name first, found {}", found(condition)),
            );
            return false;
        };
        let Some(scope) = self.scope else { return true };
        let conditions = scope.conditions_section();
        if conditions.is_some_and(|c| c.contains_key(name)) {
            return true;
        }
        let names = conditions.into_iter().flat_map(|c| c.keys().map(|k| k.as_str()));
        let help = scope.suggest(name, names).map(|n| format!("did you mean {n:?}?"));
        self.err_help::<()>(
            &path.index(0),
            format!("condition {name:?} is not in the template's Conditions"),
            help,
        );
        false
    }

    fn rollback_on(&mut self, v: &Value, path: &Path) -> Option<RollbackOn> {
        let Some(obj) = v.as_object() else {
            return self.err(
                path,
                format!(
                    "RollbackOn must be an object with any of {}, found {}",
                    ROLLBACK_ON_KEYS.join(", "),
                    found(v)
                ),
            );
        };
        let mut ok = self.unknown_keys(obj, path, ROLLBACK_ON_KEYS, "RollbackOn metric");
        let mut res = RollbackOn::default();
        let mut int = |p: &mut Self, key: &str, max: u64| -> Option<u64> {
            let v = obj.get(key)?;
            let n = p.integer(v, &path.key(key), key, 1, max);
            ok &= n.is_some();
            n
        };
        res.errors = int(self, "Errors", u64::MAX);
        res.throttles = int(self, "Throttles", u64::MAX);
        res.duration_p99 = int(self, "DurationP99", MAX_DURATION_MS);
        if let Some(v) = obj.get("ErrorRate") {
            res.error_rate = self.percentage(v, &path.key("ErrorRate"));
            ok &= res.error_rate.is_some();
        }
        ok.then_some(res)
    }

    /// `ErrorRate`: a percentage above 0 and at most 100.
    fn percentage(&mut self, v: &Value, path: &Path) -> Option<f64> {
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        };
        match n {
            Some(n) if n > 0.0 && n <= 100.0 => Some(n),
            Some(n) => {
                self.err(path, format!("ErrorRate must be a percentage above 0 and at most 100, found {n}"))
            }
            None => self.err(
                path,
                format!("ErrorRate must be a percentage above 0 and at most 100, found {}", found(v)),
            ),
        }
    }

    fn triggers(&mut self, v: &Value, path: &Path) -> Option<Vec<Value>> {
        let Some(items) = v.as_array() else {
            return self.err(
                path,
                format!(
                    "Triggers must be a list of objects with {}, found {}",
                    TRIGGER_KEYS.join(", "),
                    found(v)
                ),
            );
        };
        let mut ok = true;
        let mut names: HashSet<&str, KeyHashing> = HashSet::default();
        for (i, item) in items.iter().enumerate() {
            let at = path.index(i);
            let Some(obj) = item.as_object() else {
                ok = false;
                self.err::<()>(
                    &at,
                    format!(
                        "a trigger must be an object with {}, found {}",
                        TRIGGER_KEYS.join(", "),
                        found(item)
                    ),
                );
                continue;
            };
            ok &= self.unknown_keys(obj, &at, TRIGGER_KEYS, "trigger key");
            match obj.get("TriggerName") {
                None => ok &= self.err::<()>(&at, "a trigger needs TriggerName").is_some(),
                Some(Value::String(s)) if !s.is_empty() => {
                    if !names.insert(s) {
                        ok = false;
                        self.err::<()>(
                            &at.key("TriggerName"),
                            format!(
                                "TriggerName {} is used twice: CodeDeploy names each trigger once",
                                quoted(s)
                            ),
                        );
                    }
                }
                Some(other) => {
                    ok = false;
                    self.err::<()>(
                        &at.key("TriggerName"),
                        format!("TriggerName must be a non-empty string, found {}", found(other)),
                    );
                }
            }
            match obj.get("TriggerTargetArn") {
                None => {
                    ok &= self
                        .err::<()>(&at, "a trigger needs TriggerTargetArn: the ARN of an SNS topic")
                        .is_some()
                }
                Some(Value::String(s)) => {
                    if let Some(problem) = topic_arn_problem(s) {
                        ok = false;
                        self.err::<()>(
                            &at.key("TriggerTargetArn"),
                            format!("TriggerTargetArn {} {problem}: accepted are arn:<partition>:sns:<region>:<account>:<topic> or {INTRINSICS_ACCEPTED}", quoted(s)),
                        );
                    }
                }
                Some(arn) if is_string_intrinsic(arn) => {
                    ok &= self.check_refs(arn, &at.key("TriggerTargetArn"));
                    // The generated role may publish to exactly this topic: no wildcard in the
                    // text of an `Fn::Sub`, nor in a parameter's value.
                    let text = match arn.get("Fn::Sub") {
                        Some(Value::String(text)) => Some((text.to_string(), "Fn::Sub")),
                        Some(Value::Array(parts)) => {
                            parts.first().and_then(Value::as_str).map(|t| (t.to_owned(), "Fn::Sub"))
                        }
                        _ => None,
                    };
                    let parameter = arn
                        .get("Ref")
                        .and_then(Value::as_str)
                        .and_then(|p| {
                            self.scope
                                .filter(|scope| scope.is_parameter(p))
                                .and_then(|scope| scope.parameter_value(p))
                        })
                        .and_then(Value::as_str)
                        .map(|value| (value.to_owned(), "Ref"));
                    if let Some((text, key)) = text.or(parameter) {
                        let problem =
                            if key == "Ref" { topic_arn_problem(&text) } else { sub_wildcard_problem(&text) };
                        if let Some(problem) = problem {
                            ok = false;
                            self.err::<()>(
                                &at.key("TriggerTargetArn").key(key),
                                format!(
                                    "TriggerTargetArn {} {problem}: accepted is the ARN of one SNS topic",
                                    quoted(&text)
                                ),
                            );
                        }
                    }
                    // `Ref` to a topic is its ARN; `Ref` to any other resource is not a topic.
                    let target = arn.get("Ref").and_then(Value::as_str);
                    let ty = self.scope.zip(target).and_then(|(scope, t)| scope.resource_type(t));
                    if let (Some(target), Some(ty)) = (target, ty) {
                        if ty != "AWS::SNS::Topic" {
                            ok = false;
                            self.err::<()>(
                                &at.key("TriggerTargetArn").key("Ref"),
                                format!("TriggerTargetArn refers to {target}, an {ty}: accepted is an AWS::SNS::Topic"),
                            );
                        }
                    }
                }
                Some(other) => {
                    ok = false;
                    self.err::<()>(
                        &at.key("TriggerTargetArn"),
                        format!(
                            "TriggerTargetArn must be an SNS topic ARN or {INTRINSICS_ACCEPTED}, found {}",
                            found(other)
                        ),
                    );
                }
            }
            if let Some(events) = obj.get("TriggerEvents") {
                ok &= self.trigger_events(events, &at.key("TriggerEvents")).is_some();
            }
        }
        ok.then(|| items.clone())
    }

    fn trigger_events(&mut self, v: &Value, path: &Path) -> Option<()> {
        let accepted = TRIGGER_EVENTS.join(", ");
        let items = match v.as_array() {
            Some(items) if !items.is_empty() => items,
            _ => {
                return self.err(
                    path,
                    format!("TriggerEvents must be a non-empty list of {accepted}, found {}", found(v)),
                )
            }
        };
        let mut ok = true;
        for (i, event) in items.iter().enumerate() {
            match event.as_str() {
                Some(e) if TRIGGER_EVENTS.contains(&e) => {}
                Some(e) => {
                    ok = false;
                    let help = did_you_mean(e, TRIGGER_EVENTS).map(|n| format!("did you mean {n:?}?"));
                    self.err_help::<()>(
                        &path.index(i),
                        format!("unknown trigger event {e:?}: accepted are {accepted}"),
                        help,
                    );
                }
                None => {
                    ok = false;
                    self.err::<()>(
                        &path.index(i),
                        format!("a trigger event must be one of {accepted}, found {}", found(event)),
                    );
                }
            }
        }
        ok.then_some(())
    }

    /// `ServiceRole` (`resource` = `role`) or `PermissionsBoundary` (`policy`): an IAM ARN or an
    /// intrinsic that gives one.
    fn iam_arn(&mut self, v: &Value, path: &Path, key: &str, resource: &str) -> Option<Value> {
        let accepted = format!("an IAM {resource} ARN (arn:<partition>:iam::<account>:{resource}/<name>) or {INTRINSICS_ACCEPTED}");
        match v {
            Value::String(s) => {
                let parts: Vec<&str> = s.splitn(6, ':').collect();
                let valid = matches!(parts.as_slice(), ["arn", partition, "iam", "", account, rest]
                    if !partition.is_empty()
                        && partition.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        && !account.is_empty()
                        && rest.strip_prefix(resource).and_then(|r| r.strip_prefix('/')).is_some_and(|n| !n.is_empty()));
                if valid {
                    Some(v.clone())
                } else {
                    self.err(
                        path,
                        format!("{key} {s:?} is not an IAM {resource} ARN: accepted is {accepted}"),
                    )
                }
            }
            _ if is_string_intrinsic(v) => {
                // `Ref` to an `AWS::IAM::Role` gives the role's name, and CodeDeploy wants its ARN.
                if let (Some(scope), Some(Value::String(target))) = (self.scope, v.get("Ref")) {
                    if resource == "role" && scope.resource_type(target) == Some("AWS::IAM::Role") {
                        return self.err_help(
                            &path.key("Ref"),
                            format!("{key} refers to {target}, whose Ref is the role's name, not its ARN"),
                            Some(format!("write {{Fn::GetAtt: [{target}, Arn]}}")),
                        );
                    }
                }
                self.check_refs(v, path).then(|| v.clone())
            }
            _ => self.err(path, format!("{key} must be {accepted}, found {}", found(v))),
        }
    }

    fn deployment_group_name(&mut self, v: &Value, path: &Path) -> Option<Value> {
        const ACCEPTED: &str = "1 to 100 letters, digits or . _ + = , @ -";
        match v {
            Value::String(s) => {
                let valid = (1..=100).contains(&s.len())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || "._+=,@-".contains(c));
                if valid {
                    Some(v.clone())
                } else {
                    self.err(path, format!("DeploymentGroupName {s:?} is not a deployment group name: accepted are {ACCEPTED}"))
                }
            }
            _ if is_string_intrinsic(v) => self.check_refs(v, path).then(|| v.clone()),
            _ => self.err(
                path,
                format!(
                    "DeploymentGroupName must be a string of {ACCEPTED}, or {INTRINSICS_ACCEPTED}, found {}",
                    found(v)
                ),
            ),
        }
    }

    fn auto_rollback(&mut self, v: &Value, path: &Path) -> Option<Vec<RollbackEvent>> {
        let names: Vec<&str> = RollbackEvent::ALL.iter().map(|e| e.as_str()).collect();
        let accepted = format!("true, false, or a non-empty list of {}", names.join(", "));
        if let Some(b) = bool_of(v) {
            return Some(if b { RollbackEvent::ALL.to_vec() } else { Vec::new() });
        }
        let items = match v.as_array() {
            Some(items) if !items.is_empty() => items,
            _ => {
                let help = matches!(v, Value::Array(_))
                    .then(|| "write AutoRollback: false to turn automatic rollback off".to_owned());
                return self.err_help(
                    path,
                    format!("AutoRollback must be {accepted}, found {}", found(v)),
                    help,
                );
            }
        };
        let mut res = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match RollbackEvent::ALL.iter().find(|e| Some(e.as_str()) == item.as_str()) {
                // Duplicates are dropped, keeping the first place each event was written.
                Some(e) if !res.contains(e) => res.push(*e),
                Some(_) => {}
                None => {
                    ok = false;
                    let help = item
                        .as_str()
                        .and_then(|s| did_you_mean(s, &names))
                        .map(|n| format!("did you mean {n:?}?"));
                    self.err_help::<()>(
                        &path.index(i),
                        format!(
                            "AutoRollback event must be one of {}, found {}",
                            names.join(", "),
                            found(item)
                        ),
                        help,
                    );
                }
            }
        }
        ok.then_some(res)
    }

    fn boolean(&mut self, v: &Value, path: &Path, key: &str) -> Option<bool> {
        bool_of(v).or_else(|| self.err(path, format!("{key} must be true or false, found {}", found(v))))
    }

    /// An integer from `min` to `max`; a string of digits is accepted as CloudFormation coerces it.
    fn integer(&mut self, v: &Value, path: &Path, key: &str, min: u64, max: u64) -> Option<u64> {
        let accepted = if max == u64::MAX {
            format!("an integer of at least {min}")
        } else {
            format!("an integer from {min} to {max}")
        };
        let n: Option<i128> = match v {
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e30).map(|f| f as i128)),
            Value::String(s) if !s.is_empty() && s.len() < 30 && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        match n {
            Some(n) if n >= i128::from(min) && n <= i128::from(max) => Some(n as u64),
            Some(n) => self.err(path, format!("{key} must be {accepted}, found {n}")),
            None => self.err(path, format!("{key} must be {accepted}, found {}", found(v))),
        }
    }

    fn enabled(&mut self, v: &Value, path: &Path) -> Option<bool> {
        if let Some(b) = bool_of(v) {
            return Some(b);
        }
        if !matches!(v, Value::Object(_)) {
            return self.err(
                path,
                format!("Enabled must be true, false, or a condition over parameters (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), found {}", found(v)),
            );
        }
        let Some(scope) = self.scope else { return Some(true) };
        match scope.conditions.eval(v, path) {
            Ok(b) => Some(b),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// Checks the target of a top-level `Ref` or `Fn::GetAtt` exists; other intrinsics are left to
    /// CloudFormation. Returns whether all is well.
    fn check_refs(&mut self, v: &Value, path: &Path) -> bool {
        let Some(scope) = self.scope else { return true };
        let (target, at) = if let Some(target) = v.get("Ref") {
            match target.as_str() {
                Some(t) => (t, path.key("Ref")),
                None => {
                    return self
                        .err::<()>(
                            &path.key("Ref"),
                            format!("Ref takes a logical ID, found {}", found(target)),
                        )
                        .is_some()
                }
            }
        } else if let Some(arg) = v.get("Fn::GetAtt") {
            match get_att(arg) {
                Some((t, _)) => (t, path.key("Fn::GetAtt")),
                None => {
                    return self
                        .err::<()>(
                            &path.key("Fn::GetAtt"),
                            format!(
                            "Fn::GetAtt takes [LogicalId, Attribute] or \"LogicalId.Attribute\", found {}",
                            found(arg)
                        ),
                        )
                        .is_some()
                }
            }
        } else {
            return true;
        };
        let is_ref = v.get("Ref").is_some();
        if scope.resources.contains_key(target)
            || (is_ref && (scope.is_parameter(target) || target.starts_with("AWS::")))
        {
            return true;
        }
        let parameters = if is_ref { Some(scope.parameters) } else { None };
        let names =
            scope.resources.keys().chain(parameters.into_iter().flat_map(|p| p.keys())).map(|k| k.as_str());
        let help = scope.suggest(target, names).map(|n| format!("did you mean {n:?}?"));
        let what = if is_ref { "neither a parameter nor a resource" } else { "not a resource" };
        self.err_help::<()>(&at, format!("{target:?} is {what} of the template"), help);
        false
    }
}

/// `true`, `false`, `"true"` or `"false"`.
fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// `(logical ID, attribute)` of an `Fn::GetAtt` argument, list or dotted-string form. The string form
/// splits at the first dot, as CloudFormation does.
fn get_att(arg: &Value) -> Option<(&str, &str)> {
    match arg {
        Value::Array(items) if items.len() == 2 => Some((items[0].as_str()?, items[1].as_str()?)),
        Value::String(s) => s.split_once('.'),
        _ => None,
    }
}

fn is_string_intrinsic(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.len() == 1 && o.keys().all(|k| STRING_INTRINSICS.contains(&k.as_str())))
}

fn is_no_value(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.len() == 1 && o.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue"))
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` with every part but region present.
/// Why `s` does not name exactly one SNS topic by ARN (`None` when it does).
fn topic_arn_problem(s: &str) -> Option<&'static str> {
    if s.contains(['*', '?']) {
        return Some("has a wildcard, and the generated role grants sns:Publish on exactly the topic named");
    }
    let parts: Vec<&str> = s.split(':').collect();
    let ["arn", partition, "sns", region, account, topic] = parts.as_slice() else {
        return Some("is not an SNS topic ARN");
    };
    let topic_name = topic.strip_suffix(".fifo").unwrap_or(topic);
    let well_formed = is_partition(partition)
        && is_region(region)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (1..=256).contains(&topic_name.len())
        && topic_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!well_formed).then_some("is not an SNS topic ARN")
}

/// Why the literal text of an `Fn::Sub` (outside its `${…}` placeholders) names more than one resource.
fn sub_wildcard_problem(text: &str) -> Option<&'static str> {
    let mut literal = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        literal.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    literal.push_str(rest);
    literal
        .contains(['*', '?'])
        .then_some("has a wildcard, and the generated role grants sns:Publish on exactly the topic named")
}

/// Why `s` does not name exactly one Lambda function outside the template (`None` when it does):
/// a name, `name:qualifier`, `account:function:name[:qualifier]`, or a function ARN.
fn external_function_problem(s: &str) -> Option<&'static str> {
    if s.contains(['*', '?']) {
        return Some("has a wildcard, and the generated role may invoke exactly the hook named");
    }
    let is_name = |n: &str| {
        (1..=64).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let is_qualifier = |q: &str| {
        q == "$LATEST"
            || ((1..=128).contains(&q.len())
                && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    };
    let is_account = |a: &str| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split(':').collect();
    let ok = match parts.as_slice() {
        [name] => is_name(name),
        [name, qualifier] => is_name(name) && is_qualifier(qualifier),
        [account, "function", name] => is_account(account) && is_name(name),
        [account, "function", name, qualifier] => {
            is_account(account) && is_name(name) && is_qualifier(qualifier)
        }
        ["arn", partition, "lambda", region, account, "function", name] => {
            is_partition(partition) && is_region(region) && is_account(account) && is_name(name)
        }
        ["arn", partition, "lambda", region, account, "function", name, qualifier] => {
            is_partition(partition)
                && is_region(region)
                && is_account(account)
                && is_name(name)
                && is_qualifier(qualifier)
        }
        _ => false,
    };
    (!ok).then_some("is not the name or ARN of a Lambda function")
}

fn is_partition(p: &str) -> bool {
    p.starts_with("aws") && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

fn is_region(r: &str) -> bool {
    !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Why a string that starts like a shape is not one; numbers are kept as written, for messages.
#[derive(Debug, PartialEq)]
enum ShapeError {
    Malformed,
    Percent(String),
    Interval(String),
}

/// Parses `Canary<P>Percent<M>Minute(s)` / `Linear<P>PercentEvery<M>Minute(s)`. `None` when `s` does
/// not start like a shape (`Canary` or `Linear`, in any case, then a digit): it is then a config name.
fn parse_shape(s: &str) -> Option<Result<Shape, ShapeError>> {
    let starts_like = |prefix: &str| {
        s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && s[prefix.len()..].starts_with(|c: char| c.is_ascii_digit())
    };
    let (kind, rest, separator) = if starts_like("Canary") {
        (ShapeKind::Canary, &s[6..], "Percent")
    } else if starts_like("Linear") {
        (ShapeKind::Linear, &s[6..], "PercentEvery")
    } else {
        return None;
    };
    let parsed = (|| {
        if !s.starts_with("Canary") && !s.starts_with("Linear") {
            return None;
        }
        let (percentage, rest) = digits(rest)?;
        let (interval, rest) = digits(rest.strip_prefix(separator)?)?;
        matches!(rest, "Minute" | "Minutes").then_some((percentage, interval))
    })();
    let Some(((percentage, percentage_text), (interval, interval_text))) = parsed else {
        return Some(Err(ShapeError::Malformed));
    };
    if !(1..=99).contains(&percentage) {
        return Some(Err(ShapeError::Percent(percentage_text.to_owned())));
    }
    if !(1..=MAX_SHIFT_MINUTES).contains(&interval) {
        return Some(Err(ShapeError::Interval(interval_text.to_owned())));
    }
    Some(Ok(Shape { kind, percentage: percentage as u32, interval_minutes: interval as u32 }))
}

/// The shape a malformed one most likely meant, when only its spelling is off: `Every` missing from a
/// linear shape or added to a canary, another letter case, or the unit shortened
/// (`Linear10Percent5Minutes` → `Linear10PercentEvery5Minutes`). Edit distance to the predefined
/// names would suggest a shape of the other kind.
fn repaired_shape(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let (kind, rest) = if let Some(rest) = lower.strip_prefix("canary") {
        (ShapeKind::Canary, rest)
    } else {
        (ShapeKind::Linear, lower.strip_prefix("linear")?)
    };
    let ((percentage, _), rest) = digits(rest)?;
    let rest = rest.strip_prefix("percent")?;
    let rest = rest.strip_prefix("every").unwrap_or(rest);
    let ((interval, _), rest) = digits(rest)?;
    if !matches!(rest, "" | "m" | "min" | "mins" | "minute" | "minutes") {
        return None;
    }
    let valid = (1..=99).contains(&percentage) && (1..=MAX_SHIFT_MINUTES).contains(&interval);
    valid.then(|| Shape { kind, percentage: percentage as u32, interval_minutes: interval as u32 }.name())
}

/// The leading decimal number of `s` (its value, saturating so that a huge one is simply out of
/// range, and its text) and the rest.
fn digits(s: &str) -> Option<((u64, &str), &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    let n = s[..end].bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    Some(((n, &s[..end]), &s[end..]))
}
