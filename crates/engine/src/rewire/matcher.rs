//! The only code that rewrites a reference to a resource; `cfn::refs` reads the forms.
//!
//! Forms: `{Ref: X}`, `{Fn::GetAtt: [X, Attr]}`, `{Fn::GetAtt: "X.Attr"}`, `${X}` and `${X.Attr}` inside
//! `Fn::Sub` (string form, and list form whose variable map both shadows names and holds references),
//! the elements of `Fn::Join`, and both branches of `Fn::If`, nested to any depth. At an invoking
//! position a marked function's ARN or name becomes its alias's ARN (`{Ref: Alias}`, `${Alias}`) in the
//! same form, leaving the rest of a `Sub` string untouched. A function *name* spliced into a hand-built
//! ARN (`…:function:${Fn}`, or a `Ref` after `":function:"` in a `Join`) is qualified in place with the
//! alias name instead, and the resource then depends on the alias; an ARN that already carries a
//! qualifier (`${Fn}:$LATEST`, `${Fn}:*`) is the author's choice and stays, and so does a whole ARN
//! or name followed by one (`${Fn.Arn}:$LATEST`, `${Fn}:Blue`, a `Fn::Join` of the ARN and `:7`). Anything else (a literal
//! function name, a `Fn::ImportValue`, another attribute than `Arn`) is left as it is: the macro cannot
//! tell what it points to. A `Fn::Select` from a literal list is walked through every item (the one
//! it selects then names the alias); any other intrinsic that holds a reference to a marked function
//! at an invoking position is found by [`unwalked`], for a warning.

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

use crate::json::{Map, Str, Value};

use super::{AliasTarget, Targets};
use crate::cfn::{self, get_att_parts, single_key, single_key_mut, GET_ATT, IF, JOIN, REF, SELECT, SUB};
use crate::diag::Path;
use crate::limits::MAX_DEPTH;

/// One reference moved to an alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub function: String,
    pub path: Path,
    /// The alias is named by its `Name` inside a string rather than referenced, so the resource must
    /// `DependsOn` the alias for CloudFormation to create the alias first.
    pub by_name: bool,
}

/// Where a value lands in the string an intrinsic builds, which decides how a function reference moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Splice {
    /// The value is the whole invoking position (through any `Fn::If`): as `Whole`, and a function's
    /// literal name there stands for the function.
    Alone,
    /// The value stands alone (or its surroundings are unknown): the function's ARN or name becomes the
    /// alias ARN.
    Whole,
    /// The value is a function name spliced right after `…:function:`, building an ARN by hand: it is
    /// qualified in place (`…:function:${Fn}:Live`) instead of nesting an ARN inside an ARN.
    AfterFunction,
    /// As `AfterFunction`, but a qualifier (`:…`) already follows: the ARN is left as written.
    Qualified,
    /// The value is a whole ARN or name followed by a qualifier (`${Fn.Arn}:$LATEST`, `${Fn}:Blue`,
    /// the ARN joined with `:7`): the author chose the version, and it is left as written.
    WholeQualified,
}

impl Splice {
    /// The splice of a piece with `before` and `after` text around it inside a value spliced as `self`
    /// (empty text at an edge inherits the parent's surroundings).
    fn of(self, before: &str, after: &str) -> Splice {
        let inherits = before.is_empty() && matches!(self, Splice::AfterFunction | Splice::Qualified);
        let after_function = before.ends_with("function:") || inherits;
        if !after_function {
            let inherits_qualifier = after.is_empty() && self == Splice::WholeQualified;
            if after.starts_with(':') || inherits_qualifier {
                Splice::WholeQualified
            } else {
                Splice::Whole
            }
        } else if after.starts_with(':') || (after.is_empty() && self == Splice::Qualified) {
            Splice::Qualified
        } else {
            Splice::AfterFunction
        }
    }
}

/// Rewrites every reference to a marked function in `value`, which sits at an invoking position.
pub fn rewrite(value: &mut Value, path: &Path, targets: &Targets<'_>, moves: &mut Vec<Move>) {
    rewrite_at(value, path, targets, moves, Splice::Alone, 0);
}

