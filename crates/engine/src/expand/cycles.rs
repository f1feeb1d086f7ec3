//! The dependency graph of the expanded template, and the cycles in it.
//!
//! CloudFormation orders resources by the references between them (`Ref`, `Fn::GetAtt`, the
//! `${…}` placeholders of `Fn::Sub`) and by `DependsOn`, wherever in the resource they appear
//! (`Properties`, `UpdatePolicy`, `Metadata`), and refuses a template in which they go round in a
//! circle ("Circular dependency between resources"). The expansion adds such edges (an alias waits
//! for its deployment group, the group for its alarms and trigger topics, and invokers move to the
//! alias), so the output is checked here with one iterative depth-first search, linear in the size
//! of what it visits. Every edge the expansion adds starts at a generated resource or ends at an
//! alias, so a cycle it closes passes through a generated resource: the search starts from those and
//! reads the references of a resource only when it reaches it, which keeps the template's other
//! resources (API definitions, state machines) out of the walk. Where each edge sits in its resource
//! is looked up only for the few resources of a cycle that is reported.

use std::collections::HashMap;

use crate::cfn::{self, GET_ATT, REF, SUB};
use crate::diag::Path;
use crate::json::{KeyHashing, Map, Value};

/// At most this many cycles are reported: each is an error naming its resources, and a template
/// with more has one fix to make first.
const MAX_REPORTED: usize = 10;

/// One edge of a reported cycle: `from` refers to (or depends on) `to` at `at` inside `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub at: Path,
}

/// Cycles among `resources` reachable from the resources `start` selects, each as its edges in
/// order (the last edge returns to the first resource). Empty when there is none.
///
/// `more` holds resources another transform will add (SAM's, when it runs after the macro) with the
/// references they will make; an entry whose logical ID is a resource of `resources` adds its
/// references to that resource's (SAM writes into an API the integrations of its events).
pub fn find(resources: &Map, more: &Map, start: impl Fn(&str) -> bool) -> Vec<Vec<Edge>> {
    let mut ids: Vec<&str> = resources.keys().map(|k| &**k).collect();
    let mut values: Vec<&Value> = resources.values().collect();
    let mut index: HashMap<&str, u32, KeyHashing> =
        ids.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
    let mut added: HashMap<u32, &Value> = HashMap::new();
    for (id, value) in more {
        match index.get(id.as_str()) {
            Some(&i) => {
                added.insert(i, value);
            }
            None => {
                index.insert(id, ids.len() as u32);
                ids.push(id);
                values.push(value);
            }
        }
    }
    // The other transform's resources first: SAM's alias and deployment group, which come first
    // among a function's resources when SAM has run before the macro, so that a search of either
    // order enters the graph alike and reports the same cycles.
    let (first, rest) = (resources.len() as u32, 0..resources.len() as u32);
    let roots: Vec<u32> = (first..ids.len() as u32).chain(rest).filter(|&i| start(ids[i as usize])).collect();
    let edges = |i: u32| {
        let mut targets = Vec::new();
        let mut add = |id: &str| {
            if let Some(&j) = index.get(id) {
                targets.push(j);
            }
        };
        for_each_dependency(values[i as usize], &mut add);
        if let Some(value) = added.get(&i) {
            references(value, &mut add);
        }
        targets
    };
    let located = |from: &str, to: &str| {
        let at = position(&resources[from], from, to);
        match more.get(from) {
            // The reference is one the other transform will make.
            Some(value) if at == Path::resource(from) => position(value, from, to),
            _ => at,
        }
    };
    cycles(ids.len(), &roots, edges)
        .into_iter()
        .map(|cycle| {
            let mut cycle: Vec<Edge> = (0..cycle.len())
                .map(|k| {
                    let (from, to) = (ids[cycle[k] as usize], ids[cycle[(k + 1) % cycle.len()] as usize]);
                    let at = match resources.get(from) {
                        Some(_) => located(from, to),
                        None => position(&more[from], from, to),
                    };
                    Edge { from: from.to_owned(), to: to.to_owned(), at }
                })
                .collect();
            // Told from the first resource `start` selects, so a cycle reads the same whichever
            // resource the search entered it by.
            if let Some(first) = cycle.iter().position(|e| start(&e.from)) {
                cycle.rotate_left(first);
            }
            cycle
        })
        .collect()
}

