//! Terminal text for diagnostics and plans.
//!
//! Pure functions from engine types to `String`, so tests check them on hand-built values. A
//! diagnostic prints as its `Display` gives (`error: Resources/Api/…: message (help)`), one per line;
//! reports end with a `N errors, M warnings` summary line.

use std::fmt::Write;

use canary_engine::{Diagnostic, FunctionPlan};

/// `1 error`, `2 errors`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `N errors, M warnings`, without a newline.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let n_errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let n_warnings = diagnostics.len() - n_errors;
    format!("{}, {}", count(n_errors, "error"), count(n_warnings, "warning"))
}

/// Every diagnostic on its own line, in the order given (the engine sorts them by path).
pub fn diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "{d}");
    }
    out
}

/// `validate`'s report: every diagnostic, then the summary line.
pub fn report(all: &[Diagnostic]) -> String {
    let mut out = diagnostics(all);
    let _ = writeln!(out, "{}", summary(all));
    out
}

/// `plan`'s report: one block per marked function, then the warnings, then a summary.
pub fn plan(plan: &[FunctionPlan], warnings: &[Diagnostic]) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        out.push_str("No function has a CanaryDeployment setting; nothing changes.\n");
    }
    for (i, function) in plan.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        function_block(&mut out, function);
    }
    if !warnings.is_empty() {
        out.push('\n');
        out.push_str(&diagnostics(warnings));
    }
    let n_moved: usize = plan.iter().map(|f| f.moved.len()).sum();
    let _ = writeln!(
        out,
        "\n{} marked, {} moved to aliases; {}",
        count(plan.len(), "function"),
        count(n_moved, "invoker"),
        summary(warnings)
    );
    out
}

fn function_block(out: &mut String, f: &FunctionPlan) {
    let state = if f.enabled {
        "deploys through CodeDeploy"
    } else {
        "deployment disabled: the alias moves to each new version at once"
    };
    let _ = writeln!(out, "{}: alias {} ({}), {}", f.function, f.alias_name, f.alias_logical_id, state);
    let traffic =
        if f.enabled { f.traffic.clone() } else { format!("{} (not used while disabled)", f.traffic) };
    let hook = |h: &Option<String>| h.clone().unwrap_or_else(|| "none".to_owned());
    let alarms = if f.alarms.is_empty() { "none".to_owned() } else { f.alarms.join(", ") };
    let _ = writeln!(out, "  traffic:           {traffic}");
    let _ = writeln!(out, "  pre-traffic hook:  {}", hook(&f.pre_traffic_hook));
    let _ = writeln!(out, "  post-traffic hook: {}", hook(&f.post_traffic_hook));
    let _ = writeln!(out, "  alarms:            {alarms}");
    if f.moved.is_empty() {
        let _ = writeln!(out, "  moved to the alias: nothing (no invoker in the template)");
    } else {
        let _ = writeln!(out, "  moved to the alias ({}):", f.moved.len());
        for moved in &f.moved {
            let _ = writeln!(out, "    {moved}");
        }
    }
}
