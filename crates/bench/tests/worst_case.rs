//! Each worst-case shape of `canary_bench::worst` at a size that used to take seconds (or hundreds
//! of megabytes), held to a bound generous enough for a debug build on a busy machine: a regression
//! to the old algorithms blows far past it. The exact figures are `bench/worst.sh`'s.

use std::time::{Duration, Instant};

use canary_bench::{context, worst};
use canary_engine::json::Value;
use canary_engine::limits::{MAX_PROCESSED_TEMPLATE_BYTES, MAX_RESOURCES};

/// What the version rule copies of resolved values per expansion, at most (docs/versions.md).
const COPY_BUDGET: usize = 4 << 20;
use canary_engine::{expand, expand_for_macro, Expansion};

/// Far above what any shape takes now (milliseconds to a second in a debug build), far below what
/// the old algorithms took (a minute and more, in a release build).
const GENEROUS: Duration = Duration::from_secs(30);

fn timed(what: &str, run: impl FnOnce() -> Expansion) -> Expansion {
    let started = Instant::now();
    let expansion = run();
    let took = started.elapsed();
    assert!(took < GENEROUS, "{what} took {took:?}");
    expansion
}

fn errors(expansion: &Expansion) -> Vec<String> {
    expansion.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect()
}

fn resources(expansion: &Expansion) -> &canary_engine::json::Map {
    expansion.template.get("Resources").and_then(Value::as_object).expect("Resources")
}

#[test]
fn an_action_of_many_stars_is_matched_at_once() {
    // 16 stars took 54 s of backtracking; 10,000 now cost what reading them does.
    for n in [16, 10_000] {
        let expansion = timed("glob", || expand(worst::glob(n), &context()));
        assert!(errors(&expansion).is_empty(), "{:?}", errors(&expansion));
        // `*…*z` does not cover lambda:InvokeFunction: the policy gains no alias ARN.
        let statement =
            &resources(&expansion)["Caller"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
        assert!(statement["Resource"].is_object(), "{statement}");
    }
}

#[test]
fn conditions_that_name_each_other_ten_times_are_evaluated_once_each() {
    // 8 levels took 3.4 s (10^7 evaluations); 45 levels (near the nesting limit, which counts
    // each Fn::Or and each Condition) would never have finished.
    for n in [8, 45] {
        let expansion = timed("conditions", || expand(worst::conditions(n), &context()));
        assert!(errors(&expansion).is_empty(), "{:?}", errors(&expansion));
        assert_eq!(expansion.plan.len(), 1);
        assert!(expansion.plan[0].enabled, "Stage is prod, so C{} and every condition above it hold", n - 1);
    }
}

#[test]
fn a_hook_longer_than_any_function_name_is_an_error_without_a_suggestion() {
    // The edit distance against each function took 199 MB for a million characters.
    let expansion = timed("long hook", || expand(worst::long_hook(1_000_000), &context()));
    let errors = errors(&expansion);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("1000000 characters long") && errors[0].contains("longer than 64"),
        "{}",
        errors[0]
    );
    assert!(!errors[0].contains("did you mean"), "{}", errors[0]);
    assert!(errors[0].len() < 400, "the message quotes the hook whole: {} characters", errors[0].len());
}

#[test]
fn long_ids_and_long_hooks_answer_at_once() {
    // 30 functions with 200-character IDs and 200,000-character hooks gave no answer in 10 s.
    let expansion = timed("long ids", || expand(worst::long_ids(30, 200_000), &context()));
    let errors = errors(&expansion);
    assert_eq!(errors.len(), 30, "one error per hook: {errors:?}");
    assert!(errors.iter().all(|e| e.contains("200000 characters long")), "{errors:?}");
    // The macro stops before reading a hook: 6 MB of settings could never fit the template it returns.
    let expansion = timed("long ids, macro", || expand_for_macro(worst::long_ids(30, 200_000), &context()));
    let errors = self::errors(&expansion);
    assert!(errors.len() == 1 && errors[0].contains("would copy 6000930 bytes"), "{errors:?}");
    // Under the length limits, the near misses still get their suggestion.
    let expansion = timed("long ids, short hooks", || expand(worst::long_ids(30, 200), &context()));
    assert_eq!(self::errors(&expansion).len(), 30);
}

#[test]
fn the_macro_refuses_ten_thousand_functions_before_building_them() {
    // 10,000 functions with every RollbackOn metric (a 4 MB event) peaked at 333 MB in the Lambda.
    let expansion = timed("rollback", || expand_for_macro(worst::rollback(10_000), &context()));
    let errors = errors(&expansion);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(&format!("over CloudFormation's limit of {MAX_RESOURCES}")), "{}", errors[0]);
    assert_eq!(expansion.stats.resources_added, 0, "nothing was generated");
    assert_eq!(resources(&expansion).len(), 10_000, "the template comes back as it came in");
}

#[test]
fn the_macro_counts_the_resources_generation_would_add() {
    // 300 functions: 300 resources in, and per function a version, an alias, a deployment group and
    // four alarms, plus the application and the role: refused after analysis, before generation.
    let expansion = timed("rollback 300", || expand_for_macro(worst::rollback(300), &context()));
    let errors = errors(&expansion);
    assert!(errors.len() == 1 && errors[0].contains("would have 2402 resources"), "{errors:?}");
    assert_eq!(expansion.stats.resources_added, 0);
    // Each small function adds its version, alias and deployment group; the application and the
    // role are shared: 124 functions make 498 resources, 125 make 502.
    let fits = expand_for_macro(worst::small(124), &context());
    assert!(self::errors(&fits).is_empty(), "{:?}", self::errors(&fits));
    assert_eq!(resources(&fits).len(), 498);
    let over = expand_for_macro(worst::small(125), &context());
    assert!(
        self::errors(&over).iter().any(|e| e.contains("would have 502 resources")),
        "{:?}",
        over.diagnostics
    );
    // The CLI's expansion builds it all, with the warning.
    let cli = expand(worst::small(125), &context());
    assert_eq!(resources(&cli).len(), 502);
    assert!(cli
        .diagnostics
        .iter()
        .any(|d| !d.is_error() && d.message.contains("over CloudFormation's limit")));
}