fn rewrite_at(
    value: &mut Value,
    path: &Path,
    targets: &Targets<'_>,
    moves: &mut Vec<Move>,
    splice: Splice,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Value::String(text) = value {
        if targets.has_names() {
            if let Some(qualified) = qualify_names(text, false, splice, targets, path, moves) {
                *text = qualified.into();
            }
        }
        return;
    }
    if let Some((REF, Value::String(id))) = single_key(value) {
        if !targets.contains_key(id) {
            // A parameter that is a marked function's `FunctionName`, standing where a name does.
            let function =
                targets.by_parameter(id).filter(|_| matches!(splice, Splice::Alone | Splice::AfterFunction));
            if let Some(function) = function {
                let qualified = cfn::sub(format!("${{{id}}}:{}", targets[function].alias_name));
                moves.push(Move { function: function.to_owned(), path: path.clone(), by_name: true });
                *value = qualified;
            }
            return;
        }
    }
    let Some((name, arg)) = single_key_mut(value) else { return };
    // Built only where a nested position is visited: a plain `Ref` or `GetAtt` needs no path copy.
    let inner = || path.key(name);
    let function = match (name, &mut *arg) {
        (REF, Value::String(id)) => Some(id.to_string()),
        (GET_ATT, arg) => get_att_parts(arg)
            .filter(|(id, attr)| *attr == "Arn" && targets.contains_key(id))
            .map(|(id, _)| id.to_owned()),
        (SUB, Value::String(s)) => {
            rewrite_sub(s, None, splice, &inner(), targets, moves);
            None
        }
        (SUB, Value::Array(items)) => {
            if let [Value::String(s), rest @ ..] = items.as_mut_slice() {
                let inner = inner();
                let vars = rest.first().and_then(Value::as_object);
                let var_splices = vars.map(|vars| variable_splices(s, vars, splice)).unwrap_or_default();
                rewrite_sub(s, vars, splice, &inner.index(0), targets, moves);
                if let Some(Value::Object(vars)) = rest.first_mut() {
                    for (var, v) in vars.iter_mut() {
                        let var_splice = var_splices.get(var.as_str()).copied().unwrap_or(Splice::Whole);
                        rewrite_at(v, &inner.index(1).key(var), targets, moves, var_splice, depth + 1);
                    }
                }
            }
            None
        }
        (JOIN, Value::Array(items)) => {
            let inner = inner();
            let delimiter = items.first().and_then(Value::as_str).unwrap_or_default().to_owned();
            match items.get_mut(1) {
                Some(Value::Array(elems)) => {
                    for i in 0..elems.len() {
                        let element_splice = join_splice(elems, i, &delimiter, splice);
                        let path = inner.index(1).index(i);
                        rewrite_at(&mut elems[i], &path, targets, moves, element_splice, depth + 1);
                    }
                }
                Some(other) => rewrite_at(other, &inner.index(1), targets, moves, Splice::Whole, depth + 1),
                None => {}
            }
            None
        }
        (IF, Value::Array(items)) => {
            let inner = inner();
            for (i, branch) in items.iter_mut().enumerate().skip(1).take(2) {
                rewrite_at(branch, &inner.index(i), targets, moves, splice, depth + 1);
            }
            None
        }
        (SELECT, Value::Array(items)) => {
            if let Some(Value::Array(list)) = items.get_mut(1) {
                let inner = inner().index(1);
                for (i, item) in list.iter_mut().enumerate() {
                    rewrite_at(item, &inner.index(i), targets, moves, splice, depth + 1);
                }
            }
            None
        }
        _ => None,
    };
    let Some(function) = function else { return };
    if splice == Splice::WholeQualified {
        return;
    }
    let target = &targets[function.as_str()];
    let by_name = name == REF && !matches!(splice, Splice::Whole | Splice::Alone);
    match (by_name, splice) {
        (true, Splice::Qualified) => return,
        (true, _) => {
            // A `Ref` to a function is its name; qualified, it names the alias.
            *value = cfn::sub(format!("${{{function}}}:{}", target.alias_name));
        }
        // A `Ref` stays a `Ref`: only its target changes, and the object is kept as it is.
        (false, _) => match value.get_mut(REF) {
            Some(Value::String(id)) => *id = Str::from(target.alias_logical_id.as_str()),
            _ => *value = alias_ref(target),
        },
    }
    moves.push(Move { function, path: path.clone(), by_name });
}

