//! Raw `CanaryDeployment` JSON → [`Settings`], with every problem reported at its template path.
//!
//! The walker is written by hand over `crate::json::Value` (serde derive would stop at the first error and carry no path): it never stops at the first
//! problem, every diagnostic carries the exact path of the offending value, and no `Value` makes it
//! panic. Each key has one method of [`Validator`], in a submodule by concern; it returns `None`
//! exactly when it reported an error.
//!
//! Template defaults (`Metadata.CanaryDeployments`) are checked once by [`parse_defaults`]. A
//! function's own keys win key by key; a key it leaves out is read from the defaults, at the defaults'
//! path, and a problem found there is reported once however many functions inherit it.

mod alarms;
mod arn;
mod fields;
mod hooks;
mod smoke_test;
mod traffic;
mod triggers;

use crate::json;
use crate::json::{KeyHashing, Map, Value};
use std::collections::{HashMap, HashSet};

use super::conditions::{found, quoted};
use super::{ConditionEvaluator, Hook, RollbackEvent, RollbackOn, Settings, Shape, ShapeKind, Traffic};
use crate::cfn::{self, FIND_IN_MAP, GET_ATT, IF, IMPORT_VALUE, JOIN, REF, SELECT, SUB};
use crate::diag::{did_you_mean, Diagnostic, Path};
use crate::limits::{
    MAX_ALARMS, MAX_ENVIRONMENT_BYTES, MAX_FUNCTION_ARN_LEN, MAX_FUNCTION_NAME_LEN, MAX_IF_NESTING,
    MAX_LOGICAL_ID,
};

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
    "SmokeTest",
];

/// The keys of one `SmokeTest` case.
pub const SMOKE_CASE_KEYS: &[&str] = &["Event", "Expect"];

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
const STRING_INTRINSICS: &[&str] = &[REF, GET_ATT, SUB, JOIN, IF, IMPORT_VALUE, FIND_IN_MAP, SELECT];

/// Lambda versions run at most 15 minutes, so a p99 duration above that can never be reached.
const MAX_DURATION_MS: u64 = 900_000;

/// A Lambda deployment shifts traffic for at most 48 hours (CodeDeploy quotas).
const MAX_SHIFT_MINUTES: u64 = 2880;