#[test]
fn the_macro_counts_the_output_size_before_it_is_written() {
    // 99 functions whose triggers have long names and name topics of nearly SNS's longest names:
    // under 500 resources, over 1 MB of JSON.
    let expansion = timed("triggers 99", || expand_for_macro(worst::triggers_named(99, 10, 240), &context()));
    let errors = errors(&expansion);
    assert!(
        errors.len() == 1
            && errors[0]
                .contains(&format!("over CloudFormation's limit of {MAX_PROCESSED_TEMPLATE_BYTES} bytes")),
        "{errors:?}"
    );
}

#[test]
fn many_trigger_topics_are_de_duplicated_in_linear_time() {
    // 2,000 functions x 10 topics took 2.2 s, three times more per doubling.
    let expansion = timed("triggers", || expand(worst::triggers(2_000, 10), &context()));
    assert!(errors(&expansion).is_empty(), "{:?}", errors(&expansion));
    // Each of the 20,000 topics is granted once, in the grant policy of the function it notifies.
    let granted: usize = resources(&expansion)
        .iter()
        .filter(|(id, _)| id.ends_with("CanaryDeploymentPolicy"))
        .map(|(_, policy)| policy.to_string().matches("arn:aws:sns:us-east-1:123456789012:topic-").count())
        .sum();
    assert_eq!(granted, 20_000);
}

#[test]
fn references_fanning_out_to_one_value_are_resolved_in_linear_time() {
    // About 2 MB each. The previous rule copied a layer's properties into every reference to it
    // (356 MB for 350,000 references); past the copy budget each reference takes a short digest.
    for (shape, n) in [("mapping-fanout", 40_000), ("layer-fanout", 100_000), ("join-fanout", 40_000)] {
        let expansion = timed(shape, || expand(worst::template(shape, n).unwrap(), &context()));
        assert!(errors(&expansion).is_empty(), "{shape}: {:?}", errors(&expansion));
        let written = expansion.plan[0].versioned_configuration.to_string().len();
        assert!(
            written < COPY_BUDGET + n * 40,
            "{shape}: {written} bytes of versioned configuration for {n} references"
        );
    }
}

#[test]
fn the_macro_and_the_cli_expand_every_golden_template_alike() {
    // The macro's resource count is predicted before generation; in a debug build `expand_for_macro`
    // also checks the prediction against what generation added.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/golden/ok");
    let mut n = 0;
    for case in std::fs::read_dir(&root).expect("golden cases") {
        let dir = case.expect("entry").path();
        let Ok(text) = std::fs::read_to_string(dir.join("input.json")) else { continue };
        let template: Value = serde_json::from_str(&text).expect("input.json");
        let ctx = context();
        let (cli, lambda) = (expand(template.clone(), &ctx), expand_for_macro(template, &ctx));
        assert_eq!(cli.template, lambda.template, "{}", dir.display());
        assert_eq!(cli.diagnostics, lambda.diagnostics, "{}", dir.display());
        n += 1;
    }
    assert!(n > 10, "only {n} golden cases read from {}", root.display());
}

#[test]
fn a_long_default_inherited_by_many_functions_is_refused_before_it_is_copied() {
    // A 1 MB trigger name in the template defaults, inherited by 80 functions: the expansion would
    // hold 80 MB. The macro used to copy it into every function and then measure the output, with
    // 182 MB of peak memory for a 1 MB event; now it stops before parsing any function's settings.
    let expansion =
        timed("long default, macro", || expand_for_macro(worst::long_default(80, 1_000_000), &context()));
    let errors = errors(&expansion);
    assert!(
        errors.len() == 1 && errors[0].contains("more than the 1048576 bytes CloudFormation accepts"),
        "{errors:?}"
    );
    // The CLI shows expansions over CloudFormation's limits, up to sixteen times what it accepts.
    let expansion = timed("long default, CLI", || expand(worst::long_default(80, 1_000_000), &context()));
    let errors = self::errors(&expansion);
    assert!(errors.len() == 1 && errors[0].contains("bytes this CLI expands"), "{errors:?}");
    let expansion = timed("short default, CLI", || expand(worst::long_default(80, 100_000), &context()));
    assert!(self::errors(&expansion).is_empty(), "{:?}", self::errors(&expansion));
}

#[test]
fn the_cli_refuses_an_expansion_a_hundred_times_over_the_resource_limit() {
    // 15,000 functions with every RollbackOn metric would be 120,000 resources (70 MB of JSON,
    // 306 MB of peak memory in the CLI); 6,000 are 48,002 and are still shown, with a warning.
    let expansion = timed("rollback 15000, CLI", || expand(worst::rollback(15_000), &context()));
    let errors = errors(&expansion);
    assert!(errors.len() == 1 && errors[0].contains("the most this CLI expands"), "{errors:?}");
    let expansion = timed("rollback 6000, CLI", || expand(worst::rollback(6_000), &context()));
    assert!(self::errors(&expansion).is_empty(), "{:?}", self::errors(&expansion));
    assert_eq!(resources(&expansion).len(), 48_002);
}