/// The splice of element `i` of a `Fn::Join` from its literal neighbours and the delimiter.
fn join_splice(elems: &[Value], i: usize, delimiter: &str, parent: Splice) -> Splice {
    // A neighbour that is not a literal is unknown text: never empty, never `function:`.
    let text = |v: &Value| v.as_str().map_or_else(|| "\u{0}".to_owned(), str::to_owned);
    let before = if i == 0 { String::new() } else { text(&elems[i - 1]) + delimiter };
    let after =
        if i + 1 == elems.len() { String::new() } else { delimiter.to_owned() + &text(&elems[i + 1]) };
    parent.of(&before, &after)
}

/// How each variable of a list-form `Fn::Sub` lands in its string (its first use decides).
fn variable_splices(s: &str, vars: &Map, parent: Splice) -> BTreeMap<String, Splice> {
    let mut splices = BTreeMap::new();
    map_placeholders(s, |placeholder, before, after| {
        let name = placeholder.name;
        if vars.contains_key(name) && !splices.contains_key(name) {
            splices.insert(name.to_owned(), parent.of(before, after));
        }
        None
    });
    splices
}

/// `{Ref: <Alias>}`: a `Ref` to an alias is its ARN, which every invoking position accepts.
pub fn alias_ref(target: &AliasTarget) -> Value {
    cfn::ref_to(&target.alias_logical_id)
}

fn rewrite_sub(
    s: &mut Str,
    vars: Option<&Map>,
    splice: Splice,
    path: &Path,
    targets: &Targets<'_>,
    moves: &mut Vec<Move>,
) {
    let mut moved = Vec::new();
    let rewritten = map_placeholders(s, |placeholder, before, after| {
        let name = placeholder.name;
        if vars.is_some_and(|vars| vars.contains_key(name)) {
            // The Sub's own variable shadows any resource of that name.
            return None;
        }
        match placeholder.attribute() {
            Some("Arn") => {
                let id = placeholder.target();
                let target = targets.get(id)?;
                if splice.of(before, after) == Splice::WholeQualified {
                    return None;
                }
                moved.push((id.to_owned(), false));
                Some(format!("${{{}}}", target.alias_logical_id))
            }
            Some(_) => None,
            None => {
                let target = targets.get(name)?;
                match splice.of(before, after) {
                    Splice::Alone | Splice::Whole => {
                        moved.push((name.to_owned(), false));
                        Some(format!("${{{}}}", target.alias_logical_id))
                    }
                    Splice::AfterFunction => {
                        moved.push((name.to_owned(), true));
                        Some(format!("${{{name}}}:{}", target.alias_name))
                    }
                    Splice::Qualified | Splice::WholeQualified => None,
                }
            }
        }
    });
    if let Some(rewritten) = rewritten {
        *s = rewritten.into();
        moves.extend(moved.into_iter().map(|(function, by_name)| Move {
            function,
            path: path.clone(),
            by_name,
        }));
    }
    if targets.has_names() {
        if let Some(qualified) = qualify_names(s, true, splice, targets, path, moves) {
            *s = qualified.into();
        }
    }
}

