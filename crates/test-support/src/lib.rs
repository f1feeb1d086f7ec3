//! What the test suites of the workspace share: the slow-test gate, the cfn-lint runner, the SAM
//! translator runner (`sam_translate.py` beside this manifest), a sorted directory listing and Kahn's
//! algorithm. A dev-dependency only (`tests/tidy.rs` of the engine checks it); nothing that ships
//! depends on it. `cfn_short_forms.py` beside the manifest is the Python scripts' share.
//!
//! Slow tests are the ones that run a Python tool (cfn-lint, aws-sam-translator, PyYAML, the AWS CLI). When the
//! tool is missing they say so on stderr and pass, so that `cargo test` works on a bare machine; with
//! `RUN_SLOW_TESTS=1` (which `scripts/test.sh` sets) a missing tool fails the test instead, so that
//! the full run never passes unchecked.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tool a slow test runs, and how to tell whether it is installed.
pub struct Tool {
    /// The name the skip message gives.
    pub name: &'static str,
    probe: Probe,
}

enum Probe {
    /// An executable on `PATH`.
    Program(&'static str),
    /// A module `python3` can import.
    PythonModule(&'static str),
}

pub const CFN_LINT: Tool = Tool { name: "cfn-lint", probe: Probe::Program("cfn-lint") };
pub const SAM_TRANSLATOR: Tool =
    Tool { name: "aws-sam-translator", probe: Probe::PythonModule("samtranslator") };
pub const PYYAML: Tool = Tool { name: "PyYAML", probe: Probe::PythonModule("yaml") };
/// The AWS CLI (`awscli` from PyPI, version 1: a Python module), which runs the install guide's commands.
pub const AWS_CLI: Tool = Tool { name: "awscli", probe: Probe::PythonModule("awscli") };

/// The variable that turns a missing tool from a skip into a failure.
pub const RUN_SLOW_TESTS: &str = "RUN_SLOW_TESTS";

fn slow_tests_required() -> bool {
    std::env::var_os(RUN_SLOW_TESTS).is_some_and(|v| v == "1")
}

fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

fn python_has(module: &str) -> bool {
    // find_spec looks the module up without importing it, which for the translator takes a second.
    let probe = format!("import importlib.util, sys; sys.exit(importlib.util.find_spec({module:?}) is None)");
    Command::new("python3").args(["-c", &probe]).output().is_ok_and(|out| out.status.success())
}

/// Whether `tool` is installed. When it is not: with `RUN_SLOW_TESTS=1` this panics; otherwise it
/// prints one line to stderr and returns false, and the caller skips what needs the tool.
pub fn require_tool(tool: &Tool) -> bool {
    let found = match tool.probe {
        Probe::Program(program) => on_path(program),
        Probe::PythonModule(module) => python_has(module),
    };
    if found {
        return true;
    }
    let install = "`pip install -r requirements-test.txt` or run scripts/test.sh";
    assert!(!slow_tests_required(), "{} not found and {RUN_SLOW_TESTS}=1: {install}", tool.name);
    // Straight to the stream, past the test harness's capture, so that the skip shows in a normal run.
    writeln!(std::io::stderr(), "skipped: {} not found; {install}, which sets {RUN_SLOW_TESTS}=1", tool.name)
        .ok();
    false
}

/// The entries of `dir`, sorted, so that a test walks fixtures in the same order everywhere.
pub fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> =
        entries.map(|entry| entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path()).collect();
    paths.sort();
    paths
}

pub mod cfn_lint {
    use super::*;

    /// What one cfn-lint run over a batch of templates reported.
    pub struct Findings {
        /// A bit set: 2 means errors, 4 warnings, 8 informational findings; 1 a failure of cfn-lint
        /// itself; -1 a run ended by a signal.
        pub exit_code: i32,
        /// One finding a line, `file:line:column:end line:end column:rule:message`.
        pub stdout: String,
        pub stderr: String,
    }

    impl Findings {
        /// The findings whose rule is an error (`E…`).
        pub fn errors(&self) -> Vec<&str> {
            self.stdout
                .lines()
                .filter(|line| line.split(':').nth(5).is_some_and(|rule| rule.starts_with('E')))
                .collect()
        }

        /// No error: cfn-lint ran to the end and reported none (warnings and informational findings
        /// are allowed).
        pub fn passes(&self) -> bool {
            self.exit_code >= 0 && self.exit_code & 3 == 0 && self.errors().is_empty()
        }

        /// Everything cfn-lint said, for a failure message.
        pub fn report(&self) -> String {
            format!("cfn-lint exit {}:\n{}\n{}", self.exit_code, self.stdout, self.stderr)
        }
    }

