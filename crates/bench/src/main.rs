//! `canary-bench`: writes the benchmark workload to disk and runs one expansion as a whole process.
//!
//! `canary-bench generate DIR` writes, per N in 10, 50, 200, 500: `cfn-N.json` (ours), `sam-N.json`
//! (aws-sam-translator) and `sls-N.json` (serverless-plugin-canary-deployments); plus `cfn-large.json`
//! (just under 1 MB) and `event-large.json` (the same template as a CloudFormation macro event).
//! `canary-bench expand FILE` parses, expands and serializes FILE to stdout and prints its stats as
//! one JSON line on stderr; `canary-bench floor FILE` only parses and serializes; `canary-bench time
//! FILE REPS` alternates the two REPS times in-process and prints their median CPU times and the
//! median ratio of each back-to-back pair (the ratio `bench/run.sh` checks the target with); `canary-bench
//! scale SMALL LARGE REPS` does the same for the growth from one template to a larger one. `bench/run.sh`
//! drives these; the timings themselves come from criterion (in-process) and from the script
//! (whole processes). `canary-bench worst SHAPE N [event]` writes one worst-case template (or macro
//! event) of `worst::SHAPES` to stdout, for `bench/worst.sh`.
//! `canary-bench expand-once WORKLOAD` builds WORKLOAD (`cfn-N` or `cfn-large`) in memory and
//! expands it once; `canary-bench generate-once WORKLOAD` stops before the expansion. The difference
//! of their instruction counts under callgrind is the expansion's own cost (`bench/instructions.sh`).

use std::path::Path;
use std::process::ExitCode;

use canary_bench::{context, expand_text, floor, thread_cpu_ns, workload, worst};
use canary_engine::expand;
use canary_engine::json;
use canary_engine::json::Value;

// A template is a tree of small maps and strings: mimalloc frees one 3x faster than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The sizes of the workload, in marked functions.
const SIZES: [usize; 4] = [10, 50, 200, 500];

/// The large case stays just under CloudFormation's processed-template limit.
const LARGE_BYTES: usize = 1_000_000;

const USAGE: &str = "usage: canary-bench generate DIR | canary-bench expand FILE | canary-bench floor FILE | \
                     canary-bench time FILE REPS | canary-bench scale SMALL LARGE REPS | canary-bench worst SHAPE N [event] | \
                     canary-bench expand-once WORKLOAD | canary-bench generate-once WORKLOAD";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", dir] => generate(Path::new(dir)),
        ["expand", file] => run_expand(file),
        ["floor", file] => run_floor(file),
        ["time", file, reps] => run_time(file, reps),
        ["scale", small, large, reps] => run_scale(small, large, reps),
        ["worst", shape, n] => run_worst(shape, n, false),
        ["worst", shape, n, "event"] => run_worst(shape, n, true),
        ["expand-once", name] => run_once(name, true),
        ["generate-once", name] => run_once(name, false),
        _ => Err(USAGE.to_owned()),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("canary-bench: {err}");
            ExitCode::from(2)
        }
    }
}