/// Cycles of a graph of `n` nodes reachable from `roots`, each as its nodes in order; at most
/// [`MAX_REPORTED`], each with a node no cycle reported before has (two alarms that each close a
/// cycle through the same alias are two mistakes). `edges` is asked once per node reached.
fn cycles(n: usize, roots: &[u32], edges: impl Fn(u32) -> Vec<u32>) -> Vec<Vec<u32>> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut mark = vec![NEW; n];
    let mut in_reported = vec![false; n];
    // How many nodes of `path[..k]` are in no reported cycle, so that whether a cycle has a new node
    // is one subtraction; recounted only when a cycle is reported, at most [`MAX_REPORTED`] times.
    let mut fresh: Vec<u32> = vec![0];
    // Position of each open node on the path, to cut a cycle out of it.
    let mut position = vec![0u32; n];
    let mut path: Vec<u32> = Vec::new();
    // (node, its edges, next edge to follow)
    let mut stack: Vec<(u32, Vec<u32>, usize)> = Vec::new();
    let mut found = Vec::new();
    for &root in roots {
        if mark[root as usize] != NEW {
            continue;
        }
        mark[root as usize] = OPEN;
        position[root as usize] = 0;
        path.push(root);
        fresh.push(u32::from(!in_reported[root as usize]));
        stack.push((root, edges(root), 0));
        while let Some((node, targets, next)) = stack.last_mut() {
            let node = *node;
            let Some(&target) = targets.get(*next) else {
                mark[node as usize] = DONE;
                path.pop();
                fresh.pop();
                stack.pop();
                continue;
            };
            *next += 1;
            match mark[target as usize] {
                NEW => {
                    mark[target as usize] = OPEN;
                    position[target as usize] = path.len() as u32;
                    path.push(target);
                    let before = fresh[fresh.len() - 1];
                    fresh.push(before + u32::from(!in_reported[target as usize]));
                    stack.push((target, edges(target), 0));
                }
                OPEN if found.len() < MAX_REPORTED
                    && fresh[path.len()] > fresh[position[target as usize] as usize] =>
                {
                    let cycle = path[position[target as usize] as usize..].to_vec();
                    for &c in &cycle {
                        in_reported[c as usize] = true;
                    }
                    found.push(cycle);
                    for (k, &node) in path.iter().enumerate() {
                        fresh[k + 1] = fresh[k] + u32::from(!in_reported[node as usize]);
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// Calls `f` with each logical ID `resource` refers to or depends on. A name that is no resource (a parameter, a pseudo parameter) is the caller's to skip.
pub fn for_each_dependency<'a>(resource: &'a Value, f: &mut impl FnMut(&'a str)) {
    let Some(members) = resource.as_object() else { return };
    // A SAM function's `Events` and `DeploymentPreference` become other resources (subscriptions,
    // permissions, SAM's deployment group) that refer to the function, not the other way round.
    let serverless_function = members.get("Type").and_then(Value::as_str) == Some(cfn::SERVERLESS_FUNCTION);
    for (key, value) in members {
        match &**key {
            "DependsOn" | "Type" | "Condition" | "DeletionPolicy" | "UpdateReplacePolicy" => {}
            "Properties" if serverless_function => {
                if let Some(props) = value.as_object() {
                    for (k, v) in props {
                        if !matches!(&**k, "Events" | "DeploymentPreference") {
                            references(v, f);
                        }
                    }
                }
            }
            _ => references(value, f),
        }
    }
    // Last, so that a cycle through a reference is told by it: a reference says why one resource
    // waits for another, and SAM keeps the references where it drops a `DependsOn` the macro wrote.
    match members.get("DependsOn") {
        Some(Value::String(id)) => f(id),
        Some(Value::Array(ids)) => ids.iter().filter_map(Value::as_str).for_each(&mut *f),
        _ => {}
    }
}

/// Whether `value` refers to the resource `id` anywhere.
pub fn refers_to(value: &Value, id: &str) -> bool {
    let mut hit = false;
    references(value, &mut |r| hit |= r == id);
    hit
}

/// Every name `value` refers to through `Ref`, `Fn::GetAtt` or `Fn::Sub`.
pub fn referenced_names(value: &Value) -> Vec<&str> {
    let mut names = Vec::new();
    references(value, &mut |r| names.push(r));
    names
}

/// The logical IDs `value` refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub`, iteratively (a
/// template may nest as deep as the macro reads).
fn references<'a>(value: &'a Value, f: &mut impl FnMut(&'a str)) {
    // Only containers go on the stack: most values are strings, which refer to nothing unless
    // they are the argument of an intrinsic handled below.
    fn push<'a>(stack: &mut Vec<&'a Value>, value: &'a Value) {
        if matches!(value, Value::Array(_) | Value::Object(_)) {
            stack.push(value);
        }
    }
    let mut stack = Vec::new();
    push(&mut stack, value);
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(items) => items.iter().for_each(|v| push(&mut stack, v)),
            Value::Object(obj) => {
                if references_shallow(value, f) {
                    // Past the names it gives, an intrinsic's arguments (a `GetAtt` attribute, a
                    // `Sub` variable map) may hold more intrinsics.
                    if let Some(Value::Array(parts)) = obj.values().next() {
                        parts.iter().skip(1).for_each(|v| push(&mut stack, v));
                    }
                    continue;
                }
                obj.values().for_each(|v| push(&mut stack, v));
            }
            _ => {}
        }
    }
}

/// Where inside `resource` (logical ID `from`) the first reference to `to` is; the resource itself
/// when none is found (which the graph rules out).
fn position(resource: &Value, from: &str, to: &str) -> Path {
    let root = Path::resource(from);
    if let Value::Object(members) = resource {
        match members.get("DependsOn") {
            Some(Value::String(id)) if id == to => return root.key("DependsOn"),
            Some(Value::Array(ids)) => {
                if let Some(i) = ids.iter().position(|id| id == to) {
                    return root.key("DependsOn").index(i);
                }
            }
            _ => {}
        }
    }
    let mut stack = vec![(resource, root.clone())];
    while let Some((value, path)) = stack.pop() {
        let mut hit = false;
        references_shallow(value, &mut |id| hit |= id == to);
        if hit {
            return path;
        }
        match value {
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().rev().map(|(i, v)| (v, path.index(i))))
            }
            Value::Object(obj) => stack.extend(
                obj.iter()
                    .filter(|(k, _)| &***k != "DependsOn")
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .map(|(k, v)| (v, path.key(k))),
            ),
            _ => {}
        }
    }
    root
}

