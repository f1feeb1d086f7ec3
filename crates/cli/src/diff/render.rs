//! `diff`'s output: one block per function and a summary line as text, or one JSON document for a
//! pipeline (the same facts, keyed).

use std::fmt::Write;

use canary_engine::json::Value;
use serde_json::json;

use super::verdict::{describe_traffic, plural, Change, FunctionDiff, Outcome, State};
use crate::render::count;

/// Longest value shown in a change; longer ones are cut with `…`.
const MAX_VALUE_CHARS: usize = 60;

pub fn text(outcome: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) → {} ({})",
        outcome.before, outcome.before_form, outcome.after, outcome.after_form
    );
    if outcome.functions.is_empty() {
        out.push_str("\nNo function is deployed through an alias in either template.\n");
    }
    for f in &outcome.functions {
        out.push('\n');
        block(&mut out, f);
    }
    let _ = writeln!(out, "\n{}", summary(outcome));
    out
}

fn headline(f: &FunctionDiff) -> &'static str {
    if !f.failures.is_empty() {
        return "the update will fail";
    }
    match f.state {
        State::Canary => "a new version is published and a canary starts",
        State::AtOnce => {
            "a new version is published and all traffic moves to it at once (no deployment group)"
        }
        State::Created => "the alias is created on its version: all traffic at once, no canary",
        State::Unchanged => "no new version: the alias keeps its version, no canary",
        State::Unmarked => "no longer deployed through CodeDeploy",
    }
}

fn block(out: &mut String, f: &FunctionDiff) {
    let _ = writeln!(out, "{} (alias {}): {}", f.function, f.alias, headline(f));
    let none = || "none".to_owned();
    match (&f.version_before, &f.version_after) {
        (Some(b), Some(a)) if b != a => {
            let _ = writeln!(out, "  version:   {b} → {a}");
        }
        (None, Some(a)) => {
            let _ = writeln!(out, "  version:   {a} (new)");
        }
        (Some(v), _) => {
            let _ = writeln!(out, "  version:   {v}");
        }
        (None, None) => {}
    }
    if f.state != State::Unmarked {
        if f.version_before.is_none() {
            let _ =
                writeln!(out, "  why:       the function had no alias before: its first version behind one");
        } else if !f.why_known {
            let _ = writeln!(
                out,
                "  why:       not known (the deployed configuration cannot be resolved offline)"
            );
        } else if f.stamp_only {
            let _ = writeln!(
                out,
                "  why:       only the version hash the macro writes into the function's Description (the deployed \
                 version was named another way): the same code and configuration are published and deployed once more"
            );
        } else if f.why.is_empty() {
            let _ = writeln!(out, "  why:       nothing a version stores changed");
        } else {
            for (i, c) in f.why.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  {}{}",
                    if i == 0 { "why:       " } else { "           " },
                    versioned_change(c)
                );
            }
        }
    }
    if let Some(d) = &f.after {
        match &d.traffic {
            Some(traffic) if d.group.is_some() => {
                let (text, minutes) = describe_traffic(traffic);
                let _ = writeln!(out, "  traffic:   {text}");
                if let Some(m) = minutes {
                    let _ = writeln!(
                        out,
                        "  shortest:  {m} {} of traffic shifting (hooks add their run time; an alarm stops it early)",
                        plural(m, "minute")
                    );
                }
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  traffic:   no deployment group: the alias moves to each new version at once"
                );
            }
        }
        if d.group.is_some() {
            let _ = writeln!(
                out,
                "  hooks:     pre-traffic {}, post-traffic {}",
                d.pre_hook.clone().unwrap_or_else(none),
                d.post_hook.clone().unwrap_or_else(none)
            );
            let alarms = if d.alarms.is_empty() { none() } else { d.alarms.join(", ") };
            let _ = writeln!(out, "  alarms:    {alarms}");
        }
    }
    if !f.at_once.is_empty() {
        let _ = writeln!(out, "  at once, outside the canary:");
        for (what, c) in &f.at_once {
            let _ = writeln!(out, "    {what} {}", change(c));
        }
    }
    if !f.to_alias.is_empty() {
        let _ = writeln!(out, "  invokers moved to the alias: {}", f.to_alias.join(", "));
    }
    if !f.from_alias.is_empty() {
        let _ = writeln!(out, "  invokers moved off the alias: {}", f.from_alias.join(", "));
    }
    if !f.api_stages.is_empty() {
        let _ = writeln!(out, "  API stages redeployed: {}", f.api_stages.join(", "));
    }
    for r in &f.replaced {
        let _ = writeln!(out, "  replaced:  {r}");
    }
    for note in &f.notes {
        let _ = writeln!(out, "  note:      {note}");
    }
    for failure in &f.failures {
        let _ = writeln!(out, "  WILL FAIL: {}", failure.reason);
        let _ = writeln!(out, "  fix:       {}", failure.fix);
    }
}

/// A change of what a version stores: the engine drops a property equal to Lambda's default, so a
/// property on one side only is Lambda's default (or unset) on the other.
fn versioned_change(c: &Change) -> String {
    let value = |v: &Option<Value>| v.as_ref().map_or_else(|| "(default)".to_owned(), shown);
    if c.hidden {
        return change(c);
    }
    format!("{}: {} → {}", c.path, value(&c.before), value(&c.after))
}