/// Writes the worst-case template `shape` at size `n` to stdout, as a macro event with `event`.
fn run_worst(shape: &str, n: &str, event: bool) -> Result<ExitCode, String> {
    let n: usize = n.parse().map_err(|_| format!("N must be a count, found {n:?}"))?;
    let template = worst::template(shape, n).ok_or_else(|| {
        let names: Vec<&str> = worst::SHAPES.iter().map(|(name, _)| *name).collect();
        format!("unknown shape {shape:?}; shapes: {}", names.join(", "))
    })?;
    let value = if event { worst::event(template, "worst-case") } else { template };
    let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// The workload named `cfn-N` (N marked functions) or `cfn-large`, as `generate` writes it.
fn named_workload(name: &str) -> Result<Value, String> {
    if name == "cfn-large" {
        return Ok(workload::cloudformation_large(LARGE_BYTES));
    }
    match name.strip_prefix("cfn-").map(str::parse::<usize>) {
        Some(Ok(n)) => Ok(workload::cloudformation(n)),
        _ => Err(format!("unknown workload {name:?}; workloads: cfn-N (N functions), cfn-large")),
    }
}

/// Builds the workload and, with `expand_it`, expands it once. Nothing else runs between the two
/// modes, so callgrind's count of `generate-once` subtracted from that of `expand-once` is the
/// expansion alone: neither tree is dropped or written, and the template is never parsed.
fn run_once(name: &str, expand_it: bool) -> Result<ExitCode, String> {
    let template = std::hint::black_box(named_workload(name)?);
    let ctx = context();
    if !expand_it {
        std::mem::forget(template);
        return Ok(ExitCode::SUCCESS);
    }
    let expansion = std::hint::black_box(expand(template, &ctx));
    let n_errors = expansion.error_count();
    let marked = expansion.stats.functions_marked;
    std::mem::forget(expansion);
    if n_errors > 0 || marked == 0 {
        return Err(format!(
            "{name}: {n_errors} errors, {marked} functions marked: not the workload's expansion"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn generate(dir: &Path) -> Result<ExitCode, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for n in SIZES {
        write_json(&dir.join(format!("cfn-{n}.json")), &workload::cloudformation(n))?;
        write_json(&dir.join(format!("sam-{n}.json")), &workload::sam(n))?;
        write_json(&dir.join(format!("sls-{n}.json")), &workload::serverless(n))?;
    }
    let large = workload::cloudformation_large(LARGE_BYTES);
    write_json(&dir.join("cfn-large.json"), &large)?;
    // CloudFormation's macro event (docs/lambda.md), for running the Lambda binary on the large template.
    write_json(&dir.join("event-large.json"), &worst::event(large, "canary-bench-large"))?;
    Ok(ExitCode::SUCCESS)
}

fn read(file: &str) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))
}

fn run_expand(file: &str) -> Result<ExitCode, String> {
    let input = read(file)?;
    let (output, stats, n_errors) = expand_text(&input, &context()).map_err(|e| format!("{file}: {e}"))?;
    println!("{output}");
    let report = json!({
        "input_bytes": input.len(),
        "output_bytes": output.len(),
        "functions_marked": stats.functions_marked,
        "resources_added": stats.resources_added,
        "references_rewired": stats.references_rewired,
        "errors": n_errors
    });
    eprintln!("{report}");
    Ok(if n_errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn run_floor(file: &str) -> Result<ExitCode, String> {
    let input = read(file)?;
    println!("{}", floor(&input).map_err(|e| format!("{file}: {e}"))?);
    Ok(ExitCode::SUCCESS)
}

/// The median of `v` (which it sorts).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// How time grows from SMALL to LARGE: each repetition times ours (parse, expand, serialize) and
/// the floor on both templates back to back, and the ratios LARGE / SMALL of each repetition are
/// medianed, for the same reason as `time`'s pairs.
fn run_scale(small: &str, large: &str, reps: &str) -> Result<ExitCode, String> {
    let (small_text, large_text) = (read(small)?, read(large)?);
    let reps: usize = reps.parse().map_err(|_| format!("REPS must be a count, not {reps:?}"))?;
    let ctx = context();
    let cpu = |f: &mut dyn FnMut() -> Result<(), String>| -> Result<f64, String> {
        let start = thread_cpu_ns();
        f()?;
        Ok((thread_cpu_ns() - start) as f64 / 1e9)
    };
    let (mut ours, mut base) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps.max(1) {
        let ours_small =
            cpu(&mut || expand_text(&small_text, &ctx).map(drop).map_err(|e| format!("{small}: {e}")))?;
        let ours_large =
            cpu(&mut || expand_text(&large_text, &ctx).map(drop).map_err(|e| format!("{large}: {e}")))?;
        let floor_small = cpu(&mut || floor(&small_text).map(drop).map_err(|e| format!("{small}: {e}")))?;
        let floor_large = cpu(&mut || floor(&large_text).map(drop).map_err(|e| format!("{large}: {e}")))?;
        ours.push(ours_large / ours_small);
        base.push(floor_large / floor_small);
    }
    println!("{}", json!({ "ours_scaling": median(&mut ours), "floor_scaling": median(&mut base) }));
    Ok(ExitCode::SUCCESS)
}

fn run_time(file: &str, reps: &str) -> Result<ExitCode, String> {
    let input = read(file)?;
    let reps: usize = reps.parse().map_err(|_| format!("REPS must be a count, not {reps:?}"))?;
    let ctx = context();
    let (mut ours, mut base) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps.max(1) {
        let start = thread_cpu_ns();
        floor(&input).map_err(|e| format!("{file}: {e}"))?;
        base.push((thread_cpu_ns() - start) as f64 / 1e9);
        let start = thread_cpu_ns();
        expand_text(&input, &ctx).map_err(|e| format!("{file}: {e}"))?;
        ours.push((thread_cpu_ns() - start) as f64 / 1e9);
    }
    // Each pair ran back to back, so its ratio saw one machine state: the median of the pairs'
    // ratios holds still when other work comes and goes, where a ratio of two medians does not.
    let mut paired: Vec<f64> = ours.iter().zip(&base).map(|(o, b)| o / b).collect();
    let paired = median(&mut paired);
    let (ours, base) = (median(&mut ours), median(&mut base));
    println!(
        "{}",
        json!({ "floor_s": base, "parse_expand_serialize_s": ours, "ratio": ours / base, "paired_ratio": paired })
    );
    Ok(ExitCode::SUCCESS)
}