const FUNCTION_TYPES: &[&str] = &[cfn::LAMBDA_FUNCTION, cfn::SERVERLESS_FUNCTION];
const ALARM_TYPES: &[&str] = &[cfn::CLOUDWATCH_ALARM, cfn::CLOUDWATCH_COMPOSITE_ALARM];

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
    Path::root().key("Metadata").key(cfn::DEFAULTS_KEY)
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
    let mut validator = Validator { scope: None, diags: Vec::new() };
    validator.unknown_keys(obj, path, KNOWN_KEYS, "setting");
    let mut n_alarms = 0;
    let mut n_rollback_alarms = 0;
    for (key, value) in obj {
        let key_path = path.key(key);
        match key.as_str() {
            "Alarms" => n_alarms = validator.alarms(value, &key_path).map_or(0, |a| a.most),
            "RollbackOn" => {
                n_rollback_alarms = validator.rollback_on(value, &key_path).map_or(0, |r| r.count())
            }
            "DeploymentGroupName" => validator.diags.push(shared_group_name(key_path)),
            _ => {
                validator.key(key, value, &key_path);
            }
        }
    }
    if n_alarms + n_rollback_alarms > MAX_ALARMS {
        let at = if obj.contains_key("Alarms") { path.key("Alarms") } else { path.key("RollbackOn") };
        validator.diags.push(too_many_alarms(at, n_alarms, n_rollback_alarms));
    }
    diagnostics.extend(validator.diags);
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
        let mut validator = Validator { scope: Some(scope), diags: Vec::new() };
        validator.unknown_keys(obj, path, KNOWN_KEYS, "setting");
        run.failed |= !validator.diags.is_empty();
        run.out.extend(validator.diags);
    }

    // A function's key wins over the default's as a whole. For `RollbackOn` this means the
    // function's object replaces the default one wholesale (no per-metric merge): the alarms a
    // function rolls back on are then all written in one place, and `RollbackOn: {}` turns the
    // defaults' alarms off for one function.
    let dpath = defaults_path();
    let fields: Vec<Option<SettingField<'_>>> = KNOWN_KEYS
        .iter()
        .map(|key| {
            if let Some(value) = obj.get(key) {
                Some(SettingField { value, path: path.key(key), from_defaults: false })
            } else {
                defaults.get(key).map(|value| SettingField {
                    value,
                    path: dpath.key(key),
                    from_defaults: true,
                })
            }
        })
        .collect();
    let setting = |key: &str| KNOWN_KEYS.iter().position(|k| *k == key).and_then(|i| fields.get(i)?.as_ref());

    let traffic = match setting("Type") {
        Some(field) => run.field(field, |validator, v, at| validator.traffic(v, at)),
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
    let alias = setting("Alias")
        .map_or(Some("Live".to_owned()), |field| run.field(field, |validator, v, at| validator.alias(v, at)));
    let pre_traffic_hook = run.hook(function, path, setting("PreTrafficHook"), "PreTrafficHook");
    let post_traffic_hook = run.hook(function, path, setting("PostTrafficHook"), "PostTrafficHook");
    let alarms = setting("Alarms").map_or(Some(AlarmList::default()), |field| {
        run.field(field, |validator, v, at| validator.alarms(v, at))
    });
    let rollback_on = setting("RollbackOn").map_or(Some(RollbackOn::default()), |field| {
        run.field(field, |validator, v, at| validator.rollback_on(v, at))
    });
    let triggers = setting("Triggers")
        .map_or(Some(Vec::new()), |field| run.field(field, |validator, v, at| validator.triggers(v, at)));
    let service_role = run
        .optional(setting("ServiceRole"), |validator, v, at| validator.iam_arn(v, at, "ServiceRole", "role"));
    let permissions_boundary = run.optional(setting("PermissionsBoundary"), |validator, v, at| {
        validator.iam_arn(v, at, "PermissionsBoundary", "policy")
    });
    let deployment_group_name =
        run.optional(setting("DeploymentGroupName"), |validator, v, at| {
            match setting("DeploymentGroupName") {
                Some(field) if field.from_defaults => {
                    validator.diags.push(shared_group_name(at.clone()));
                    None
                }
                _ => validator.deployment_group_name(v, at),
            }
        });
    let auto_rollback = setting("AutoRollback").map_or(Some(RollbackEvent::ALL.to_vec()), |field| {
        run.field(field, |validator, v, at| validator.auto_rollback(v, at))
    });
    let ignore_poll_alarm_failure = setting("IgnorePollAlarmFailure").map_or(Some(false), |field| {
        run.field(field, |validator, v, at| validator.boolean(v, at, "IgnorePollAlarmFailure"))
    });
    let provisioned_concurrency = run.optional(setting("ProvisionedConcurrency"), |validator, v, at| {
        validator.integer(v, at, "ProvisionedConcurrency", 1, u64::MAX)
    });
    let enabled = setting("Enabled")
        .map_or(Some(true), |field| run.field(field, |validator, v, at| validator.enabled(v, at)));
    let smoke_test = setting("SmokeTest")
        .map_or(Some(Vec::new()), |field| run.field(field, |validator, v, at| validator.smoke_test(v, at)));
    if let (Some(cases), Some(Some(_)), Some(smoke), Some(hook)) =
        (&smoke_test, &pre_traffic_hook, setting("SmokeTest"), setting("PreTrafficHook"))
    {
        if !cases.is_empty() {
            // CodeDeploy runs one BeforeAllowTrafficHook, and the smoke test is one.
            let hook_from = if hook.from_defaults { " (from Metadata/CanaryDeployments)" } else { "" };
            let diagnostic = Diagnostic::error(
                smoke.path.clone(),
                format!(
                    "SmokeTest runs as the pre-traffic hook, and this function has PreTrafficHook{hook_from} too: \
                     CodeDeploy takes one BeforeAllowTrafficHook"
                ),
            )
            .with_help("keep SmokeTest, or PreTrafficHook and invoke the cases from that hook");
            run.report(diagnostic, smoke.from_defaults && hook.from_defaults);
        }
    }

    if let (Some(alarms), Some(rollback_on)) = (&alarms, &rollback_on) {
        if alarms.most + rollback_on.count() > MAX_ALARMS {
            // Reported where the user would cut: the alarm list if there is one, else RollbackOn.
            let source = setting("Alarms").filter(|_| !alarms.items.is_empty()).or(setting("RollbackOn"));
            if let Some(source) = source {
                let diagnostic = too_many_alarms(source.path.clone(), alarms.most, rollback_on.count());
                let both_from_defaults = setting("Alarms").is_none_or(|field| field.from_defaults)
                    && setting("RollbackOn").is_none_or(|field| field.from_defaults);
                run.report(diagnostic, both_from_defaults);
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
        smoke_test: smoke_test?,
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
struct SettingField<'v> {
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
        field: &SettingField<'_>,
        parse: impl FnOnce(&mut Validator<'_, '_>, &Value, &Path) -> Option<T>,
    ) -> Option<T> {
        let mut validator = Validator { scope: Some(self.scope), diags: Vec::new() };
        let result = parse(&mut validator, field.value, &field.path);
        self.failed |= result.is_none() || validator.diags.iter().any(Diagnostic::is_error);
        for diagnostic in validator.diags {
            self.report(diagnostic, field.from_defaults);
        }
        result
    }

    /// An optional setting: `Some(None)` when absent, `None` on error.
    fn optional<T>(
        &mut self,
        field: Option<&SettingField<'_>>,
        parse: impl FnOnce(&mut Validator<'_, '_>, &Value, &Path) -> Option<T>,
    ) -> Option<Option<T>> {
        match field {
            None => Some(None),
            Some(field) => self.field(field, parse).map(Some),
        }
    }

    fn hook(
        &mut self,
        function: &str,
        path: &Path,
        field: Option<&SettingField<'_>>,
        key: &str,
    ) -> Option<Option<Hook>> {
        let hook = match field {
            None => None,
            Some(field) => self.field(field, |validator, v, at| validator.hook_or_if(v, at, key, 0))?,
        };
        if let (Some(Hook::Function(id)), Some(field)) = (&hook, field) {
            if id == function {
                // CodeDeploy would invoke the function being deployed as its own hook, which can
                // never report the lifecycle status it waits for.
                let diagnostic = if field.from_defaults {
                    Diagnostic::error(
                        path.clone(),
                        format!("{key} from Metadata/CanaryDeployments is {function}, the function itself: a function cannot be its own hook"),
                    )
                    .with_help(format!(
                        "set {key} on this function to another function, or set the hook on each function that needs it instead of in the defaults"
                    ))
                } else {
                    Diagnostic::error(
                        field.path.clone(),
                        format!(
                            "{key} is {function}, the function itself: a function cannot be its own hook"
                        ),
                    )
                };
                self.fail(diagnostic);
                return None;
            }
        }
        Some(hook)
    }

    fn fail(&mut self, diagnostic: Diagnostic) {
        self.failed = true;
        self.out.push(diagnostic);
    }

    fn report(&mut self, diagnostic: Diagnostic, once: bool) {
        self.failed |= diagnostic.is_error();
        if !once || !self.out.contains(&diagnostic) {
            self.out.push(diagnostic);
        }
    }
}

/// Validates already-parsed JSON into typed settings, one method per key, collecting diagnostics.
/// Without a scope (template defaults) only what needs no template is checked. The methods live in
/// the submodules, by setting.
struct Validator<'s, 'a> {
    scope: Option<&'s Scope<'a>>,
    diags: Vec<Diagnostic>,
}

impl Validator<'_, '_> {
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
            "SmokeTest" => self.smoke_test(value, path).map(drop),
            _ => Some(()),
        }
    }

    /// The value of `parameter` (of `scope`), which `key` refers to at `path`, when it is a string
    /// `usable` takes; else why not is reported: a list parameter, another value (`accepted` says what
    /// `key` takes), or no value at all.
    fn parameter_string<'v>(
        &mut self,
        scope: &'v Scope<'_>,
        path: &Path,
        key: &str,
        parameter: &str,
        accepted: &str,
        usable: fn(&str) -> bool,
    ) -> Option<&'v str> {
        if scope.is_list_parameter(parameter) {
            return self.err(
                path,
                format!("{key} refers to parameter {parameter}, a list: accepted is a String parameter"),
            );
        }
        match scope.parameter_value(parameter) {
            Some(Value::String(s)) if usable(s) => Some(s),
            Some(other) => self.err(
                path,
                format!(
                    "{key} refers to parameter {parameter}, whose value is {}: accepted is {accepted}",
                    found(other)
                ),
            ),
            None => self.err_help(
                path,
                format!("{key} refers to parameter {parameter}, but parameter {parameter} has no value"),
                Some("give the parameter a value, or a Default".to_owned()),
            ),
        }
    }

    /// `value` is not what `expected` names with `keys`: "`expected` K1, K2, found `value`".
    fn not_with_keys<T>(&mut self, path: &Path, expected: &str, keys: &[&str], value: &Value) -> Option<T> {
        self.err(path, format!("{expected} {}, found {}", keys.join(", "), found(value)))
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

fn is_string_intrinsic(v: &Value) -> bool {
    cfn::single_key(v).is_some_and(|(key, _)| STRING_INTRINSICS.contains(&key))
}
