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