/// Qualifies with the alias name every marked function `text` names by its literal `FunctionName`
/// (`cfn::function_names`): the whole text where it stands for a name (`splice`), and the name
/// after `function:` in an ARN, unless a qualifier already follows. `None` when nothing changed.
fn qualify_names(
    text: &str,
    sub: bool,
    splice: Splice,
    targets: &Targets<'_>,
    path: &Path,
    moves: &mut Vec<Move>,
) -> Option<String> {
    let mut ends: Vec<(usize, &AliasTarget)> = Vec::new();
    for (i, at) in cfn::function_names(text, sub).into_iter().enumerate() {
        let Some(function) = targets.by_name(at.name) else { continue };
        // A qualifier may follow in the next piece of a `Fn::Join` or `Fn::Sub`.
        let qualified_after =
            at.end == text.len() && matches!(splice, Splice::Qualified | Splice::WholeQualified);
        let stands = i > 0 || matches!(splice, Splice::Alone | Splice::AfterFunction);
        if at.qualified || qualified_after || !stands {
            continue;
        }
        ends.push((at.end, &targets[function]));
        moves.push(Move { function: function.to_owned(), path: path.clone(), by_name: true });
    }
    if ends.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8 * ends.len());
    let mut copied = 0;
    for (end, target) in ends {
        out.push_str(&text[copied..end]);
        out.push(':');
        out.push_str(&target.alias_name);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Calls `f(placeholder, text_before, text_after)` for every placeholder of a `Fn::Sub` string
/// ([`cfn::placeholders`]: `${!Literal}` is not one) and returns the string with each placeholder `f`
/// answered replaced by the answer; `None` when nothing changed.
fn map_placeholders(
    s: &str,
    mut f: impl FnMut(cfn::Placeholder<'_>, &str, &str) -> Option<String>,
) -> Option<String> {
    // The output is allocated at the first replacement only: every `Fn::Sub` of the template passes
    // through here when an API deployment is renamed, and almost none of them change.
    let mut out: Option<String> = None;
    // How much of `s` is in `out`.
    let mut copied = 0;
    for placeholder in cfn::placeholders(s) {
        if let Some(out) = out.as_mut() {
            out.push_str(&s[copied..placeholder.start]);
            copied = placeholder.start;
        }
        let before = out.as_deref().unwrap_or(&s[..placeholder.start]);
        let Some(replacement) = f(placeholder, before, &s[placeholder.end..]) else { continue };
        let out = out.get_or_insert_with(|| {
            let mut text = String::with_capacity(s.len() + replacement.len());
            text.push_str(&s[..placeholder.start]);
            text
        });
        out.push_str(&replacement);
        copied = placeholder.end;
    }
    if let Some(out) = out.as_mut() {
        out.push_str(&s[copied..]);
    }
    out
}

/// The marked functions `value` references in any form, in order of appearance, without changing it.
/// Any attribute counts, and so does a `Sub` placeholder followed by more text (`${Fn.Arn}:*`).
pub fn referenced(value: &Value, targets: &Targets<'_>, out: &mut Vec<String>) {
    referenced_at(value, &|id| targets.contains_key(id), out, 0);
    if targets.has_names() {
        named_at(value, targets, true, out, 0);
    }
}

/// The marked functions `value` names by their literal `FunctionName` (see [`qualify_names`]),
/// qualified or not; `alone` says `value` is a whole position, where a bare name stands for one.
fn named_at(value: &Value, targets: &Targets<'_>, alone: bool, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut found = |text: &str, sub: bool, whole: bool| {
        for (i, at) in cfn::function_names(text, sub).into_iter().enumerate() {
            if i == 0 && !whole {
                continue;
            }
            if let Some(function) = targets.by_name(at.name) {
                if !out.iter().any(|o| o == function) {
                    out.push(function.to_owned());
                }
            }
        }
    };
    if let Value::String(text) = value {
        return found(text, false, alone);
    }
    let Some((name, arg)) = single_key(value) else { return };
    match (name, arg) {
        (REF, Value::String(id)) => {
            if let Some(function) = targets.by_parameter(id).filter(|_| alone) {
                if !out.iter().any(|o| o == function) {
                    out.push(function.to_owned());
                }
            }
        }
        (SUB, arg) => {
            if let Some((text, vars)) = cfn::sub_parts(arg) {
                found(text, true, alone);
                for v in vars.into_iter().flat_map(Map::values) {
                    named_at(v, targets, true, out, depth + 1);
                }
            }
        }
        (JOIN, Value::Array(items)) => {
            if let Some(Value::Array(elems)) = items.get(1) {
                let delimiter = items.first().and_then(Value::as_str).unwrap_or_default();
                for (i, e) in elems.iter().enumerate() {
                    let after_function =
                        i > 0 && elems[i - 1].as_str().is_some_and(|p| ends_with_function(p, delimiter));
                    named_at(e, targets, after_function, out, depth + 1);
                }
            }
        }
        (IF, Value::Array(items)) => {
            items.iter().skip(1).take(2).for_each(|b| named_at(b, targets, alone, out, depth + 1))
        }
        _ => {}
    }
}

/// Whether `value` is a reference form that names one of `ids` (the analysis's look for mentions of
/// API deployments, which rewiring may rename).
pub(crate) fn names_any<S: BuildHasher>(value: &Value, ids: &HashSet<&str, S>) -> bool {
    // Most single-key objects are `Fn::Sub`s that do not contain any of a few IDs as text at all;
    // that is cheaper to see than each of their placeholders. With many IDs, searching the text for
    // each would cost their number; each placeholder is looked up instead.
    if let Some((SUB, Value::String(s))) = single_key(value) {
        if ids.len() <= 8 && !ids.iter().any(|id| s.contains(id)) {
            return false;
        }
    }
    names_any_of(value, &|id| ids.contains(id))
}

/// The resources `wanted` accepts that `value`'s reference forms name, each once, in order.
pub(crate) fn ids_named(value: &Value, wanted: &dyn Fn(&str) -> bool, out: &mut Vec<String>) {
    referenced_at(value, wanted, out, 0);
}

/// Calls `found` with every logical ID (or parameter) a `Ref`, `Fn::GetAtt` or `Fn::Sub` placeholder
/// anywhere under `value` names, once per mention.
pub(crate) fn ids_named_under(value: &Value, found: &mut dyn FnMut(&str)) {
    ids_named_under_at(value, found, 0);
}

fn ids_named_under_at(value: &Value, found: &mut dyn FnMut(&str), depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match single_key(value) {
        Some((REF, Value::String(id))) => return found(id),
        Some((GET_ATT, arg)) => {
            if let Some(id) = cfn::get_att_target(arg) {
                found(id);
            }
            return;
        }
        Some((SUB, arg)) => {
            if let Some((text, vars)) = cfn::sub_parts(arg) {
                cfn::sub_references(text, vars, &mut |id| found(id));
            }
        }
        _ => {}
    }
    match value {
        Value::Object(obj) => obj.values().for_each(|v| ids_named_under_at(v, found, depth + 1)),
        Value::Array(items) => items.iter().for_each(|v| ids_named_under_at(v, found, depth + 1)),
        _ => {}
    }
}

/// Whether `value` is a reference form that names a resource `wanted` accepts.
pub(crate) fn names_any_of(value: &Value, wanted: &dyn Fn(&str) -> bool) -> bool {
    let mut out = Vec::new();
    referenced_at(value, wanted, &mut out, 0);
    !out.is_empty()
}

/// Every reference to a marked function under `value` (at `path`), with the path of the outermost
/// reference form that holds it: what a warning names.
pub fn references_under(value: &Value, path: &Path, targets: &Targets<'_>, out: &mut Vec<(Path, String)>) {
    references_under_at(value, path, targets, out, 0);
}

fn references_under_at(
    value: &Value,
    path: &Path,
    targets: &Targets<'_>,
    out: &mut Vec<(Path, String)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some((name, _)) = single_key(value) {
        if matches!(name, REF | GET_ATT | SUB | JOIN | IF) {
            let mut found = Vec::new();
            referenced(value, targets, &mut found);
            if !found.is_empty() {
                out.extend(found.into_iter().map(|f| (path.clone(), f)));
                return;
            }
        }
    }
    match value {
        Value::String(_) if targets.has_names() => {
            // A function named in an ARN; a bare name here may be anything (a tag's value).
            let mut found = Vec::new();
            named_at(value, targets, false, &mut found, depth);
            out.extend(found.into_iter().map(|f| (path.clone(), f)));
        }
        Value::Object(obj) => {
            obj.iter().for_each(|(k, v)| references_under_at(v, &path.key(k), targets, out, depth + 1))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| references_under_at(v, &path.index(i), targets, out, depth + 1)),
        _ => {}
    }
}

fn referenced_at(value: &Value, wanted: &dyn Fn(&str) -> bool, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some((name, arg)) = single_key(value) else { return };
    let mut found = |id: &str| {
        if wanted(id) && !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    };
    match (name, arg) {
        (REF, Value::String(id)) => found(id),
        (GET_ATT, arg) => {
            if let Some((id, _)) = get_att_parts(arg) {
                found(id);
            }
        }
        (SUB, Value::String(s)) => cfn::sub_references(s, None, &mut found),
        (SUB, Value::Array(items)) => {
            let vars = cfn::sub_variables(arg);
            if let Some(Value::String(s)) = items.first() {
                cfn::sub_references(s, vars, &mut found);
            }
            for v in vars.into_iter().flat_map(Map::values) {
                referenced_at(v, wanted, out, depth + 1);
            }
        }
        (JOIN, Value::Array(items)) => match items.get(1) {
            Some(Value::Array(elems)) => elems.iter().for_each(|e| referenced_at(e, wanted, out, depth + 1)),
            Some(other) => referenced_at(other, wanted, out, depth + 1),
            None => {}
        },
        (IF, Value::Array(items)) => {
            items.iter().skip(1).take(2).for_each(|b| referenced_at(b, wanted, out, depth + 1))
        }
        _ => {}
    }
}

/// The references to marked functions under `value` (an invoking position, after [`rewrite`]) that
/// sit inside an intrinsic function [`rewrite`] does not walk (`Fn::Select` from a computed list,
/// `Fn::FindInMap`, `Fn::ImportValue`, …): each as the wrapper's path, its name and the function.
pub fn unwalked(value: &Value, path: &Path, targets: &Targets<'_>, out: &mut Vec<(Path, String, String)>) {
    unwalked_at(value, path, targets, out, 0);
}

fn unwalked_at(
    value: &Value,
    path: &Path,
    targets: &Targets<'_>,
    out: &mut Vec<(Path, String, String)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some((name, arg)) = single_key(value) else {
        match value {
            Value::Object(obj) => {
                obj.iter().for_each(|(k, v)| unwalked_at(v, &path.key(k), targets, out, depth + 1))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, v)| unwalked_at(v, &path.index(i), targets, out, depth + 1)),
            _ => {}
        }
        return;
    };
    let inner = path.key(name);
    match (name, arg) {
        (REF | GET_ATT, _) | (SUB, Value::String(_)) => {}
        (SUB, Value::Array(items)) => {
            for (var, v) in items.get(1).and_then(Value::as_object).into_iter().flatten() {
                unwalked_at(v, &inner.index(1).key(var), targets, out, depth + 1);
            }
        }
        (JOIN | SELECT, Value::Array(items)) if matches!(items.get(1), Some(Value::Array(_))) => {
            if let Some(Value::Array(list)) = items.get(1) {
                for (i, item) in list.iter().enumerate() {
                    unwalked_at(item, &inner.index(1).index(i), targets, out, depth + 1);
                }
            }
        }
        (IF, Value::Array(items)) => {
            for (i, branch) in items.iter().enumerate().skip(1).take(2) {
                unwalked_at(branch, &inner.index(i), targets, out, depth + 1);
            }
        }
        _ => {
            let mut found = Vec::new();
            references_under(arg, &inner, targets, &mut found);
            let mut functions: Vec<String> = found.into_iter().map(|(_, f)| f).collect();
            functions.dedup();
            out.extend(functions.into_iter().map(|f| (path.clone(), name.to_owned(), f)));
        }
    }
}

