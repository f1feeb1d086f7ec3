//! The `canary-smoke-hook` binary (bootstrap): JSON logs, the configuration read once per execution
//! environment, then the runtime loop over [`canary_smoke_hook::handler`].

use std::sync::Arc;

use lambda_runtime::{service_fn, Error, LambdaEvent};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};

use canary_smoke_hook::{CodeDeployLifecycleEvent, Hook};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    let hook = Arc::new(Hook::from_env());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<CodeDeployLifecycleEvent>| {
        canary_smoke_hook::handler(Arc::clone(&hook), event)
    }))
    .await
}

/// Always JSON, one line per event, so each case's verdict is a line CloudWatch Logs Insights can
/// filter on whatever the function's log format; the level from `AWS_LAMBDA_LOG_LEVEL`, else INFO.
/// No timestamps: Lambda stamps every line itself.
fn init_logging() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .ok()
        .map(|l| if l.eq_ignore_ascii_case("fatal") { "error".to_owned() } else { l })
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::default().add_directive(level.into()))
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .json()
        .flatten_event(true)
        .with_span_list(false)
        .init();
}
