//! canary-smoke-hook: the pre-traffic hook a `SmokeTest` setting deploys (docs/smoke-test.md).
//!
//! CodeDeploy invokes it with a [`CodeDeployLifecycleEvent`] before any traffic moves. It reads the
//! deployment's AppSpec (`GetDeployment` names the revision, whose content it leaves empty;
//! `GetApplicationRevision` returns it), invokes the AppSpec's `TargetVersion` of its function once
//! per case with the case's `Event`, and judges each answer: a failed invocation, a function error,
//! or an answer that does not contain `Expect` fails the case. It then reports `Succeeded` or
//! `Failed` with `PutLifecycleEventHookExecutionStatus`, whatever happened before: a panic, its own
//! deadline (it stops early enough to report before Lambda's timeout), throttling that outlasted the
//! retries. CodeDeploy would otherwise wait for its one-hour limit.
//!
//! One JSON log line per case carries its verdict and, for a failure, the reason or the mismatch;
//! events and answers are not logged beyond the mismatching value.

pub mod aws;
pub mod expect;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use aws_lambda_events::event::codedeploy::CodeDeployLifecycleEvent;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::{json, Value};

use aws::{Aws, CallError};

/// The environment variable the expansion writes the cases into (the engine's `SMOKE_TEST_VARIABLE`).
pub const CASES_VARIABLE: &str = "CANARY_SMOKE_TEST";

/// Time kept back from the invocation's deadline to report the status, with its retries: this, or a
/// quarter of the time left when that is shorter.
const REPORT_RESERVE: Duration = Duration::from_secs(10);

/// The time to run the cases in when the runtime gives no usable deadline.
const NO_DEADLINE_BUDGET: Duration = Duration::from_secs(60);

/// One case: the event the new version is invoked with, and what its answer must contain.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub event: Value,
    pub expect: Option<Value>,
}

/// The cases from their JSON text, `[{"Event": …, "Expect": …}]`; `Expect: null` expects `null`.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, String> {
    let items: Vec<serde_json::Map<String, Value>> =
        serde_json::from_str(text).map_err(|e| format!("{CASES_VARIABLE} is not a list of cases: {e}"))?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, mut item)| {
            let event =
                item.remove("Event").ok_or_else(|| format!("case {i} of {CASES_VARIABLE} has no Event"))?;
            Ok(Case { event, expect: item.remove("Expect") })
        })
        .collect()
}

/// What the hook needs besides the event: its AWS client and its cases (or why they could not be
/// read, which fails every deployment rather than pass one untested).
pub struct Hook {
    pub aws: Result<Aws, CallError>,
    pub cases: Result<Vec<Case>, String>,
}

impl Hook {
    pub fn from_env() -> Hook {
        let cases = std::env::var(CASES_VARIABLE)
            .map_err(|_| format!("{CASES_VARIABLE} is not set"))
            .and_then(|text| parse_cases(&text));
        Hook { aws: Aws::from_env(), cases }
    }
}

/// The function and version a deployment moves traffic to, from its AppSpec.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub function: String,
    pub version: String,
}

/// The lifecycle hook's handler: runs the cases within the time left, then reports the status.
/// Only an event it cannot read, or a status it could not report, is an error.
pub async fn handler(hook: Arc<Hook>, event: LambdaEvent<CodeDeployLifecycleEvent>) -> Result<Value, Error> {
    let (event, context) = event.into_parts();
    let deadline = Duration::from_millis(context.deadline);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let budget = run_budget(deadline, now);
    // A task of its own, so that a panic in it is a `JoinError` here, and a deadline can stop it.
    let mut task = tokio::spawn(run(Arc::clone(&hook), event.deployment_id.clone()));
    let verdict = match tokio::time::timeout(budget, &mut task).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(reason))) => Err(reason),
        Ok(Err(join)) if join.is_panic() => {
            Err(format!("the hook panicked: {}", panic_message(join.into_panic())))
        }
        Ok(Err(join)) => Err(format!("the hook's task ended: {join}")),
        Err(_) => {
            task.abort();
            Err(format!("the cases did not finish within the {:.1} s left to run them", budget.as_secs_f64()))
        }
    };
    let status = match &verdict {
        Ok(()) => "Succeeded",
        Err(reason) => {
            tracing::error!(deployment_id = %event.deployment_id, reason = %reason, deadline_ms = context.deadline, "the smoke test failed");
            "Failed"
        }
    };
    let aws = hook.aws.as_ref().map_err(|e| format!("cannot report {status}: {e}"))?;
    aws.put_status(&event.deployment_id, &event.lifecycle_event_hook_execution_id, status)
        .await
        .map_err(|e| format!("cannot report {status}: {e}"))?;
    tracing::info!(deployment_id = %event.deployment_id, status, "reported the lifecycle hook's status");
    Ok(json!({"status": status}))
}