/// The references `value` itself makes when it is one `Ref`, `Fn::GetAtt` or `Fn::Sub` (not those of
/// its members); whether it is one.
fn references_shallow<'a>(value: &'a Value, f: &mut impl FnMut(&'a str)) -> bool {
    let Some((key, arg)) = cfn::single_key(value) else { return false };
    match (key, arg) {
        (REF, Value::String(id)) => f(id),
        (GET_ATT, Value::Array(_) | Value::String(_)) => {
            if let Some(id) = cfn::get_att_target(arg) {
                f(id)
            }
        }
        (SUB, Value::String(_) | Value::Array(_)) => {
            if let Some((text, vars)) = cfn::sub_parts(arg) {
                // A variable hides only the placeholder of its whole name: `${B.Arn}` is B's
                // attribute even beside a variable `B`, as cfn-lint reads it (rule E1019).
                cfn::sub_references(text, vars, f);
            }
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn resources(v: Value) -> Map {
        v.as_object().expect("object").clone()
    }

    /// Resources each of which refers to one other: `(logical ID, the one it refers to)`.
    fn referring(pairs: &[(&str, &str)]) -> Map {
        let mut r = Map::new();
        for (id, to) in pairs {
            r.insert(*id, json!({"Type": "T", "Properties": {"X": cfn::ref_to(to)}}));
        }
        r
    }

    #[test]
    fn an_acyclic_template_has_no_cycle() {
        let r = resources(json!({
            "A": {"Type": "T", "Properties": {"X": {"Ref": "B"}, "P": {"Ref": "Param"}}},
            "B": {"Type": "T", "Properties": {"Y": {"Fn::Sub": "${C.Arn}-${!A}-${Local}"}}},
            "C": {"Type": "T", "DependsOn": "D"},
            "D": {"Type": "T", "Properties": {"Z": {"Fn::Sub": ["${A}", {"A": "literal"}]}}},
        }));
        assert!(find(&r, &Map::new(), |_| true).is_empty());
    }

    #[test]
    fn every_kind_of_edge_closes_a_cycle() {
        let r = resources(json!({
            "A": {"Type": "T", "Properties": {"X": [{"Fn::GetAtt": "B.Arn"}]}},
            "B": {"Type": "T", "UpdatePolicy": {"U": {"Fn::Sub": "x-${C}"}}},
            "C": {"Type": "T", "DependsOn": ["Z", "A"]},
            "Z": {"Type": "T"},
        }));
        let found = find(&r, &Map::new(), |_| true);
        assert_eq!(found.len(), 1, "{found:?}");
        let names: Vec<(&str, &str, String)> =
            found[0].iter().map(|e| (e.from.as_str(), e.to.as_str(), e.at.to_string())).collect();
        assert_eq!(
            names,
            [
                ("A", "B", "Resources/A/Properties/X/0".to_owned()),
                ("B", "C", "Resources/B/UpdatePolicy/U".to_owned()),
                ("C", "A", "Resources/C/DependsOn/1".to_owned()),
            ]
        );
    }

    #[test]
    fn a_sub_variable_hides_only_its_whole_name() {
        let r = resources(json!({
            "A": {"Type": "T", "Properties": {"X": {"Fn::Sub": ["${B}-${B.Arn}", {"B": "literal"}]}}},
            "B": {"Type": "T", "Properties": {"Y": {"Ref": "A"}}},
        }));
        assert_eq!(find(&r, &Map::new(), |_| true).len(), 1);
    }

    #[test]
    fn a_self_reference_and_two_separate_cycles_are_reported() {
        let r = referring(&[("S", "S"), ("A", "B"), ("B", "A")]);
        let found = find(&r, &Map::new(), |_| true);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].len(), 1);
        assert_eq!(found[1].len(), 2);
    }

    #[test]
    fn only_cycles_reachable_from_the_start_are_searched() {
        let r = referring(&[("A", "B"), ("B", "A"), ("C", "A")]);
        assert_eq!(find(&r, &Map::new(), |id| id == "C").len(), 1);
        assert!(find(&r, &Map::new(), |_| false).is_empty());
    }

    #[test]
    fn a_long_chain_is_walked_without_recursion() {
        let mut r = Map::new();
        let n = 20_000;
        for i in 0..n {
            r.insert(
                format!("R{i}"),
                json!({"Type": "T", "Properties": {"Next": {"Ref": format!("R{}", (i + 1) % n)}}}),
            );
        }
        let found = find(&r, &Map::new(), |_| true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), n);
    }
}
