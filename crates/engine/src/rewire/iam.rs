//! Role-based invokers (SPEC §5): an IAM statement that lets a role invoke a marked function gains the
//! alias ARN beside the function's, because IAM treats `function:name:alias` as a different resource.
//!
//! A `Deny` naming the function must deny the alias too, and a `NotResource` that exempts the function
//! (from an `Allow` or a `Deny`) must exempt the alias too: IAM matches `function:name` and
//! `function:name:alias` as different resources, so in each case the alias ARN joins the function's.
//! Only statements whose `Action` (or `NotAction`) is literal strings are read; a statement is never
//! narrowed or removed, so a stack that still invokes the function directly keeps working.

use crate::json::Value;

use super::{matcher, AliasTarget, Targets};

/// Adds each marked function's alias ARN to `statements` (one statement or a list) where allowed to
/// invoke it. Returns the functions whose alias was added, once per addition.
pub fn grant(statements: &mut Value, targets: &Targets<'_>) -> Vec<String> {
    let mut added = Vec::new();
    match statements {
        Value::Array(items) => items.iter_mut().for_each(|s| grant_statement(s, targets, &mut added)),
        other => grant_statement(other, targets, &mut added),
    }
    added
}

fn grant_statement(statement: &mut Value, targets: &Targets<'_>, added: &mut Vec<String>) {
    let Value::Object(statement) = statement else { return };
    if !matches!(statement.get("Effect").and_then(Value::as_str), Some("Allow" | "Deny")) {
        return;
    }
    // (whether a literal action covers invoke, whether every action is literal)
    let read = |actions: &Value| match actions {
        Value::String(action) => (covers_invoke(action), true),
        Value::Array(actions) => (
            actions.iter().filter_map(Value::as_str).any(covers_invoke),
            actions.iter().all(|a| a.as_str().is_some()),
        ),
        _ => (false, false),
    };
    // `NotAction` covers every action it does not list; one it cannot read might list invoke.
    let covers = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(actions), _) => read(actions).0,
        (None, Some(excluded)) => read(excluded) == (false, true),
        (None, None) => false,
    };
    if covers {
        for key in ["Resource", "NotResource"] {
            if let Some(resource) = statement.get_mut(key) {
                grant_resource(resource, targets, added);
            }
        }
    }
}

fn grant_resource(resource: &mut Value, targets: &Targets<'_>, added: &mut Vec<String>) {
    if let Some(branches) = matcher::branches_mut(resource) {
        // A conditional resource list: each branch gains the aliases of the functions it names.
        for (_, branch) in branches {
            if !matcher::is_no_value(branch) {
                grant_resource(branch, targets, added);
            }
        }
        return;
    }
    let mut functions = Vec::new();
    match &*resource {
        Value::Array(items) => {
            items.iter().for_each(|item| matcher::referenced(item, targets, &mut functions))
        }
        single => matcher::referenced(single, targets, &mut functions),
    }
    let new: Vec<Value> = functions
        .iter()
        .map(|f| alias_arn(f, &targets[f.as_str()]))
        .filter(|alias| match &*resource {
            Value::Array(items) => !items.contains(alias),
            single => single != alias,
        })
        .collect();
    if new.is_empty() {
        return;
    }
    added.extend(functions);
    match resource {
        Value::Array(items) => items.extend(new),
        single => {
            let old = single.take();
            *single = Value::Array(std::iter::once(old).chain(new).collect());
        }
    }
}

/// The alias ARN built from the function's, not `{Ref: Alias}`: a grant must not depend on the alias.
/// A pre-traffic hook's role typically may invoke the function it tests, while the alias waits for the
/// hook's permission policy (attached to that role); a `Ref` here would close that loop into a cycle.
fn alias_arn(function: &str, target: &AliasTarget) -> Value {
    crate::json!({ "Fn::Sub": format!("${{{function}.Arn}}:{}", target.alias_name) })
}

/// Whether an IAM action pattern allows `lambda:InvokeFunction`: IAM compares actions without regard
/// to case and lets `*` and `?` stand for any run of characters and any one character.
fn covers_invoke(pattern: &str) -> bool {
    glob(
        &pattern.to_ascii_lowercase().chars().collect::<Vec<_>>(),
        &"lambda:invokefunction".chars().collect::<Vec<_>>(),
    )
}

fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((&p, rest)) => match text.split_first() {
            Some((&t, text_rest)) => (p == '?' || p == t) && glob(rest, text_rest),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::covers_invoke;

    #[test]
    fn wildcards_that_cover_invoke() {
        for yes in [
            "lambda:InvokeFunction",
            "lambda:invokefunction",
            "lambda:*",
            "lambda:Invoke*",
            "*",
            "lambda:Invoke?unction",
        ] {
            assert!(covers_invoke(yes), "{yes}");
        }
        for no in
            ["lambda:InvokeFunctionUrl", "lambda:GetFunction", "s3:*", "lambda:InvokeAsync", "lambda:Invoke"]
        {
            assert!(!covers_invoke(no), "{no}");
        }
    }
}
