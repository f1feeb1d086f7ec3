//! The `CanaryDeployment` settings (docs/settings.md): where they are read from, and their typed form.
//!
//! `parse.rs` turns the raw JSON of one function's settings, merged over the template defaults,
//! into [`Settings`], reporting every problem with its template path; its submodules (`parse/`)
//! validate the keys by concern (traffic, hooks, alarms, triggers, plain fields, ARNs). Everything
//! downstream takes `&Settings` and never looks at the raw value again.

mod conditions;
mod parse;
#[cfg(test)]
mod tests;

pub use conditions::{partition_for_region, url_suffix_for_region, ConditionEvaluator};
pub use parse::{
    defaults_path, parse_defaults, parse_function_settings, Scope, KNOWN_KEYS, PREDEFINED_TYPES,
    ROLLBACK_ON_KEYS, SMOKE_CASE_KEYS, TRIGGER_EVENTS, TRIGGER_KEYS,
};

use crate::json::Value;

/// One marked function's settings, validated and with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub traffic: Traffic,
    /// The Lambda alias name (default `Live`).
    pub alias: String,
    pub pre_traffic_hook: Option<Hook>,
    pub post_traffic_hook: Option<Hook>,
    /// Ready-made items of the deployment group's `AlarmConfiguration.Alarms`: `{Name: …}`, or an
    /// `Fn::If` whose branches are such items (or `{Ref: AWS::NoValue}`).
    pub alarms: Vec<Value>,
    pub rollback_on: RollbackOn,
    /// CodeDeploy `TriggerConfiguration` objects, as CloudFormation spells them.
    pub triggers: Vec<Value>,
    /// An existing CodeDeploy role's ARN; `None` means the one generated role.
    pub service_role: Option<Value>,
    pub permissions_boundary: Option<Value>,
    pub deployment_group_name: Option<Value>,
    /// Events that roll back; empty means automatic rollback is off (`AutoRollback: false`).
    pub auto_rollback: Vec<RollbackEvent>,
    pub ignore_poll_alarm_failure: bool,
    pub provisioned_concurrency: Option<u64>,
    /// `Enabled`, already evaluated against the stack's parameter values.
    pub enabled: bool,
    /// `SmokeTest`: empty means no smoke test. Never given together with `pre_traffic_hook`.
    pub smoke_test: Vec<SmokeCase>,
}

/// The environment variable that hands the smoke test cases to the hook (docs/smoke-test.md).
pub const SMOKE_TEST_VARIABLE: &str = "CANARY_SMOKE_TEST";

/// One `SmokeTest` case: literal JSON, checked to hold no intrinsic function.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeCase {
    pub event: Value,
    /// What the answer must contain: objects by subset, recursively; other values equal.
    pub expect: Option<Value>,
}

impl SmokeCase {
    /// The cases as the hook reads them from [`SMOKE_TEST_VARIABLE`]: `[{"Event": …, "Expect": …}]`,
    /// compact JSON, `Expect` only where it was given.
    pub fn environment_value(cases: &[SmokeCase]) -> String {
        let items = cases
            .iter()
            .map(|case| {
                let mut obj = crate::json::Map::with_capacity(2);
                obj.insert("Event", case.event.clone());
                if let Some(expect) = &case.expect {
                    obj.insert("Expect", expect.clone());
                }
                Value::Object(obj)
            })
            .collect();
        Value::Array(items).to_string()
    }

    /// The bytes the hook's environment takes as Lambda's API carries it, `{"NAME":"<value>"}`, the
    /// value escaped as a JSON string (each quote of the cases' JSON counts twice).
    pub fn environment_size(cases: &[SmokeCase]) -> usize {
        let value = Self::environment_value(cases);
        let escaped = serde_json::to_string(&value).map_or(usize::MAX, |s| s.len());
        // `{"` + name + `":` + value + `}`
        escaped.saturating_add(SMOKE_TEST_VARIABLE.len() + 5)
    }
}

/// How traffic moves from the old version to the new one.
#[derive(Debug, Clone, PartialEq)]
pub enum Traffic {
    /// A deployment config name used as is: `CodeDeployDefault.Lambda…` (predefined shapes map here)
    /// or a custom config that exists outside the template.
    ConfigName(String),
    /// A shape CodeDeploy does not predefine: one generated `AWS::CodeDeploy::DeploymentConfig` per shape.
    Shape(Shape),
    /// `{Ref: X}` to an `AWS::CodeDeploy::DeploymentConfig` resource in the template.
    ConfigResource(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ShapeKind {
    Canary,
    Linear,
}

/// `Canary<percentage>Percent<interval>Minutes` or `Linear<percentage>PercentEvery<interval>Minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shape {
    pub kind: ShapeKind,
    pub percentage: u32,
    pub interval_minutes: u32,
}

impl Shape {
    /// The shape's name as a user writes it, e.g. `Canary25Percent20Minutes`, `Linear5PercentEvery1Minute`.
    pub fn name(&self) -> String {
        let unit = if self.interval_minutes == 1 { "Minute" } else { "Minutes" };
        match self.kind {
            ShapeKind::Canary => format!("Canary{}Percent{}{unit}", self.percentage, self.interval_minutes),
            ShapeKind::Linear => {
                format!("Linear{}PercentEvery{}{unit}", self.percentage, self.interval_minutes)
            }
        }
    }
}

/// A pre- or post-traffic hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hook {
    /// An `AWS::Lambda::Function` in the template, by logical ID.
    Function(String),
    /// A function outside the template: its name or ARN.
    External(String),
}

/// `RollbackOn`: alarms generated on the new version's metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollbackOn {
    /// Errors per minute that trip the alarm.
    pub errors: Option<u64>,
    /// Throttles per minute that trip the alarm.
    pub throttles: Option<u64>,
    /// Percent of invocations that error, above which the alarm trips.
    pub error_rate: Option<f64>,
    /// p99 duration in milliseconds above which the alarm trips.
    pub duration_p99: Option<u64>,
}

impl RollbackOn {
    pub fn count(&self) -> usize {
        usize::from(self.errors.is_some())
            + usize::from(self.throttles.is_some())
            + usize::from(self.error_rate.is_some())
            + usize::from(self.duration_p99.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RollbackEvent {
    DeploymentFailure,
    DeploymentStopOnAlarm,
    DeploymentStopOnRequest,
}

impl RollbackEvent {
    pub const ALL: [RollbackEvent; 3] = [
        RollbackEvent::DeploymentFailure,
        RollbackEvent::DeploymentStopOnAlarm,
        RollbackEvent::DeploymentStopOnRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RollbackEvent::DeploymentFailure => "DEPLOYMENT_FAILURE",
            RollbackEvent::DeploymentStopOnAlarm => "DEPLOYMENT_STOP_ON_ALARM",
            RollbackEvent::DeploymentStopOnRequest => "DEPLOYMENT_STOP_ON_REQUEST",
        }
    }
}
