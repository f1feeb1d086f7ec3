//! Role-based invokers (docs/rewiring.md): an IAM statement that lets a role invoke a marked function gains the
//! alias ARN beside the function's, because IAM treats `function:name:alias` as a different resource.
//!
//! A `Deny` naming the function must deny the alias too, and a `NotResource` that exempts the function
//! (from an `Allow` or a `Deny`) must exempt the alias too: IAM matches `function:name` and
//! `function:name:alias` as different resources, so in each case the alias ARN joins the function's.
//! Only statements whose `Action` (or `NotAction`) is literal strings are read; a statement is never
//! narrowed or removed, so a stack that still invokes the function directly keeps working.

use crate::json::Value;

use super::{matcher, AliasTarget, Targets};
use crate::cfn;

/// Adds each marked function's alias ARN to `statements` (one statement or a list) where allowed to
/// invoke it. Returns the functions whose alias was added, once per addition.
pub fn grant(statements: &mut Value, targets: &Targets<'_>) -> Vec<String> {
    let mut added = Vec::new();
    grant_statements(statements, targets, &mut added);
    added
}

/// A statement, a list of them, or either under `Fn::If`: a conditional statement is extended in
/// its own branch, so it keeps the condition that guards it.
fn grant_statements(statements: &mut Value, targets: &Targets<'_>, added: &mut Vec<String>) {
    if let Some(branches) = matcher::branches_mut(statements) {
        for (_, branch) in branches {
            grant_statements(branch, targets, added);
        }
        return;
    }
    match statements {
        Value::Array(items) => items.iter_mut().for_each(|s| grant_statements(s, targets, added)),
        other => grant_statement(other, targets, added),
    }
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
            if !cfn::is_no_value(branch) {
                grant_resource(branch, targets, added);
            }
        }
        return;
    }
    // Each new entry with the functions it stands for: an item under `Fn::If` gains a sibling under
    // the same condition, so the alias ARN exists exactly when the function ARN it accompanies does
    // (unguarded, it would name a function the condition did not create).
    let mut new: Vec<(Value, String)> = Vec::new();
    let mut functions = Vec::new();
    let mut note = |item: &Value, new: &mut Vec<(Value, String)>| {
        functions.clear();
        matcher::referenced(item, targets, &mut functions);
        for f in &functions {
            let alias = guarded_alias_arn(item, f, targets);
            new.push((alias, f.clone()));
        }
    };
    match &*resource {
        Value::Array(items) => items.iter().for_each(|item| note(item, &mut new)),
        single => note(single, &mut new),
    }
    if new.is_empty() {
        // Most statements name no marked function: their resources need not be serialised.
        return;
    }
    // What the statement already names, by JSON text: hashed, since searching a long resource list
    // once per function would cost their product.
    let mut present: std::collections::HashSet<String> = match &*resource {
        Value::Array(items) => items.iter().map(Value::to_string).collect(),
        single => std::iter::once(single.to_string()).collect(),
    };
    let new: Vec<Value> = new
        .into_iter()
        .filter(|(alias, _)| present.insert(alias.to_string()))
        .map(|(alias, function)| {
            added.push(function);
            alias
        })
        .collect();
    if new.is_empty() {
        return;
    }
    match resource {
        Value::Array(items) => items.extend(new),
        single => {
            let old = single.take();
            *single = Value::Array(std::iter::once(old).chain(new).collect());
        }
    }
}

/// The alias ARN of `function` for a resource entry that names it, under the same `Fn::If`s as the
/// entry: a branch that does not name the function gives `AWS::NoValue`.
fn guarded_alias_arn(entry: &Value, function: &str, targets: &Targets<'_>) -> Value {
    guarded(entry, function, targets, 0)
}

