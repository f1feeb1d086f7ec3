//! Rewiring against CloudFormation that aws-sam-translator generated from SAM templates using every SAM
//! event type (`tests/fixtures/sam/*.sam.json` → `*.cfn.json`, see `generate.py` there).
//!
//! Functions are marked through `Metadata.CanaryDeployment`, which SAM copies onto the function it
//! generates. Each fixture gets its version and alias (as the expansion would add them, and marked as
//! generated), is rewired, and then:
//! - no reference to a marked function is left anywhere except where docs/rewiring.md says it must stay;
//! - undoing exactly the reported moves, the IAM additions and the deployment renames gives back the
//!   input, so nothing else changed;
//! - the output is a reviewed golden file (`*.rewired.json`) that `cfn-lint` checks, and the list of
//!   moves and diagnostics is another (`*.moves.txt`).

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path as FsPath;

use canary_test_support::sorted_entries;
use common::{check_only_moves_changed, left_on_the_function, lint_ready, marked_targets, run_rewire};
use expect_test::expect_file;

/// The SAM event types the fixtures use, each with the fixture that exercises it.
const EVENT_TYPES: &[(&str, &str)] = &[
    ("Api", "api"),
    ("HttpApi", "http_api"),
    ("SQS", "sqs"),
    ("SNS", "sns"),
    ("S3", "s3"),
    ("Kinesis", "kinesis"),
    ("DynamoDB", "dynamodb"),
    ("Schedule", "schedule"),
    ("ScheduleV2", "schedule_v2"),
    ("EventBridgeRule", "eventbridge_rule"),
    ("CloudWatchLogs", "cloudwatch_logs"),
    ("IoTRule", "iot_rule"),
    ("Cognito", "cognito"),
    ("MSK", "msk"),
    ("MQ", "mq"),
    ("SelfManagedKafka", "self_managed_kafka"),
    ("DocumentDB", "documentdb"),
    ("FunctionUrl", "function_url"),
    ("AlexaSkill", "alexa_skill"),
];

fn fixtures_dir() -> std::path::PathBuf {
    FsPath::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sam")
}

#[test]
fn every_sam_event_type_has_a_generated_fixture_that_uses_it() {
    for (event_type, fixture) in EVENT_TYPES {
        let source = std::fs::read_to_string(fixtures_dir().join(format!("{fixture}.sam.json"))).unwrap();
        let source: canary_engine::json::Value = serde_json::from_str(&source).unwrap();
        let uses_it = source["Resources"].as_object().unwrap().values().any(|r| {
            let events = r["Properties"]["Events"].as_object();
            let url = !r["Properties"]["FunctionUrlConfig"].is_null();
            events.is_some_and(|e| e.values().any(|e| e["Type"] == *event_type))
                || (*event_type == "FunctionUrl" && url)
        });
        assert!(uses_it, "{fixture}.sam.json does not use event type {event_type}");
        assert!(
            fixtures_dir().join(format!("{fixture}.cfn.json")).exists(),
            "{fixture}.cfn.json not generated"
        );
    }
}

#[test]
fn sam_generated_invokers_move_to_the_alias_and_nothing_else_changes() {
    let names: Vec<String> = sorted_entries(&fixtures_dir())
        .iter()
        .filter_map(|path| path.file_name()?.to_str()?.strip_suffix(".cfn.json").map(str::to_owned))
        .collect();
    assert!(names.len() >= EVENT_TYPES.len());
    for name in names {
        let text = std::fs::read_to_string(fixtures_dir().join(format!("{name}.cfn.json"))).unwrap();
        let input = lint_ready(serde_json::from_str(&text).unwrap());
        let targets = marked_targets(&input);
        assert!(!targets.is_empty(), "{name}: no marked function");
        let run = run_rewire(&input, &targets);
        // A permission for an invoker outside the template (an Alexa skill) stays, with the alias's beside it.
        assert!(!run.rewired.is_empty() || !run.kept.is_empty(), "{name}: nothing moved");

        let left = left_on_the_function(&run, &targets);
        assert!(left.is_empty(), "{name}: references left on the function instead of the alias: {left:#?}");
        check_only_moves_changed(&name, &input, &run);

        expect_file![fixtures_dir().join(format!("{name}.rewired.json"))]
            .assert_eq(&(serde_json::to_string_pretty(&run.output).unwrap() + "\n"));
        expect_file![fixtures_dir().join(format!("{name}.moves.txt"))].assert_eq(&run.report());
    }
}