fn change(c: &Change) -> String {
    let value = |v: &Option<Value>| v.as_ref().map(shown);
    match (c.hidden, value(&c.before), value(&c.after)) {
        (true, Some(_), Some(_)) => format!("{}: changed (value hidden; --show-values shows it)", c.path),
        (true, None, _) => format!("{}: added (value hidden)", c.path),
        (true, _, None) => format!("{}: removed", c.path),
        (false, Some(b), Some(a)) => format!("{}: {b} → {a}", c.path),
        (false, None, Some(a)) => format!("{}: added {a}", c.path),
        (false, Some(b), None) => format!("{}: removed (was {b})", c.path),
        (false, None, None) => c.path.clone(),
    }
}

/// A value in one line: a reference by the logical ID it names, anything else as compact JSON (so a
/// string is quoted and a bare name is a reference).
fn shown(v: &Value) -> String {
    let text = match (v.as_str(), super::side::target(v)) {
        (None, Some(id)) => id.to_owned(),
        // CloudFormation passes numbers and booleans as text: shown bare.
        (Some(s), _) if s.parse::<f64>().is_ok() || s == "true" || s == "false" => s.to_owned(),
        _ => v.to_string(),
    };
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
    format!("{cut}…")
}

/// Up to ten names, then how many more: a summary stays one readable line.
fn some(names: &[&str]) -> String {
    const SHOWN: usize = 10;
    match names.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{}, and {more} more", names[..SHOWN].join(", ")),
        _ => names.join(", "),
    }
}

fn summary(outcome: &Outcome) -> String {
    let names = |state: State| -> Vec<&str> {
        outcome.functions.iter().filter(|f| f.state == state).map(|f| f.function.as_str()).collect()
    };
    let mut parts = Vec::new();
    let canaries = names(State::Canary);
    if !canaries.is_empty() {
        // A failed update rolls back as a whole: then no canary starts.
        let verb = if outcome.failures() > 0 { "would start, but the update fails" } else { "will start" };
        let noun =
            if canaries.len() == 1 { "1 canary".to_owned() } else { format!("{} canaries", canaries.len()) };
        parts.push(format!("{noun} {verb} ({})", some(&canaries)));
    }
    for (state, what) in [
        (State::AtOnce, "moving at once"),
        (State::Created, "with a new alias"),
        (State::Unchanged, "unchanged"),
        (State::Unmarked, "no longer marked"),
    ] {
        let n = names(state).len();
        if n > 0 {
            parts.push(format!("{} {what}", count(n, "function")));
        }
    }
    let failing: Vec<&str> =
        outcome.functions.iter().filter(|f| !f.failures.is_empty()).map(|f| f.function.as_str()).collect();
    if failing.is_empty() {
        parts.push("no update will fail".to_owned());
    } else {
        parts.push(format!("{} will fail ({})", count(outcome.failures(), "update"), failing.join(", ")));
    }
    if parts.len() == 1 {
        parts.insert(0, "no marked function".to_owned());
    }
    parts.join("; ")
}

pub fn json(outcome: &Outcome) -> String {
    let functions: Vec<serde_json::Value> = outcome.functions.iter().map(function_json).collect();
    let doc = json!({
        "before": {"template": outcome.before, "form": outcome.before_form},
        "after": {"template": outcome.after, "form": outcome.after_form},
        "functions": functions,
        "summary": {
            "canaries": outcome.canaries(),
            "failures": outcome.failures(),
            "exit_code": outcome.exit_code(),
            "text": summary(outcome),
        },
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn function_json(f: &FunctionDiff) -> serde_json::Value {
    let change_json = |c: &Change| {
        let value = |v: &Option<Value>| match (c.hidden, v) {
            (_, None) => serde_json::Value::Null,
            (true, Some(_)) => json!("<hidden>"),
            (false, Some(v)) => serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
        };
        json!({"path": c.path, "before": value(&c.before), "after": value(&c.after), "hidden": c.hidden})
    };
    let deployment = f.after.as_ref().map(|d| {
        let (traffic, minutes) = d.traffic.as_ref().map(describe_traffic).unzip();
        json!({
            "deployment_group": d.group,
            "traffic": d.traffic.as_ref().map(|t| &t.label),
            "traffic_steps": d.traffic.as_ref().and_then(|t| t.steps.as_ref()).map(|s| {
                s.iter().map(|(m, p)| json!({"minute": m, "percent": p})).collect::<Vec<_>>()
            }),
            "traffic_text": traffic,
            "shortest_minutes": minutes.flatten(),
            "pre_traffic_hook": d.pre_hook,
            "post_traffic_hook": d.post_hook,
            "alarms": d.alarms,
        })
    });
    json!({
        "function": f.function,
        "alias": f.alias,
        "state": f.state.key(),
        "new_version": f.version_after.is_some() && f.version_after != f.version_before,
        "version_before": f.version_before,
        "version_after": f.version_after,
        "why_only_the_description_hash": f.stamp_only,
        "why": if f.why_known { serde_json::Value::Array(f.why.iter().map(change_json).collect()) } else { serde_json::Value::Null },
        "deployment": deployment,
        "at_once": f.at_once.iter().map(|(what, c)| {
            let mut v = change_json(c);
            v["resource"] = json!(what);
            v
        }).collect::<Vec<_>>(),
        "invokers_to_alias": f.to_alias,
        "invokers_from_alias": f.from_alias,
        "api_stages_redeployed": f.api_stages,
        "replaced": f.replaced,
        "notes": f.notes,
        "will_fail": f.failures.iter().map(|x| json!({"reason": x.reason, "fix": x.fix})).collect::<Vec<_>>(),
    })
}
