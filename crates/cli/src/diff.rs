//! `diff BEFORE AFTER`: what deploying AFTER over BEFORE does to each marked function's canary.
//!
//! Both sides are reduced to the template CloudFormation deploys (`side`): a source is expanded by
//! the engine (and translated by SAM when it lists SAM's transform, in its order); a processed
//! template (`get-template --template-stage Processed`) already is one. What each marked function
//! deploys is read from there, and its version from the engine's plan ([`canary_engine::FunctionPlan`]'s
//! `version_logical_id` and `versioned_configuration`), never from a rule of its own. `verdict`
//! compares the two sides per function; `render` prints them.

mod render;
mod side;
mod verdict;

use std::io::{Read, Write};
use std::path::PathBuf;

use canary_engine::json::Value;
use canary_engine::CodeLocation;
use canary_engine::Context;
use clap::{Args, ValueEnum};

pub use self::render::{json as render_json, text as render_text};
pub use self::side::{form, Form, Side};
pub use self::verdict::{compare, Outcome};

/// `diff`'s flags.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// What is deployed: the source as last deployed, or the processed template
    /// (`aws cloudformation get-template --template-stage Processed`); `-` for standard input.
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// The new source template; `-` for standard input.
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,
    /// A stack parameter value for this deploy (repeatable); the same value is assumed for BEFORE when it
    /// declares the parameter. Parameters not given take their `Default`.
    #[arg(long = "parameter", short = 'p', value_name = "KEY=VALUE", value_parser = crate::parse_parameter)]
    pub parameters: Vec<(String, String)>,
    /// The region the stack is deployed in (`AWS::Region`).
    #[arg(long, value_name = "R", default_value = "us-east-1", value_parser = crate::parse_region)]
    pub region: String,
    /// The account the stack is deployed in (`AWS::AccountId`), twelve digits.
    #[arg(long, value_name = "A", default_value = "123456789012", value_parser = crate::parse_account_id)]
    pub account_id: String,
    /// Output format: text for people, json for a pipeline.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Show the values of environment variables that changed (hidden by default: they may be secrets).
    #[arg(long)]
    pub show_values: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

/// Exit code when some update will fail.
pub const EXIT_WILL_FAIL: u8 = 3;
/// Exit code when a canary will start and nothing fails.
pub const EXIT_CANARY: u8 = 4;

/// Why a diff stopped before its output: the CLI's own failures.
pub enum DiffError {
    /// Usage or I/O: exit 2.
    Usage(String),
    /// A template cannot be read or expanded: exit 1.
    Template(Vec<String>),
}

/// Reads, prepares and compares both templates; returns the exit code's value.
pub fn run(
    args: &DiffArgs,
    stdin: impl Read,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> Result<u8, DiffError> {
    let (before, after, outcome) = prepare_and_compare(args, stdin)?;
    // Best effort, as the other commands' warnings: a closed stderr must not hide the verdict.
    for warning in before.warnings.iter().chain(&after.warnings) {
        let _ = writeln!(stderr, "{warning}");
    }
    let text = match args.format {
        DiffFormat::Text => render_text(&outcome),
        DiffFormat::Json => render_json(&outcome),
    };
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(DiffError::Usage(format!("cannot write to standard output: {e}"))),
    }
    Ok(outcome.exit_code())
}

/// Both sides as CloudFormation deploys them, and what deploying AFTER over BEFORE does.
pub fn prepare_and_compare(args: &DiffArgs, stdin: impl Read) -> Result<(Side, Side, Outcome), DiffError> {
    if args.before.as_os_str() == "-" && args.after.as_os_str() == "-" {
        return Err(DiffError::Usage("BEFORE and AFTER cannot both be `-` (standard input)".to_owned()));
    }
    let mut stdin = Some(stdin);
    let (before_name, before) = read(&args.before, &mut stdin)?;
    let (after_name, after) = read(&args.after, &mut stdin)?;
    let after_values =
        crate::parameter_values(&args.parameters, &after, &after_name).map_err(DiffError::Usage)?;
    // BEFORE takes the values of the parameters it declares: the stack's values are assumed unchanged.
    let declared =
        |template: &Value, key: &str| template.get("Parameters").and_then(|p| p.get(key)).is_some();
    let given: Vec<(String, String)> =
        args.parameters.iter().filter(|(k, _)| declared(&before, k)).cloned().collect();
    let before_values = crate::parameter_values(&given, &before, &before_name).map_err(DiffError::Usage)?;
    // Both sides expand with the same smoke test hook location, so it never shows as a change; where
    // the hook's zip lives is the install's concern, not the stack's.
    let context = |parameter_values| Context {
        region: args.region.clone(),
        account_id: args.account_id.clone(),
        parameter_values,
        smoke_hook_code: Some(CodeLocation {
            bucket: "canary-deployments-artifacts".to_owned(),
            key: crate::SMOKE_HOOK_KEY.to_owned(),
        }),
    };
    let after_form = side::form(&after);
    let before_form = side::form(&before);
    let before = Side::prepare(&before_name, before, &context(before_values), before_form)?;
    let after = Side::prepare(&after_name, after, &context(after_values), after_form)?;
    let outcome = compare(&before, &after, args.show_values);
    Ok((before, after, outcome))
}

fn read(path: &PathBuf, stdin: &mut Option<impl Read>) -> Result<(String, Value), DiffError> {
    let source_error = |e: crate::source::SourceError| match e {
        crate::source::SourceError::Io(m) => DiffError::Usage(m),
        crate::source::SourceError::Template(m) => DiffError::Template(m),
    };
    let (name, bytes) = if path.as_os_str() == "-" {
        let reader =
            stdin.take().ok_or_else(|| DiffError::Usage("standard input is read once".to_owned()))?;
        ("<stdin>".to_owned(), crate::source::read("<stdin>", reader).map_err(source_error)?)
    } else {
        let name = path.display().to_string();
        let file =
            std::fs::File::open(path).map_err(|e| DiffError::Usage(format!("cannot open {name}: {e}")))?;
        let bytes = crate::source::read(&name, file).map_err(source_error)?;
        (name, bytes)
    };
    let template = crate::source::parse(&name, &bytes).map_err(source_error)?;
    Ok((name, template))
}
