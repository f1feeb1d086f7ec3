//! Raw `CanaryDeployment` JSON → [`Settings`], with every problem reported at its template path.

use serde_json::{Map, Value};

use super::{ConditionEvaluator, Settings};
use crate::diag::{Diagnostic, Path};

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

/// What settings may be checked against besides themselves.
pub struct Scope<'a> {
    /// The template's `Resources`.
    pub resources: &'a Map<String, Value>,
    /// The template's `Parameters` section (for `Default`s and types).
    pub parameters: &'a Map<String, Value>,
    /// Values given for parameters; a parameter missing here takes its `Default`.
    pub parameter_values: &'a Map<String, Value>,
    pub conditions: ConditionEvaluator<'a>,
}

/// Checks the template-level defaults (`Metadata.CanaryDeployments`, at `path`) once, reporting their
/// problems at their own path, and returns the keys that later merge under each function's settings.
pub fn parse_defaults(raw: &Value, path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Map<String, Value> {
    let _ = (path, diagnostics);
    raw.as_object().cloned().unwrap_or_default()
}

/// Parses one function's settings (`raw`, found at `path`), with `defaults` under them.
/// Returns `None` when any error was reported.
pub fn parse_function_settings(
    function: &str,
    raw: &Value,
    path: &Path,
    defaults: &Map<String, Value>,
    scope: &Scope<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Settings> {
    let _ = (function, raw, path, defaults, scope, diagnostics);
    None
}