    /// Runs cfn-lint once over all `files` (it takes seconds to start, so one process does the whole
    /// batch). `None` when cfn-lint is missing and slow tests are not required (see [`require_tool`]).
    pub fn lint<P: AsRef<Path>>(files: &[P]) -> Option<Findings> {
        if !require_tool(&CFN_LINT) {
            return None;
        }
        assert!(!files.is_empty(), "nothing to lint");
        let output = Command::new("cfn-lint")
            .args(["--format", "parseable", "--"])
            .args(files.iter().map(AsRef::as_ref))
            .output()
            .unwrap_or_else(|e| panic!("cannot run cfn-lint: {e}"));
        Some(Findings {
            exit_code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// cfn-lint reports no error in any of `files` (`what` names them in the messages). Skipped, as
    /// [`lint`] says, when cfn-lint is missing.
    pub fn assert_no_errors<P: AsRef<Path>>(files: &[P], what: &str) {
        let Some(findings) = lint(files) else { return };
        assert!(
            findings.passes(),
            "cfn-lint found errors in {what} ({} files): {}",
            files.len(),
            findings.report()
        );
        eprintln!("cfn-lint: {} {what}, 0 errors", files.len());
    }

    /// Writes each `(name, template text)` to `dir/<name>.json` and checks them as [`assert_no_errors`]
    /// does; the files stay for reading after a failure.
    pub fn assert_written_templates_pass(dir: &Path, templates: &[(String, String)], what: &str) {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut files = Vec::with_capacity(templates.len());
        for (name, text) in templates {
            let file = dir.join(format!("{name}.json"));
            std::fs::write(&file, text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            files.push(file);
        }
        assert_no_errors(&files, what);
    }
}

pub mod sam {
    use super::*;

    /// One step of [`translate`]: `Parse` writes the input template (YAML or JSON) as plain JSON,
    /// `Translate` writes SAM's translation of it; a template SAM refuses is written as
    /// `{"SamError": "<message>"}`.
    #[derive(Clone, Copy, Debug)]
    pub enum Op {
        Parse,
        Translate,
    }

    /// Runs aws-sam-translator (`sam_translate.py` beside this crate's manifest) over every
    /// `(op, input, output)` step in one python3 process: importing the translator costs a second.
    /// False, having done nothing, when the translator is missing and slow tests are not required
    /// (see [`require_tool`]).
    pub fn translate(steps: &[(Op, PathBuf, PathBuf)]) -> bool {
        if !require_tool(&SAM_TRANSLATOR) {
            return false;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("sam_translate.py");
        let mut command = Command::new("python3");
        command.arg(&script);
        for (op, input, output) in steps {
            let op = match op {
                Op::Parse => "parse",
                Op::Translate => "translate",
            };
            command.arg(op).arg(input).arg(output);
        }
        let out = command.output().unwrap_or_else(|e| panic!("cannot run python3: {e}"));
        assert!(
            out.status.success(),
            "sam_translate.py failed (scripts/test.sh installs aws-sam-translator):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        true
    }
}

pub mod graph {
    /// The nodes Kahn's algorithm cannot order: peel off the nodes whose dependencies are all peeled;
    /// whatever remains lies on or behind a cycle. `dependencies[i]` lists the nodes node `i` depends
    /// on (indices below `dependencies.len()`). Empty exactly when the graph has no cycle.
    pub fn unordered(dependencies: &[Vec<usize>]) -> Vec<usize> {
        let mut dependents = vec![Vec::new(); dependencies.len()];
        let mut waiting: Vec<usize> = dependencies.iter().map(Vec::len).collect();
        for (node, on) in dependencies.iter().enumerate() {
            for &dependency in on {
                dependents[dependency].push(node);
            }
        }
        let mut ready: Vec<usize> = (0..dependencies.len()).filter(|&node| waiting[node] == 0).collect();
        while let Some(done) = ready.pop() {
            for &node in &dependents[done] {
                waiting[node] -= 1;
                if waiting[node] == 0 {
                    ready.push(node);
                }
            }
        }
        (0..dependencies.len()).filter(|&node| waiting[node] > 0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::graph::unordered;

    #[test]
    fn kahn_leaves_exactly_the_nodes_on_or_behind_a_cycle() {
        assert!(unordered(&[vec![], vec![0], vec![0, 1]]).is_empty());
        // 1 and 2 wait on each other; 3 waits on 2; 0 is free.
        assert_eq!(unordered(&[vec![], vec![2], vec![1], vec![2]]), [1, 2, 3]);
        assert_eq!(unordered(&[vec![0]]), [0]);
    }
}
