//! `AWS::CloudWatch::Alarm` `<Fn>Canary<Metric>Alarm`, generated from `RollbackOn`.
//!
//! Each alarm watches only the NEW version behind the alias: Lambda publishes alias invocations with
//! the dimensions `FunctionName`, `Resource` (`<function>:<alias>`) and `ExecutedVersion`, so errors of
//! the old version (still serving most traffic during a canary) never roll the new one back.
//! `TreatMissingData: notBreaching`, because a canary at 10% may see no traffic in a minute.

use crate::json;
use crate::json::{Map, Value};

use super::resource;
use crate::cfn;

/// The metrics `RollbackOn` accepts, with the suffix their alarm's logical ID carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RollbackMetric {
    Errors(u64),
    Throttles(u64),
    ErrorRate(f64),
    DurationP99(u64),
}

impl RollbackMetric {
    pub fn id_part(self) -> &'static str {
        match self {
            RollbackMetric::Errors(_) => "Errors",
            RollbackMetric::Throttles(_) => "Throttles",
            RollbackMetric::ErrorRate(_) => "ErrorRate",
            RollbackMetric::DurationP99(_) => "DurationP99",
        }
    }
}

pub fn rollback_alarm(
    function: &str,
    alias_name: &str,
    version: &str,
    metric: RollbackMetric,
    condition: Option<&str>,
) -> Map {
    let dimensions = json!([
        {"Name": "FunctionName", "Value": cfn::ref_to(function)},
        {"Name": "Resource", "Value": cfn::sub(format!("${{{function}}}:{alias_name}"))},
        {"Name": "ExecutedVersion", "Value": cfn::get_att(version, "Version")},
    ]);
    let mut props = Map::with_capacity(9);
    let description = match metric {
        RollbackMetric::Errors(n) => {
            format!("Rolls back {function} when its new version has {n} or more errors in a minute")
        }
        RollbackMetric::Throttles(n) => {
            format!("Rolls back {function} when its new version is throttled {n} or more times in a minute")
        }
        RollbackMetric::ErrorRate(p) => {
            format!(
                "Rolls back {function} when more than {p}% of its new version's invocations fail in a minute"
            )
        }
        RollbackMetric::DurationP99(ms) => {
            format!("Rolls back {function} when its new version's p99 duration exceeds {ms} ms over a minute")
        }
    };
    props.insert("AlarmDescription", description.into());
    match metric {
        RollbackMetric::Errors(n) | RollbackMetric::Throttles(n) => {
            let statistic = ("Statistic", "Sum");
            single_metric(
                &mut props,
                dimensions,
                metric.id_part(),
                statistic,
                n,
                "GreaterThanOrEqualToThreshold",
            )
        }
        RollbackMetric::DurationP99(ms) => {
            let statistic = ("ExtendedStatistic", "p99");
            single_metric(&mut props, dimensions, "Duration", statistic, ms, "GreaterThanThreshold")
        }
        RollbackMetric::ErrorRate(percent) => {
            let stat = |id: &str, metric_name: &str| {
                json!({
                    "Id": id,
                    "MetricStat": {
                        "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric_name, "Dimensions": dimensions},
                        "Period": 60,
                        "Stat": "Sum",
                    },
                    "ReturnData": false,
                })
            };
            props.insert(
                "Metrics",
                json!([
                    stat("errors", "Errors"),
                    stat("invocations", "Invocations"),
                    {"Id": "error_rate", "Expression": "100 * errors / invocations", "Label": "Error rate (%)", "ReturnData": true},
                ]),
            );
            props.insert("Threshold", json!(percent));
            props.insert("ComparisonOperator", "GreaterThanThreshold".into());
        }
    }
    props.insert("EvaluationPeriods", 1.into());
    props.insert("TreatMissingData", "notBreaching".into());
    resource(cfn::CLOUDWATCH_ALARM, condition, props)
}

/// The properties of an alarm on one Lambda metric against a threshold; `statistic` is the key
/// (`Statistic` or `ExtendedStatistic`) and its value.
fn single_metric(
    props: &mut Map,
    dimensions: Value,
    metric_name: &str,
    (statistic_key, statistic): (&str, &str),
    threshold: u64,
    operator: &str,
) {
    props.insert("Namespace", "AWS/Lambda".into());
    props.insert("MetricName", metric_name.into());
    props.insert("Dimensions", dimensions);
    props.insert(statistic_key, statistic.into());
    props.insert("Period", 60.into());
    props.insert("Threshold", threshold.into());
    props.insert("ComparisonOperator", operator.into());
}
