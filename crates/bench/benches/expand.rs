//! Criterion benchmarks of one expansion against the floor, per workload size.
//!
//! For each N (10, 50, 200, 500 marked functions) and for the template just under 1 MB, one group
//! `expand/<case>` holds three benchmarks on the same JSON text, measured in the same run:
//! - `floor`: `serde_json` parse + compact serialize, the least any macro must do;
//! - `parse_expand_serialize`: what the macro does (the fair comparison with `floor`);
//! - `expand_only`: `canary_engine::expand` on an already parsed template (the clone of the input
//!   `Value` is made outside the timed section).
//!
//! The clock is the CPU time of the benchmarking thread ([`canary_bench::thread_cpu_ns`]), so that
//! other work on a shared machine does not inflate the large cases; `CANARY_BENCH_CLOCK=wall` switches
//! to criterion's wall clock. `bench/run.sh` reads the medians from
//! `target/criterion/expand_<case>/*/new/estimates.json` and prints the ratios. Set
//! `CANARY_BENCH_QUICK=1` for fewer samples.

use std::hint::black_box;
use std::time::Duration;

use canary_bench::{context, expand_text, floor, thread_cpu_ns, workload};
use canary_engine::json::Value;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_main, BatchSize, Criterion, Throughput};

// A template is a tree of small maps and strings: mimalloc frees one 3x faster than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Criterion measurement: CPU time of the benchmarking thread, in nanoseconds.
struct ThreadCpuTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

/// Formats nanoseconds as criterion's wall clock does.
struct Nanoseconds;

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match typical {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e-3, "µs"),
            t if t < 1e9 => (1e-6, "ms"),
            _ => (1e-9, "s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(&self, typical: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let bytes = match *throughput {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => b as f64,
            Throughput::Bits(b) => b as f64 / 8.0,
            Throughput::Elements(e) | Throughput::ElementsAndBytes { elements: e, .. } => {
                values.iter_mut().for_each(|v| *v = e as f64 * 1e9 / *v);
                return "elem/s";
            }
        };
        let _ = typical;
        values.iter_mut().for_each(|v| *v = bytes * 1e9 / *v / (1024.0 * 1024.0));
        "MiB/s"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn cases() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = [10, 50, 200, 500]
        .into_iter()
        .map(|n| (n.to_string(), serde_json::to_string(&workload::cloudformation(n)).expect("serializable")))
        .collect();
    let large = workload::cloudformation_large(1_000_000);
    cases.push(("large".into(), serde_json::to_string(&large).expect("serializable")));
    cases
}

fn bench_expand<M: Measurement>(c: &mut Criterion<M>) {
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

fn benches() {
    if std::env::var("CANARY_BENCH_CLOCK").is_ok_and(|clock| clock == "wall") {
        let mut c = Criterion::default().with_measurement(WallTime).configure_from_args();
        bench_expand(&mut c);
    } else {
        let mut c = Criterion::default().with_measurement(ThreadCpuTime).configure_from_args();
        bench_expand(&mut c);
    }
}

criterion_main!(benches);