/// How long the cases may run when the invocation ends at `deadline` and it is `now` (both since the
/// epoch): the time left less the reserve for reporting.
pub fn run_budget(deadline: Duration, now: Duration) -> Duration {
    // Lambda sends the deadline as milliseconds since the epoch; a deadline already past is not
    // one (cargo-lambda's emulator sends 600000), and the hook then gives itself a minute.
    let left = if deadline > now { deadline - now } else { NO_DEADLINE_BUDGET };
    left.saturating_sub(REPORT_RESERVE.min(left / 4))
}

/// Finds the target version and runs every case; `Err` says why the smoke test failed.
async fn run(hook: Arc<Hook>, deployment_id: String) -> Result<(), String> {
    #[cfg(feature = "fault-injection")]
    if std::env::var("CANARY_SMOKE_HOOK_FAULT").is_ok_and(|fault| fault == format!("panic:{deployment_id}")) {
        #[allow(clippy::panic)]
        {
            panic!("fault injected by CANARY_SMOKE_HOOK_FAULT");
        }
    }
    let cases = hook.cases.as_ref().map_err(String::clone)?;
    let aws = hook.aws.as_ref().map_err(|e| e.to_string())?;
    let target = target(aws, &deployment_id).await?;
    tracing::info!(function = %target.function, version = %target.version, cases = cases.len(), "running the smoke test");
    let mut failed = 0;
    for (i, case) in cases.iter().enumerate() {
        let verdict = run_case(aws, &target, case).await;
        match &verdict {
            Verdict::Pass => tracing::info!(case = i, verdict = "pass", "smoke test case"),
            Verdict::Fail { reason, mismatch } => {
                failed += 1;
                tracing::warn!(case = i, verdict = "fail", reason = %reason, mismatch = mismatch.as_deref(), "smoke test case");
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} of {} cases failed", cases.len()))
    }
}

/// What one case came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    Fail { reason: String, mismatch: Option<String> },
}