/// Whether `piece` followed by `delimiter` ends in `function:`, where a name follows in an ARN.
fn ends_with_function(piece: &str, delimiter: &str) -> bool {
    const MARK: &str = "function:";
    match MARK.strip_suffix(delimiter) {
        Some(head) if !delimiter.is_empty() => piece.ends_with(head),
        _ => delimiter.is_empty() && piece.ends_with(MARK),
    }
}

/// The two branches of a `Fn::If`, which a table path walks through as if it were not there.
pub fn branches_mut(value: &mut Value) -> Option<[(usize, &mut Value); 2]> {
    let Some((name, Value::Array(items))) = single_key_mut(value) else { return None };
    if name != IF {
        return None;
    }
    match items.as_mut_slice() {
        [_, a, b] => Some([(1, a), (2, b)]),
        _ => None,
    }
}

/// Renames every reference to the resources in `renames` anywhere under `value`: `Ref`, both `GetAtt`
/// forms and `Sub` placeholders (unless a variable map shadows them). `DependsOn` is not a reference
/// form; see [`rename_depends_on`].
pub fn rename(value: &mut Value, renames: &BTreeMap<String, String>) {
    rename_at(value, renames, 0);
}

fn rename_at(value: &mut Value, renames: &BTreeMap<String, String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some((name, arg)) = single_key_mut(value) {
        match (name, &mut *arg) {
            (REF, Value::String(id)) => {
                if let Some(new) = renames.get(id.as_str()) {
                    *id = Str::from(new.as_str());
                }
            }
            (GET_ATT, Value::Array(items)) => {
                if let Some(Value::String(id)) = items.first_mut() {
                    if let Some(new) = renames.get(id.as_str()) {
                        *id = Str::from(new.as_str());
                    }
                }
            }
            (GET_ATT, Value::String(s)) => {
                if let Some((id, attr)) = s.split_once('.') {
                    if let Some(new) = renames.get(id) {
                        *s = format!("{new}.{attr}").into();
                    }
                }
            }
            (SUB, Value::String(s)) => rename_sub(s, None, renames),
            (SUB, Value::Array(items)) => {
                if let [Value::String(s), rest @ ..] = items.as_mut_slice() {
                    rename_sub(s, rest.first().and_then(Value::as_object), renames);
                }
            }
            _ => {}
        }
    }
    match value {
        Value::Object(obj) => obj.values_mut().for_each(|v| rename_at(v, renames, depth + 1)),
        Value::Array(items) => items.iter_mut().for_each(|v| rename_at(v, renames, depth + 1)),
        _ => {}
    }
}

