//! `docs/install.md` as a user runs it. Every `aws` command of its code blocks (backslash continuations
//! joined, shell variables replaced by the values the page itself assigns) runs with the real AWS CLI,
//! fake credentials, no default Region and an endpoint on 127.0.0.1 where nothing listens: a
//! well-formed command gets as far as the network and fails there; a usage or parameter error, a
//! missing file or a missing `--region` fails before it, and fails the test. The page's deploys and
//! updates of the macro are also read for what the CLI cannot know: each passes every `*CodeKey`
//! parameter of `macro.yaml`, for the template's own version, and each `update-stack-set` passes every
//! parameter of its template. cfn-lint checks every template of `deploy/`.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use canary_system_tests::repo_root;
use canary_test_support::{cfn_lint, require_tool, AWS_CLI};

/// Where the CLI is sent: this suite's port, on which nothing listens.
const NOWHERE: &str = "http://127.0.0.1:9489";
/// What the CLI says when a well-formed request could not be sent.
const REACHED_THE_NETWORK: &str = "Could not connect to the endpoint URL";
/// What `$(…)` would print, for the variables the page assigns from a command's output. A variable
/// missing here fails the test, so a new one gets a realistic value.
const COMMAND_OUTPUTS: &[(&str, &str)] = &[
    ("change_set", "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/a1b2c3/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
    ("accounts", "111122223333 444455556666 777788889999"),
    ("linked", "444455556666 777788889999"),
    ("operation", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
    ("first_arn", "arn:aws:lambda:eu-west-1:111122223333:function:canary-deployments-central-MacroFunction-AbCdEf123456"),
    ("function_arn", "arn:aws:lambda:us-east-1:111122223333:function:canary-deployments-central-MacroFunction-GhIjKl789012"),
];
/// The operations that create or update a stack or stack set from a template.
const DEPLOYS: &[&str] =
    &["deploy", "create-stack", "update-stack", "create-change-set", "create-stack-set", "update-stack-set"];

/// One `aws` invocation of the page: where it is, and its arguments after `aws`, expanded.
#[derive(Debug)]
struct AwsCommand {
    line: usize,
    args: Vec<String>,
}

impl AwsCommand {
    fn operation(&self) -> (&str, &str) {
        (self.args.first().map_or("", String::as_str), self.args.get(1).map_or("", String::as_str))
    }

    /// The words after `option`, up to the next option.
    fn values(&self, option: &str) -> Vec<&str> {
        let Some(at) = self.args.iter().position(|a| a == option) else { return Vec::new() };
        self.args[at + 1..].iter().take_while(|a| !a.starts_with("--")).map(String::as_str).collect()
    }

    fn template(&self) -> Option<&str> {
        ["--template-file", "--template-body", "--template-url"]
            .iter()
            .find_map(|option| self.values(option).first().copied())
            .map(|t| t.strip_prefix("file://").unwrap_or(t))
    }

    /// The parameters the command passes: name to value, `None` for `UsePreviousValue=true`.
    fn parameters(&self) -> HashMap<String, Option<String>> {
        let mut passed = HashMap::new();
        for word in self.values("--parameter-overrides") {
            let (name, value) = word.split_once('=').unwrap_or((word, ""));
            passed.insert(name.to_string(), Some(value.to_string()));
        }
        for word in self.values("--parameters") {
            let fields: HashMap<&str, &str> = word.split(',').filter_map(|f| f.split_once('=')).collect();
            let name = fields.get("ParameterKey").unwrap_or_else(|| panic!("line {}: {word}", self.line));
            let value = match fields.get("UsePreviousValue") {
                Some(&"true") => None,
                _ => fields.get("ParameterValue").map(|v| v.to_string()),
            };
            passed.insert(name.to_string(), value);
        }
        passed
    }

    fn shown(&self) -> String {
        format!("docs/install.md:{}: aws {}", self.line, self.args.join(" "))
    }
}

/// The page's shell lines, one per logical line (continuations joined), with their line numbers:
/// Markdown code is indented by four spaces or more, and the page's prose never is.
fn code_lines(page: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in page.lines().enumerate() {
        let code = line.len() - line.trim_start().len() >= 4 && !line.trim().is_empty();
        if !code && pending.is_none() {
            continue;
        }
        let text = line.trim();
        let (start, mut joined) = pending.take().unwrap_or((index + 1, String::new()));
        match text.strip_suffix('\\') {
            Some(head) => {
                joined.push_str(head);
                pending = Some((start, joined));
            }
            None => {
                joined.push_str(text);
                lines.push((start, joined));
            }
        }
    }
    lines
}

/// Shell words of `text` as bash would pass them: quotes removed, `$NAME` and `${NAME}` replaced
/// (split on spaces when unquoted), a `#` word ending the line; the command ends at an unquoted `;`,
/// `|`, `&` or `)`.
fn shell_words(text: &str, vars: &HashMap<String, String>, line: usize) -> Result<Vec<String>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if single {
            if c == '\'' {
                single = false;
            } else {
                word.push(c);
            }
        } else if c == '$' && chars.get(i + 1) == Some(&'(') {
            return Err(format!(
                "docs/install.md:{line}: `$(` inside a command; assign its output to a variable first"
            ));
        } else if c == '$' {
            let braced = chars.get(i + 1) == Some(&'{');
            let from = if braced { i + 2 } else { i + 1 };
            let mut to = from;
            while to < chars.len() && (chars[to].is_ascii_alphanumeric() || chars[to] == '_') {
                to += 1;
            }
            let name: String = chars[from..to].iter().collect();
            let value = vars.get(&name).ok_or_else(|| {
                format!("docs/install.md:{line}: ${name} is used before the page assigns it")
            })?;
            i = if braced { to + 1 } else { to };
            if double {
                word.push_str(value);
            } else {
                // Unquoted: split into words, as the shell does.
                let mut parts = value.split_whitespace().peekable();
                while let Some(part) = parts.next() {
                    word.push_str(part);
                    in_word = true;
                    if parts.peek().is_some() {
                        words.push(std::mem::take(&mut word));
                    }
                }
            }
            continue;
        } else if double {
            match c {
                '"' => double = false,
                '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$')) => {
                    i += 1;
                    word.push(chars[i]);
                }
                _ => word.push(c),
            }
        } else {
            match c {
                '\'' => (single, in_word) = (true, true),
                '"' => (double, in_word) = (true, true),
                '\\' => {
                    i += 1;
                    if let Some(&next) = chars.get(i) {
                        word.push(next);
                    }
                    in_word = true;
                }
                '#' if !in_word => break,
                ';' | '|' | '&' | ')' => break,
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                c => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        i += 1;
    }
    if single || double {
        return Err(format!("docs/install.md:{line}: unterminated quote in `{text}`"));
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Every `aws` command of the page, in order, with the variables the page assigns before it: `NAME=…`
/// lines, `for NAME in …` (its first value), and `NAME=$(aws …)` (a value from `COMMAND_OUTPUTS`).
fn aws_commands(page: &str) -> Result<Vec<AwsCommand>, String> {
    let outputs: HashMap<&str, &str> = COMMAND_OUTPUTS.iter().copied().collect();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut commands = Vec::new();
    for (line, text) in code_lines(page) {
        let text = text.trim();
        let assignment = text.split_once('=').filter(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let mut command = text;
        if let Some((name, value)) = assignment {
            match value.strip_prefix("$(") {
                Some(inner) => {
                    let output = outputs.get(name).ok_or_else(|| {
                        format!("docs/install.md:{line}: give ${name} a sample output in COMMAND_OUTPUTS")
                    })?;
                    vars.insert(name.to_string(), output.to_string());
                    command = inner;
                }
                None => {
                    let words = shell_words(value, &vars, line)?;
                    vars.insert(name.to_string(), words.join(" "));
                    continue;
                }
            }
        }
        if let Some(rest) = command.strip_prefix("for ") {
            let words = shell_words(rest, &vars, line)?;
            if words.len() < 3 || words[1] != "in" {
                return Err(format!("docs/install.md:{line}: `for` loop not understood"));
            }
            vars.insert(words[0].clone(), words[2].clone());
            continue;
        }
        if let Some(rest) = command.strip_prefix("aws ") {
            let args = shell_words(rest, &vars, line)?;
            commands.push(AwsCommand { line, args });
        }
    }
    Ok(commands)
}

/// The page's `aws` commands; a line the reader cannot follow fails the test that asks.
fn documented_commands() -> Vec<AwsCommand> {
    aws_commands(&page()).unwrap_or_else(|e| panic!("{e}"))
}

fn page() -> String {
    std::fs::read_to_string(repo_root().join("docs/install.md")).unwrap()
}

/// The parameter names of a template of `deploy/`, read from its `Parameters` section.
fn template_parameters(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && !line.trim().is_empty() {
            inside = line.trim_end() == "Parameters:";
        } else if inside
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && line.trim_end().ends_with(':')
        {
            names.push(line.trim().trim_end_matches(':').to_string());
        }
    }
    names
}

/// The `deploy/` source of a template the page names, and the version its name carries:
/// `dist/canary-deployments-<version>-macro.yaml` is `deploy/macro.yaml`.
fn source_template(named: &str) -> (PathBuf, Option<String>) {
    let file = named.rsplit('/').next().unwrap_or(named);
    if let Some(version) =
        file.strip_prefix("canary-deployments-").and_then(|f| f.strip_suffix("-macro.yaml"))
    {
        return (repo_root().join("deploy/macro.yaml"), Some(version.to_string()));
    }
    let path = repo_root().join("deploy").join(file);
    assert!(path.is_file(), "the page deploys {named}, which is not a template of deploy/");
    (path, None)
}

/// `deploy/macro.yaml` as `scripts/package.sh` versions it, by the same script.
fn packaged_macro(version: &str) -> String {
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/macro-template.sh"))
        .arg(version)
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/macro-template.sh: {e}"));
    assert!(
        output.status.success(),
        "macro-template.sh {version}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A directory laid out as the page expects its reader's to be: `deploy/` and `dist/` with every
/// artifact the page names (`macro.yaml` versioned as `scripts/package.sh` writes it).
fn workspace(page: &str) -> tempdir::TempDir {
    let dir = tempdir::TempDir::new();
    std::fs::create_dir_all(dir.path().join("deploy")).unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    for entry in std::fs::read_dir(repo_root().join("deploy")).unwrap() {
        let path = entry.unwrap().path();
        // The templates; `deploy/guard/` holds rules, which no command of the page reads.
        if !path.is_file() {
            continue;
        }
        std::fs::copy(&path, dir.path().join("deploy").join(path.file_name().unwrap())).unwrap();
    }
    for name in page.split(|c: char| !(c.is_ascii_alphanumeric() || "-._".contains(c))) {
        let Some(rest) = name.strip_prefix("canary-deployments-") else { continue };
        let path = dir.path().join("dist").join(name);
        if let Some(version) = rest.strip_suffix("-macro.yaml") {
            std::fs::write(path, packaged_macro(version)).unwrap();
        } else if rest.ends_with(".zip") || rest.ends_with(".sha256") {
            std::fs::write(path, b"stand-in").unwrap();
        }
    }
    dir
}

/// A tiny self-removing temporary directory (the suite has no dependencies beyond the workspace's).
mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct TempDir(PathBuf);

    impl TempDir {
        pub fn new() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("canary-install-docs-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Runs a batch of `aws` commands in one Python process, each through a fresh `create_clidriver()`,
/// which is all the `aws` script does, with one data loader shared by every session: the CLI takes
/// about half a second to start and to load its service models. Reads the commands (words separated by US, commands by RS) on stdin and writes each
/// exit code and stderr the same way.
const DRIVER: &str = r#"
import contextlib, io, sys
import botocore.session
# One data loader for every session: each would otherwise parse the same service models again.
_create_loader, _loaders = botocore.session.create_loader, []
def _one_loader(*args, **kwargs):
    if not _loaders:
        _loaders.append(_create_loader(*args, **kwargs))
    return _loaders[0]
botocore.session.create_loader = _one_loader
from awscli.clidriver import create_clidriver
results = []
for command in sys.stdin.read().split("\x1e"):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = create_clidriver().main(command.split("\x1f"))
        except SystemExit as exit:
            rc = exit.code
    results.append(f"{rc}\x1f{err.getvalue()}")
sys.stdout.write("\x1e".join(results))
"#;

/// What one command did: its exit code and what it wrote to stderr.
struct Outcome {
    code: String,
    stderr: String,
}

/// Runs `commands` as a reader with no AWS configuration would (fake credentials, no default Region),
/// sent nowhere, in two batches side by side.
fn run_aws(cwd: &Path, commands: &[Vec<String>]) -> Vec<Outcome> {
    let half = commands.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let batches: Vec<_> =
            commands.chunks(half).map(|batch| scope.spawn(move || run_batch(cwd, batch))).collect();
        batches.into_iter().flat_map(|b| b.join().unwrap()).collect()
    })
}

fn run_batch(cwd: &Path, batch: &[Vec<String>]) -> Vec<Outcome> {
    let input: Vec<String> = batch
        .iter()
        .map(|args| {
            let mut words = vec!["--endpoint-url".to_string(), NOWHERE.to_string()];
            words.extend(args.iter().cloned());
            assert!(words.iter().all(|w| !w.contains(['\x1e', '\x1f'])));
            words.join("\x1f")
        })
        .collect();
    let mut command = Command::new("python3");
    command
        .args(["-c", DRIVER])
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .env("AWS_CONFIG_FILE", cwd.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", cwd.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_RETRY_MODE", "standard")
        .env("AWS_PAGER", "");
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    child.stdin.take().unwrap().write_all(input.join("\x1e").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the AWS CLI driver failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let outcomes: Vec<Outcome> = String::from_utf8_lossy(&output.stdout)
        .split('\x1e')
        .map(|result| {
            let (code, stderr) = result.split_once('\x1f').unwrap_or((result, ""));
            Outcome { code: code.to_string(), stderr: stderr.to_string() }
        })
        .collect();
    assert_eq!(
        outcomes.len(),
        batch.len(),
        "the driver answered {} of {} commands",
        outcomes.len(),
        batch.len()
    );
    outcomes
}

fn reached_the_network(outcome: &Outcome) -> bool {
    outcome.code != "0" && outcome.stderr.contains(REACHED_THE_NETWORK)
}

#[test]
fn every_aws_command_of_the_install_guide_parses_and_gets_as_far_as_the_network() {
    if !require_tool(&AWS_CLI) {
        return;
    }
    let page = page();
    let commands = documented_commands();
    let dir = workspace(&page);
    // Two commands the CLI must refuse before sending anything, which shows that the test tells a
    // mistake from a command that reached the network: a misspelt parameter field and a missing Region.
    let refused = [
        "cloudformation create-stack-set --region eu-west-1 --stack-set-name s --parameters ParameterKey=A,Value=b",
        "cloudformation describe-stacks --stack-name s",
    ];
    let mut batch: Vec<Vec<String>> = commands.iter().map(|c| c.args.clone()).collect();
    batch.extend(refused.iter().map(|r| r.split(' ').map(String::from).collect()));

    let started = Instant::now();
    let outputs = run_aws(dir.path(), &batch);
    let elapsed = started.elapsed();

    let (documented, controls) = outputs.split_at(commands.len());
    let failures: Vec<String> = commands
        .iter()
        .zip(documented)
        .filter(|(_, output)| !reached_the_network(output))
        .map(|(command, output)| {
            format!("{}\n  exit {}: {}", command.shown(), output.code, output.stderr.trim())
        })
        .collect();
    assert!(failures.is_empty(), "commands that fail before reaching AWS:\n{}", failures.join("\n"));
    for (command, output) in refused.iter().zip(controls) {
        assert!(!reached_the_network(output), "the CLI sent `aws {command}`, which it should refuse");
    }
    assert!(commands.len() >= 20, "only {} aws commands found in docs/install.md", commands.len());
    eprintln!(
        "docs/install.md: {} aws commands parsed and reached the network in {elapsed:.1?}",
        commands.len()
    );
}

#[test]
fn every_deploy_of_the_macro_passes_the_code_key_of_its_own_version() {
    let commands = documented_commands();
    let code_keys: Vec<String> = template_parameters(&repo_root().join("deploy/macro.yaml"))
        .into_iter()
        .filter(|name| name.ends_with("CodeKey"))
        .collect();
    assert!(code_keys.contains(&"CodeKey".to_string()), "macro.yaml has no CodeKey parameter");
    let mut checked = 0;
    for command in &commands {
        let (service, operation) = command.operation();
        if service != "cloudformation" || !DEPLOYS.contains(&operation) {
            continue;
        }
        let template = command.template().unwrap_or_else(|| panic!("{}: no template", command.shown()));
        let (_, Some(version)) = source_template(template) else { continue };
        let passed = command.parameters();
        for key in &code_keys {
            let value = passed.get(key.as_str()).cloned().flatten().unwrap_or_else(|| {
                panic!("{}\n  does not pass {key} with a value: an update would keep the previous version's code", command.shown())
            });
            let own = format!("canary-deployments-{version}-");
            assert!(
                value.contains(&own),
                "{}\n  passes {key}={value}, not the zip of {version}",
                command.shown()
            );
        }
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} deploys of macro.yaml found in docs/install.md");
}

#[test]
fn every_update_stack_set_passes_every_parameter_of_its_template() {
    let commands = documented_commands();
    let updates: Vec<&AwsCommand> =
        commands.iter().filter(|c| c.operation() == ("cloudformation", "update-stack-set")).collect();
    assert!(!updates.is_empty(), "docs/install.md shows no update-stack-set");
    for command in updates {
        let template = command.template().unwrap_or_else(|| panic!("{}: no template", command.shown()));
        let (source, _) = source_template(template);
        let passed = command.parameters();
        let missing: Vec<String> =
            template_parameters(&source).into_iter().filter(|name| !passed.contains_key(name)).collect();
        assert!(
            missing.is_empty(),
            "{}\n  leaves out {missing:?}: pass each with a value or UsePreviousValue=true",
            command.shown()
        );
        assert!(
            !command.values("--administration-role-arn").is_empty(),
            "{}\n  a stack set with a customized administration role needs it on every update",
            command.shown()
        );
    }
}

#[test]
fn every_parameter_a_deploy_passes_is_one_of_its_template() {
    let mut checked = 0;
    for command in &documented_commands() {
        let (service, operation) = command.operation();
        if service != "cloudformation" || !DEPLOYS.contains(&operation) {
            continue;
        }
        let template = command.template().unwrap_or_else(|| panic!("{}: no template", command.shown()));
        let known = template_parameters(&source_template(template).0);
        let mut unknown: Vec<String> =
            command.parameters().into_keys().filter(|name| !known.contains(name)).collect();
        unknown.sort();
        assert!(
            unknown.is_empty(),
            "{}\n  passes {unknown:?}, which {template} does not declare",
            command.shown()
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} deploys found in docs/install.md");
}

#[test]
fn the_page_is_read_as_the_shell_reads_it() {
    let page = concat!(
        "Prose is not code.\n\n",
        "    A=one\n",
        "    B=\"two three\"\n",
        "    for r in $B; do\n",
        "      aws s3 cp x \"s3://b-$r/\" \\\n",
        "          --region $B # a comment\n",
        "    done\n",
        "    operation=$(aws sts get-caller-identity --query 'A[?x==`1`]' \\\n",
        "        --output text --region \"${A}\")\n",
        "    aws sts get-caller-identity --query \"x=='$A'\" --region $operation && echo done\n",
    );
    let commands = aws_commands(page).unwrap();
    let read: Vec<(usize, Vec<&str>)> =
        commands.iter().map(|c| (c.line, c.args.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        read,
        [
            (6, vec!["s3", "cp", "x", "s3://b-two/", "--region", "two", "three"]),
            (
                9,
                vec![
                    "sts",
                    "get-caller-identity",
                    "--query",
                    "A[?x==`1`]",
                    "--output",
                    "text",
                    "--region",
                    "one"
                ]
            ),
            (
                11,
                vec![
                    "sts",
                    "get-caller-identity",
                    "--query",
                    "x=='one'",
                    "--region",
                    "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
                ]
            ),
        ]
    );

    let unknown = aws_commands("    v=$(aws sts get-caller-identity)\n").unwrap_err();
    assert!(unknown.contains("give $v a sample output"), "{unknown}");
    let unassigned = aws_commands("    aws s3 ls --region $NOPE\n").unwrap_err();
    assert!(unassigned.contains("$NOPE is used before the page assigns it"), "{unassigned}");
    let nested = aws_commands("    aws s3 ls --region $(echo x)\n").unwrap_err();
    assert!(nested.contains("assign its output to a variable first"), "{nested}");
}

#[test]
fn every_template_in_deploy_passes_cfn_lint() {
    let dir = workspace("canary-deployments-0.1.0-macro.yaml");
    let mut files: Vec<PathBuf> = canary_test_support::sorted_entries(&repo_root().join("deploy"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(files.len() >= 5, "deploy/ holds {} templates", files.len());
    // macro.yaml as the packaged copy a user deploys, with its version filled in.
    files.push(dir.path().join("dist/canary-deployments-0.1.0-macro.yaml"));
    cfn_lint::assert_no_errors(&files, "deploy/ templates");
}