async fn run_case(aws: &Aws, target: &Target, case: &Case) -> Verdict {
    let fail = |reason: String| Verdict::Fail { reason, mismatch: None };
    let payload = case.event.to_string().into_bytes();
    let invocation = match aws.invoke(&target.function, &target.version, payload).await {
        Ok(invocation) => invocation,
        Err(e) => return fail(format!("the invocation failed: {e}")),
    };
    if let Some(kind) = invocation.function_error {
        // The payload is the function's error object: its type and message say what broke.
        let error: Value = serde_json::from_slice(&invocation.payload).unwrap_or(Value::Null);
        let detail = ["errorType", "errorMessage"]
            .iter()
            .filter_map(|k| error.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(": ");
        return fail(format!("the function returned an error ({kind}) {detail}").trim().to_owned());
    }
    judge(case, &invocation.payload)
}

/// The verdict on an answer (the invocation's payload) for a case.
pub fn judge(case: &Case, payload: &[u8]) -> Verdict {
    let Some(expected) = &case.expect else { return Verdict::Pass };
    let answer: Value = match serde_json::from_slice(payload) {
        Ok(answer) => answer,
        Err(_) => {
            return Verdict::Fail {
                reason: "the answer is not JSON, so it cannot contain Expect".to_owned(),
                mismatch: None,
            }
        }
    };
    match expect::mismatch(expected, &answer) {
        None => Verdict::Pass,
        Some(m) => Verdict::Fail {
            reason: "the answer does not contain Expect".to_owned(),
            mismatch: Some(m.to_string()),
        },
    }
}

/// The deployment's target from its AppSpec: `GetDeployment` for the application and revision,
/// `GetApplicationRevision` for the revision's content.
async fn target(aws: &Aws, deployment_id: &str) -> Result<Target, String> {
    let info = aws.get_deployment(deployment_id).await.map_err(|e| e.to_string())?;
    let application = info
        .get("applicationName")
        .and_then(Value::as_str)
        .ok_or("GetDeployment returned no applicationName")?;
    let revision = info.get("revision").ok_or("GetDeployment returned no revision")?;
    let revision = aws.get_application_revision(application, revision).await.map_err(|e| e.to_string())?;
    let content = ["appSpecContent", "string"]
        .iter()
        .find_map(|k| revision.get(*k)?.get("content")?.as_str())
        .ok_or("the deployment's revision has no AppSpec content")?;
    app_spec_target(content)
}

/// `Name` and `TargetVersion` of the AppSpec's one Lambda function resource. The AppSpec is JSON or
/// YAML (CodeDeploy takes both); YAML is read by its `key: value` lines, enough for the flat
/// properties a Lambda AppSpec holds.
pub fn app_spec_target(content: &str) -> Result<Target, String> {
    let from_json = || -> Option<Target> {
        let spec: Value = serde_json::from_str(content).ok()?;
        let resources = spec.get("Resources")?.as_array()?;
        resources.iter().filter_map(Value::as_object).flat_map(|r| r.values()).find_map(|resource| {
            let properties = resource.get("Properties")?;
            let text = |key: &str| match properties.get(key)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            Some(Target { function: text("Name")?, version: text("TargetVersion")? })
        })
    };
    let from_yaml = || -> Option<Target> {
        let value = |key: &str| {
            content.lines().find_map(|line| {
                let rest = line.trim().strip_prefix(key)?.strip_prefix(':')?;
                Some(rest.trim().trim_matches(|c| c == '"' || c == '\'').to_owned()).filter(|v| !v.is_empty())
            })
        };
        Some(Target { function: value("Name")?, version: value("TargetVersion")? })
    };
    from_json()
        .or_else(from_yaml)
        .ok_or_else(|| "the AppSpec names no function Name and TargetVersion".to_owned())
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_keep_an_expected_null_apart_from_no_expectation() {
        let cases = parse_cases(r#"[{"Event": {"a": 1}}, {"Event": "x", "Expect": null}]"#).unwrap();
        assert_eq!(cases[0], Case { event: json!({"a": 1}), expect: None });
        assert_eq!(cases[1], Case { event: json!("x"), expect: Some(Value::Null) });
        assert!(parse_cases(r#"[{"Expect": 1}]"#).unwrap_err().contains("case 0"));
        assert!(parse_cases("{").is_err());
    }

    #[test]
    fn the_target_comes_from_a_json_or_yaml_app_spec() {
        // The AppSpec CloudFormation's CodeDeployLambdaAliasUpdate writes.
        let json = r#"{"version":0.0,"Resources":[{"Api":{"Type":"AWS::Lambda::Function","Properties":{"Name":"stack-Api-1","Alias":"Live","CurrentVersion":"3","TargetVersion":"4"}}}]}"#;
        let want = Target { function: "stack-Api-1".into(), version: "4".into() };
        assert_eq!(app_spec_target(json), Ok(want.clone()));
        let yaml = "version: 0.0\nResources:\n  - Api:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: \"stack-Api-1\"\n        Alias: Live\n        CurrentVersion: 3\n        TargetVersion: 4\n";
        assert_eq!(app_spec_target(yaml), Ok(want));
        assert!(app_spec_target("{}").is_err());
    }

    #[test]
    fn the_cases_stop_early_enough_to_report() {
        let now = Duration::from_secs(1_800_000_000);
        let secs = |s: u64| Duration::from_secs(s);
        // A 900 s hook keeps 10 s to report; a 20 s one a quarter of its time.
        assert_eq!(run_budget(now + secs(900), now), secs(890));
        assert_eq!(run_budget(now + secs(20), now), secs(15));
        assert_eq!(run_budget(now, now), secs(50));
        assert_eq!(run_budget(Duration::from_millis(600_000), now), secs(50));
    }

    #[test]
    fn answers_are_judged_against_expect() {
        let case = |expect: Option<Value>| Case { event: json!({}), expect };
        assert_eq!(judge(&case(None), b"not json"), Verdict::Pass);
        assert_eq!(
            judge(&case(Some(json!({"statusCode": 200}))), br#"{"statusCode":200,"body":"ok"}"#),
            Verdict::Pass
        );
        assert_eq!(
            judge(&case(Some(json!({"statusCode": 200}))), br#"{"statusCode":500}"#),
            Verdict::Fail {
                reason: "the answer does not contain Expect".into(),
                mismatch: Some("at /statusCode: expected 200, found 500".into())
            }
        );
        assert!(matches!(judge(&case(Some(json!(1))), b"{"), Verdict::Fail { mismatch: None, .. }));
    }
}