fn guarded(entry: &Value, function: &str, targets: &Targets<'_>, depth: usize) -> Value {
    let target = &targets[function];
    if let Some((cfn::IF, Value::Array(items))) = cfn::single_key(entry) {
        if let [condition, a, b] = items.as_slice() {
            if depth < crate::limits::MAX_DEPTH {
                let a = guarded(a, function, targets, depth + 1);
                let b = guarded(b, function, targets, depth + 1);
                return cfn::if_(condition.clone(), a, b);
            }
        }
    }
    if cfn::is_no_value(entry) {
        return cfn::no_value();
    }
    if matcher::names_any_of(entry, &|id| id == function) {
        return alias_arn(function, target);
    }
    // Named by its literal name: the same text qualified, which adds no dependency (a grant written
    // by name is often how a template keeps its role and function from waiting for each other).
    let mut qualified = entry.clone();
    let mut moves = Vec::new();
    matcher::rewrite(&mut qualified, &crate::diag::Path::root(), &targets.only(function), &mut moves);
    if moves.is_empty() {
        cfn::no_value()
    } else {
        qualified
    }
}

/// The alias ARN built from the function's, not `{Ref: Alias}`: a grant must not depend on the alias.
/// A pre-traffic hook's role typically may invoke the function it tests, while the alias waits for the
/// hook's permission policy (attached to that role); a `Ref` here would close that loop into a cycle.
fn alias_arn(function: &str, target: &AliasTarget) -> Value {
    cfn::sub(format!("${{{function}.Arn}}:{}", target.alias_name))
}

/// Whether an IAM action pattern allows `lambda:InvokeFunction`: IAM compares actions without regard
/// to case and lets `*` and `?` stand for any run of characters and any one character.
fn covers_invoke(pattern: &str) -> bool {
    glob(pattern.as_bytes(), b"lambda:invokefunction")
}

/// Wildcard match of `pattern` (compared without regard to ASCII case) against the lowercase `text`.
///
/// Greedy, keeping only the last `*` to fall back to: a later `*` can absorb anything an earlier one
/// could, so earlier ones never need retrying. Each step either advances through `pattern` or moves the
/// fallback start one byte further through `text`, so the work is at most `pattern.len() * text.len()`
/// steps, linear in the pattern for the fixed action name; trying every split of the text between
/// stars instead made `*a*a*a…` take exponential time.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut fallback: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p).map(u8::to_ascii_lowercase) {
            Some(b'*') => {
                fallback = Some((p + 1, t));
                p += 1;
            }
            Some(c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match fallback {
                // Let the last star take one more byte and retry the rest of the pattern from there.
                Some((after_star, from)) => {
                    fallback = Some((after_star, from + 1));
                    p = after_star;
                    t = from + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
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

    #[test]
    fn glob_agrees_with_a_reference_matcher() {
        // The exhaustive recursive matcher, trusted for being the definition.
        fn reference(p: &[u8], t: &[u8]) -> bool {
            match p.split_first() {
                None => t.is_empty(),
                Some((b'*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
                Some((&c, rest)) => {
                    t.split_first().is_some_and(|(&x, tr)| (c == b'?' || c == x) && reference(rest, tr))
                }
            }
        }
        let atoms = ["*", "?", "a", "l", "lambda", ":", "invoke", "function", "n", "x"];
        let text = b"lambda:invokefunction";
        // Every pattern of up to four atoms.
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> =
                patterns.iter().flat_map(|p| atoms.iter().map(move |a| format!("{p}{a}"))).collect();
            patterns.extend(longer);
            patterns.dedup();
        }
        for p in &patterns {
            assert_eq!(super::glob(p.as_bytes(), text), reference(p.as_bytes(), text), "{p}");
        }
    }

    #[test]
    fn many_stars_are_matched_in_linear_time() {
        // Forty stars each followed by a letter: a backtracking matcher would try every way of
        // splitting the action name between them and not finish.
        assert!(!covers_invoke(&"*a".repeat(40)));
        assert!(covers_invoke(&format!("{}*", "*".repeat(100_000))));
        assert!(!covers_invoke(&"*a".repeat(100_000)));
    }
}
