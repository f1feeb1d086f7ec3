//! Shared by the CLI's test crates: one run of the CLI through `run_with_stdin`, its output captured.
#![allow(dead_code)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use canary_deployments::{run_with_stdin, Cli};
use clap::Parser;

pub struct Run {
    pub code: ExitCode,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// What a run wrote, which must be UTF-8, and how long it took.
    pub fn new(code: ExitCode, stdout: Vec<u8>, stderr: Vec<u8>, took: Duration) -> Run {
        Run {
            code,
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
            took,
        }
    }
}

/// The command line `canary-deployments ARGS` as clap reads it.
pub fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("canary-deployments").chain(args.iter().copied()))
}

/// `canary-deployments ARGS` with `stdin` as its standard input.
pub fn run_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let cli = parse(args).unwrap_or_else(|e| panic!("{args:?} should parse: {e}"));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let started = Instant::now();
    let code = run_with_stdin(cli, stdin, &mut stdout, &mut stderr);
    Run::new(code, stdout, stderr, started.elapsed())
}

/// `canary-deployments ARGS` with an empty standard input.
pub fn run(args: &[&str]) -> Run {
    run_stdin(args, b"")
}

/// `text` read as the CLI reads a template named `name`, and expanded as the CLI expands it (region
/// us-east-1, the default account) for the `parameters` given: the template as read, and its expansion.
pub fn expand_text(
    name: &str,
    text: &str,
    parameters: &[(&str, &str)],
) -> (serde_json::Value, canary_engine::Expansion) {
    use canary_engine::json::{Map, Value};
    let template =
        canary_deployments::source::parse(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let input: serde_json::Value = template.clone().into();
    let mut parameter_values = Map::new();
    for (k, v) in parameters {
        parameter_values.insert(k.to_string(), Value::from(*v));
    }
    let ctx = canary_engine::Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values,
        smoke_hook_code: None,
    };
    (input, canary_engine::expand_source(template, &ctx))
}

/// The errors of an expansion, one line each.
pub fn errors(expansion: &canary_engine::Expansion) -> Vec<String> {
    expansion.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect()
}
