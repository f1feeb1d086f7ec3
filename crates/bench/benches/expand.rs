//! Criterion benchmarks of one expansion against the floor, per workload size.
//!
//! For each N (10, 50, 200, 500 marked functions) and for the template just under 1 MB, one group
//! `expand/<case>` holds three benchmarks on the same JSON text, measured in the same run:
//! - `floor`: `serde_json` parse + compact serialize, the least any macro must do;
//! - `parse_expand_serialize`: what the macro does (the fair comparison with `floor`);
//! - `expand_only`: `canary_engine::expand` on an already parsed template (the clone of the input
//!   `Value` is made outside the timed section).
//!
//! `bench/run.sh` reads the medians from `target/criterion/expand_<case>/*/new/estimates.json` and
//! prints the ratios. Set `CANARY_BENCH_QUICK=1` for fewer samples.

use std::hint::black_box;
use std::time::Duration;

use canary_bench::{context, expand_text, floor, workload};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::Value;

fn cases() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = [10, 50, 200, 500]
        .into_iter()
        .map(|n| (n.to_string(), serde_json::to_string(&workload::cloudformation(n)).expect("serializable")))
        .collect();
    let large = workload::cloudformation_large(1_000_000);
    cases.push(("large".into(), serde_json::to_string(&large).expect("serializable")));
    cases
}

fn bench_expand(c: &mut Criterion) {
    let quick = std::env::var_os("CANARY_BENCH_QUICK").is_some();
    let ctx = context();
    for (case, input) in cases() {
        let mut group = c.benchmark_group(format!("expand_{case}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.sample_size(if quick { 10 } else { 30 });
        group.warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }));
        group.measurement_time(Duration::from_secs(if quick { 1 } else { 3 }));
        group.bench_function("floor", |b| b.iter(|| floor(black_box(&input)).expect("valid JSON")));
        group.bench_function("parse_expand_serialize", |b| {
            b.iter(|| expand_text(black_box(&input), &ctx).expect("valid JSON"))
        });
        let parsed: Value = serde_json::from_str(&input).expect("valid JSON");
        group.bench_function("expand_only", |b| {
            b.iter_batched(
                || parsed.clone(),
                |template| canary_engine::expand(template, &ctx),
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench_expand);
criterion_main!(benches);
