//! canary-bench: the benchmark workload of the CanaryDeployments engine and the operations it times.
//!
//! [`workload`] writes the same application three ways (raw CloudFormation for us, SAM for
//! `aws-sam-translator`, a compiled Serverless Framework template for
//! `serverless-plugin-canary-deployments`). [`expand_text`] and [`floor`] are the two operations the
//! criterion bench and the whole-process runs compare: what the macro does to a template it receives
//! as JSON text, and the least any tool must do with it (read it and write it back).

pub mod workload;
pub mod worst;

use canary_engine::json::{Map, Value};
use canary_engine::{expand, Context, Stats};

/// CPU time consumed so far by the calling thread, in nanoseconds.
///
/// The benchmarks measure CPU time rather than wall time because the machines they run on are shared:
/// under load, wall time charges a long iteration for every slice the scheduler gives to someone else,
/// which inflates large templates more than small ones and fakes superlinear scaling. CPU time still
/// includes our own page faults and cache misses.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_THREAD_CPUTIME_ID is supported by Linux
    // (and every POSIX system with thread CPU clocks); on failure `ts` stays zero.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The context every benchmark expands with: the templates reference no parameters.
pub fn context() -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values: Map::new(),
        smoke_hook_code: None,
    }
}

/// What the macro does per request, apart from the event envelope: parse the template, expand it,
/// serialize the result (compact, as the Lambda answers). Returns the output, its stats and the
/// number of error diagnostics.
pub fn expand_text(input: &str, ctx: &Context) -> Result<(String, Stats, usize), serde_json::Error> {
    let template: Value = serde_json::from_str(input)?;
    let mut expansion = expand(template, ctx);
    // As the Lambda does: the size limit is checked on the text it writes.
    let text = serde_json::to_string(&expansion.template)?;
    expansion.check_serialized_size(text.len());
    let n_errors = expansion.error_count();
    Ok((text, expansion.stats, n_errors))
}

/// The floor: parse the same text into a `serde_json::Value` and serialize it back, with nothing in
/// between. It stays serde_json's own tree, whatever tree the engine uses: that is the floor the
/// targets are stated against.
pub fn floor(input: &str) -> Result<String, serde_json::Error> {
    let template: serde_json::Value = serde_json::from_str(input)?;
    serde_json::to_string(&template)
}