fn rename_sub(s: &mut Str, vars: Option<&Map>, renames: &BTreeMap<String, String>) {
    let renamed = map_placeholders(s, |placeholder, _, _| {
        if vars.is_some_and(|vars| vars.contains_key(placeholder.name)) {
            return None;
        }
        let new = renames.get(placeholder.target())?;
        Some(match placeholder.attribute() {
            Some(attr) => format!("${{{new}.{attr}}}"),
            None => format!("${{{new}}}"),
        })
    });
    if let Some(renamed) = renamed {
        *s = renamed.into();
    }
}

/// Renames the resources in `renames` inside a resource's `DependsOn` (a string or a list of them).
pub fn rename_depends_on(resource: &mut Map, renames: &BTreeMap<String, String>) {
    let rename_one = |v: &mut Value| {
        if let Value::String(id) = v {
            if let Some(new) = renames.get(id.as_str()) {
                *id = Str::from(new.as_str());
            }
        }
    };
    match resource.get_mut("DependsOn") {
        Some(Value::Array(items)) => items.iter_mut().for_each(rename_one),
        Some(v) => rename_one(v),
        None => {}
    }
}

/// Adds `id` to a resource's `DependsOn`, keeping a single string a string when it is the only entry.
pub fn add_depends_on(resource: &mut Map, id: &str) {
    let new = Value::from(id);
    match resource.get_mut("DependsOn") {
        None => {
            resource.insert("DependsOn", new);
        }
        Some(Value::Array(items)) => {
            if !items.contains(&new) {
                items.push(new);
            }
        }
        Some(existing) => {
            if *existing != new {
                let old = existing.take();
                *existing = Value::Array(vec![old, new]);
            }
        }
    }
}
