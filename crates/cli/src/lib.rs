//! The `canary-deployments` CLI: `expand`, `validate` and `plan` over `canary_engine::expand`.
//!
//! A shell, as ripgrep's `main` is: flags ([`Cli`]), reading the template ([`source`], [`yaml`]),
//! and terminal output ([`render`], [`emit`]). Everything a template means is decided by the engine.
//! [`run`] takes its output sinks so tests capture them.
//!
//! Exit codes (docs/cli.md): 0 when the template is fine (warnings allowed), 1 when the template has
//! errors (including YAML or JSON that does not parse, or an input over the size limit), 2 for usage
//! and I/O errors (a bad flag, a missing file). A broken pipe on stdout (`… | head`) exits 0.

pub mod diff;
pub mod emit;
pub mod render;
pub mod sam;
pub mod source;
pub mod yaml;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use canary_engine::json::{Map, Value};
use canary_engine::{CodeLocation, Context, Diagnostic, Expansion};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::source::SourceError;

/// Preview, validate and plan the CanaryDeployments CloudFormation macro offline.
///
/// TEMPLATE is a CloudFormation template in JSON or YAML (short-form tags such as !Ref, !GetAtt and
/// !Sub are accepted), or `-` to read standard input. The expansion runs for --region (default
/// us-east-1), --account-id (default 123456789012) and the --parameter values given; other
/// parameters take their Default.
///
/// Exit codes: 0 ok (warnings allowed), 1 errors in the template, 2 usage or I/O errors.
#[derive(Debug, Parser)]
#[command(name = "canary-deployments", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the template as the macro would return it to CloudFormation.
    ///
    /// Warnings go to stderr. With errors, nothing is printed on stdout, every diagnostic goes to
    /// stderr, and the exit code is 1.
    Expand {
        #[command(flatten)]
        input: InputArgs,
        /// Output format; YAML output uses long-form intrinsics (`Ref:`, `Fn::GetAtt:`).
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Print every error and warning, then a count; exit 1 when there are errors.
    ///
    /// One diagnostic per line, `error: <template path>: <message>`, sorted by path, then
    /// `N errors, M warnings`.
    Validate {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Summarise what the macro would do to each marked function.
    ///
    /// For each function with a CanaryDeployment setting: its alias, traffic shape, hooks, alarms,
    /// whether deployments are enabled, and the event sources moved to the alias; then the warnings.
    /// With errors, they go to stderr and the exit code is 1.
    Plan {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Say what deploying AFTER over BEFORE does to each marked function's canary.
    ///
    /// BEFORE is what is deployed: the source as last deployed, or the processed template
    /// (`aws cloudformation get-template --template-stage Processed`). Per marked function: whether a
    /// new version is published and why, the traffic plan and its shortest duration, hooks and alarms,
    /// what changes at once outside the canary, invokers that move, resources replaced, and updates
    /// that will fail, with their fix. A template with SAM's transform needs aws-sam-translator.
    ///
    /// Exit codes: 0 nothing fails and no canary starts, 1 template errors, 2 usage or I/O errors,
    /// 3 an update will fail, 4 a canary will start (and nothing fails).
    Diff {
        #[command(flatten)]
        args: diff::DiffArgs,
    },
}

/// What the expansion runs against, the values CloudFormation would hand a real macro.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Template file (JSON or YAML), or `-` for standard input.
    #[arg(value_name = "TEMPLATE")]
    pub template: PathBuf,
    /// A stack parameter value, as CloudFormation would pass it (repeatable). Parameters not given
    /// take their `Default`.
    #[arg(long = "parameter", short = 'p', value_name = "KEY=VALUE", value_parser = parse_parameter)]
    pub parameters: Vec<(String, String)>,
    /// The region the stack is deployed in (`AWS::Region`).
    #[arg(long, value_name = "R", default_value = "us-east-1", value_parser = parse_region)]
    pub region: String,
    /// The account the stack is deployed in (`AWS::AccountId`), twelve digits.
    #[arg(long, value_name = "A", default_value = "123456789012", value_parser = parse_account_id)]
    pub account_id: String,
    /// For a template that lists AWS::Serverless-2016-10-31 before CanaryDeployments, run
    /// aws-sam-translator (python3's samtranslator) first, as CloudFormation does, and expand its
    /// output; a note on stderr says whether it ran. Without it, such a template is expanded as
    /// written, its marked SAM functions written as SAM DeploymentPreferences.
    #[arg(long)]
    pub sam_translator: bool,
    /// The S3 bucket that holds the smoke test hook's zip in the stack's Region: the bucket the
    /// macro was installed from. Templates that use SmokeTest need it.
    #[arg(long, value_name = "BUCKET")]
    pub smoke_hook_bucket: Option<String>,
    /// The hook zip's key in that bucket (the install templates' SmokeTestCodeKey).
    #[arg(long, value_name = "KEY", default_value = SMOKE_HOOK_KEY)]
    pub smoke_hook_key: String,
}

/// The smoke test hook's zip as `scripts/package.sh` names it, and the install templates' default.
pub const SMOKE_HOOK_KEY: &str = concat!("canary-deployments-", env!("CARGO_PKG_VERSION"), "-smoke-hook.zip");

impl Command {
    /// The input flags of the commands that read one template.
    pub fn input(&self) -> Option<&InputArgs> {
        match self {
            Command::Expand { input, .. } | Command::Validate { input } | Command::Plan { input } => {
                Some(input)
            }
            Command::Diff { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Yaml,
}

/// Why a run stopped before its normal output.
enum Failure {
    /// A usage or I/O error: exit 2.
    Usage(String),
    /// The template cannot be read as a template: exit 1.
    Template(Vec<String>),
    /// stdout went away (`| head`): exit 0 quietly.
    BrokenPipe,
}

impl From<SourceError> for Failure {
    fn from(e: SourceError) -> Failure {
        match e {
            SourceError::Io(message) => Failure::Usage(message),
            SourceError::Template(messages) => Failure::Template(messages),
        }
    }
}

/// Runs one command, reading `-` from the process's standard input.
pub fn run(cli: Cli, stdout: &mut impl Write, stderr: &mut impl Write) -> ExitCode {
    run_with_stdin(cli, io::stdin().lock(), stdout, stderr)
}

/// [`run`] with standard input given, for tests.
pub fn run_with_stdin(
    cli: Cli,
    stdin: impl Read,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> ExitCode {
    let exit = expand_and_respond(&cli.command, stdin, stdout, stderr);
    finish(exit, stderr)
}

fn expand_and_respond(
    command: &Command,
    stdin: impl Read,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let input = match command {
        Command::Diff { args } => {
            return diff::run(args, stdin, stdout, stderr).map(ExitCode::from).map_err(|e| match e {
                diff::DiffError::Usage(message) => Failure::Usage(message),
                diff::DiffError::Template(messages) => Failure::Template(messages),
            });
        }
        _ => command.input().ok_or_else(|| Failure::Usage("no template given".to_owned()))?,
    };
    let (template, ctx) = load(input, stdin)?;
    let (template, ran) = if input.sam_translator {
        match sam::translate_first(template, &ctx.parameter_values, &ctx.region) {
            Ok(sam::Translated::Ran { template, note }) => (template, Some(note)),
            Ok(sam::Translated::NotSamFirst(template)) => (
                template,
                Some(
                    "SAM does not run before CanaryDeployments in this template, so aws-sam-translator was not \
                     run first"
                        .to_owned(),
                ),
            ),
            Err(sam::Refused::Unavailable(message)) => return Err(Failure::Usage(message)),
            Err(sam::Refused::Template(messages)) => return Err(Failure::Template(messages)),
        }
    } else {
        (template, None)
    };
    if let Some(ran) = &ran {
        let _ = writeln!(stderr, "note: {ran}");
    }
    // Only `expand` shows a template that differs from what CloudFormation would deploy.
    let note = match command {
        Command::Expand { .. } if ran.is_none() => canary_engine::expand_note(&template).map(|note| {
            format!("{note} (--sam-translator runs SAM first, when python3 has aws-sam-translator)")
        }),
        _ => None,
    };
    let mut expansion = expand_guarded(template, &ctx)?;
    // What CloudFormation counts is compact JSON, which the CLI does not write.
    expansion.check_template_size();
    if let Some(note) = note.filter(|_| !expansion.has_errors()) {
        let _ = writeln!(stderr, "note: {note}");
    }
    respond_or_fail(command, &expansion, stdout, stderr)
}

/// Prints what `command` shows of an expansion and returns its exit code; the second half of
/// [`run`], public so that tests can hand it an [`Expansion`] with errors or warnings.
pub fn respond(
    command: &Command,
    expansion: &Expansion,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> ExitCode {
    let exit = respond_or_fail(command, expansion, stdout, stderr);
    finish(exit, stderr)
}

/// Prints a failure, once, and turns it into the exit code.
fn finish(exit: Result<ExitCode, Failure>, stderr: &mut impl Write) -> ExitCode {
    match exit {
        Ok(code) => code,
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            let _ = writeln!(stderr, "canary-deployments: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Template(messages)) => {
            for message in messages {
                let _ = writeln!(stderr, "canary-deployments: {message}");
            }
            ExitCode::from(1)
        }
    }
}

fn respond_or_fail(
    command: &Command,
    expansion: &Expansion,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        expansion.diagnostics.iter().cloned().partition(Diagnostic::is_error);
    let failed = !errors.is_empty();
    // stderr is best effort: a closed stderr must not hide the exit code.
    match command {
        Command::Expand { .. } | Command::Plan { .. } if failed => {
            let _ = stderr.write_all(render::report(&expansion.diagnostics).as_bytes());
        }
        Command::Expand { format, .. } => {
            let _ = stderr.write_all(render::diagnostics(&warnings).as_bytes());
            match format {
                // Written straight to the (buffered) output: an over-limit expansion can be tens of
                // megabytes of indented JSON, which must not be held in memory a second time.
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *stdout, &expansion.template).map_err(|e| {
                        match e.io_error_kind() {
                            Some(kind) => write_failure(io::Error::from(kind)),
                            None => Failure::Usage(format!("cannot write the template as JSON: {e}")),
                        }
                    })?;
                    stdout.write_all(b"\n").map_err(write_failure)?;
                }
                Format::Yaml => {
                    stdout.write_all(emit::to_yaml(&expansion.template).as_bytes()).map_err(write_failure)?
                }
            }
        }
        Command::Validate { .. } => {
            stdout.write_all(render::report(&expansion.diagnostics).as_bytes()).map_err(write_failure)?;
        }
        Command::Plan { .. } => {
            stdout.write_all(render::plan(&expansion.plan, &warnings).as_bytes()).map_err(write_failure)?;
        }
        // `diff` prints its own output from two expansions, never from this one.
        Command::Diff { .. } => {}
    }
    stdout.flush().map_err(write_failure)?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Reads and parses the template, and builds the context the engine expands it for.
fn load(input: &InputArgs, stdin: impl Read) -> Result<(Value, Context), Failure> {
    let (name, bytes) = if input.template.as_os_str() == "-" {
        ("<stdin>".to_owned(), source::read("<stdin>", stdin)?)
    } else {
        let name = input.template.display().to_string();
        let file = std::fs::File::open(&input.template)
            .map_err(|e| Failure::Usage(format!("cannot open {name}: {e}")))?;
        let bytes = source::read(&name, file)?;
        (name, bytes)
    };
    let template = source::parse(&name, &bytes)?;
    let parameter_values = parameter_values(&input.parameters, &template, &name).map_err(Failure::Usage)?;
    let smoke_hook_code = input
        .smoke_hook_bucket
        .as_ref()
        .map(|bucket| CodeLocation { bucket: bucket.clone(), key: input.smoke_hook_key.clone() });
    let ctx = Context {
        region: input.region.clone(),
        account_id: input.account_id.clone(),
        parameter_values,
        smoke_hook_code,
    };
    Ok((template, ctx))
}

/// `--parameter` values as the engine takes them: strings, each naming a parameter the template
/// declares (CloudFormation refuses values for undeclared parameters), each given once.
pub(crate) fn parameter_values(
    given: &[(String, String)],
    template: &Value,
    name: &str,
) -> Result<Map, String> {
    let declared: Vec<&str> = template
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| k.as_str()).collect())
        .unwrap_or_default();
    let mut values = Map::new();
    for (key, value) in given {
        if values.contains_key(key) {
            return Err(format!("--parameter {key} is given more than once"));
        }
        if !declared.contains(&key.as_str()) {
            let mut message = format!("--parameter {key}: {name} declares no parameter `{key}`");
            if declared.is_empty() {
                message.push_str(" (it has no Parameters section)");
            } else {
                message.push_str(&format!("; it declares {}", declared.join(", ")));
                if let Some(close) = canary_engine::diag::did_you_mean(key, &declared) {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
            }
            return Err(message);
        }
        values.insert(key.as_str(), Value::from(value.as_str()));
    }
    Ok(values)
}

/// The engine promises never to panic; should it, the user gets one line and exit 2, not a trace.
fn expand_guarded(template: Value, ctx: &Context) -> Result<Expansion, Failure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| canary_engine::expand_source(template, ctx)))
        .map_err(|payload| {
            let what = canary_engine::diag::panic_message(&*payload).unwrap_or_default();
            Failure::Usage(format!("internal error in the expansion engine, please report it: {what}"))
        })
}

fn write_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Usage(format!("cannot write to standard output: {e}"))
    }
}

/// `KEY=VALUE`, split at the first `=` (a value may hold `=`); KEY is a parameter's logical ID.
pub fn parse_parameter(s: &str) -> Result<(String, String), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err(format!("`{s}` has no `=`; write KEY=VALUE, for example --parameter Stage=prod"));
    };
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "`{key}` is not a parameter name; CloudFormation parameter names are letters and digits (KEY=VALUE)"
        ));
    }
    Ok((key.to_owned(), value.to_owned()))
}

/// A region code such as `us-east-1`, `eu-central-2`, `us-gov-west-1` or `cn-north-1`.
pub fn parse_region(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts.last().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("`{s}` is not a region code such as us-east-1 or eu-west-2"))
    }
}

/// Twelve digits, as AWS account IDs are.
pub fn parse_account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(format!("`{s}` is not an account ID; an account ID is twelve digits"))
    }
}
