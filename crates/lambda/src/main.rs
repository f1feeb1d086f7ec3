//! The `canary-lambda` binary (bootstrap): logging set up the way Lambda's advanced logging controls
//! expect, then the runtime loop over [`canary_lambda::handler`]. Everything else lives in the library
//! so tests call the handler without a runtime.

use lambda_runtime::{service_fn, Error};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};

// A template is a tree of small maps and strings: mimalloc frees one 3x faster than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// One request at a time per execution environment: a single thread is all the runtime needs.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    lambda_runtime::run(service_fn(canary_lambda::handler)).await
}

/// Level from `AWS_LAMBDA_LOG_LEVEL` (set by the function's logging config), else `RUST_LOG`
/// (directives, for local runs), else INFO. JSON lines when `AWS_LAMBDA_LOG_FORMAT=JSON`, which
/// Lambda sets when the function's log format is JSON, so CloudWatch can filter on the fields.
/// No timestamps: Lambda stamps every line itself.
fn init_logging() {
    let filter = match std::env::var("AWS_LAMBDA_LOG_LEVEL") {
        // Lambda's levels are TRACE..FATAL; tracing has no FATAL, ERROR is the closest.
        Ok(level) => {
            let level = if level.eq_ignore_ascii_case("fatal") { "error".to_owned() } else { level };
            EnvFilter::default()
                .add_directive(level.parse::<LevelFilter>().unwrap_or(LevelFilter::INFO).into())
        }
        Err(_) => match std::env::var("RUST_LOG") {
            Ok(directives) => EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info")),
            Err(_) => EnvFilter::new("info"),
        },
    };
    // Colour only on a terminal: CloudWatch shows escape codes as text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let logs =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).without_time().with_ansi(ansi);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    if json {
        // Flattened so fields such as `request_id` sit at the top of each line, where CloudWatch Logs
        // Insights finds them; the runtime's invocation span adds the Lambda request id.
        logs.json().flatten_event(true).with_span_list(false).init();
    } else {
        logs.init();
    }
}
