//! What the output may hold and what it holds: the bounds counted before generation (resources to
//! add, settings bytes copied), and the checks after it (dependency cycles, CloudFormation's
//! resource limit, the compact JSON length).

use std::collections::HashSet;

use super::analyse::Decisions;
use super::cycles;
use super::index::MarkedFunction;
use super::sam_generated;
use crate::cfn;
use crate::diag::{self, Diagnostic, Path};
use crate::json::{KeyHashing, Map, Value};
use crate::limits;
use crate::settings::Hook;

pub(super) fn too_many_for_the_cli(n: usize) -> Diagnostic {
    Diagnostic::error(
        Path::root().key("Resources"),
        format!(
            "the expanded template would have {n} resources, more than {} (a hundred times CloudFormation's \
             limit of {} for one stack), the most this CLI expands; nothing was expanded: split the template \
             into nested stacks",
            limits::MAX_CLI_RESOURCES,
            limits::MAX_RESOURCES
        ),
    )
}

/// The bytes of settings values that the marked functions copy into the expanded template: each
/// function's own values, and each template default once per function that inherits it. Counted on
/// the raw settings before any is parsed, since parsing copies the defaults into every function: a
/// long default in a template with many functions would otherwise be copied before anything could
/// refuse it. `PermissionsBoundary` (one role) and `Enabled` (no output) are not copied per function.
pub(super) fn settings_bytes(marked: &[MarkedFunction], defaults: Option<&Map>) -> usize {
    const NOT_COPIED: &[&str] = &["PermissionsBoundary", "Enabled"];
    let copied = |key: &str| !NOT_COPIED.contains(&key);
    let inherited: Vec<(&str, usize)> = defaults
        .into_iter()
        .flatten()
        .filter(|(key, _)| copied(key))
        .map(|(key, value)| (&**key, compact_json_len(value)))
        .collect();
    let mut total = 0usize;
    for function in marked {
        let own = function.raw.as_object();
        for (key, value) in own.into_iter().flatten().filter(|(key, _)| copied(key)) {
            total = total.saturating_add(key.len() + compact_json_len(value));
        }
        for (key, n) in &inherited {
            if !own.is_some_and(|o| o.contains_key(key)) {
                total = total.saturating_add(key.len() + n);
            }
        }
    }
    total
}

/// The error for an output of `n` resources, over CloudFormation's limit.
pub(super) fn too_many_resources(n: usize, verb: &str) -> Diagnostic {
    Diagnostic::error(
        Path::root().key("Resources"),
        format!(
            "the expanded template {verb} {n} resources, over CloudFormation's limit of {} for one stack; \
             nothing was expanded: split the template into nested stacks",
            limits::MAX_RESOURCES
        ),
    )
}

/// How many resources [`generate`] adds for `decisions` ([`Decisions::generated_ids`]), at most: an
/// alias permission is counted for every permission that names a marked function, though rewiring adds
/// one only beside a permission that stays. Counted before building them, so that an output over the
/// limit is never built.
pub(super) fn resources_to_add(decisions: &Decisions) -> usize {
    decisions.generated_ids().count()
}

/// Every dependency cycle of the output is an error: CloudFormation would refuse the stack. A cycle
/// through what a function's settings name is reported at that setting, with why it cannot be
/// generated without one; any other at its first resource. `sam` holds what SAM will generate when
/// it runs after the macro (see [`cycles::find`]), so both transform orders see the same cycles.
pub(super) fn report_cycles(
    resources: &Map,
    sam: &Map,
    decisions: &Decisions,
    generated: &HashSet<String, KeyHashing>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Every edge the expansion adds starts at a generated resource or an adopted alias, or ends at an
    // alias: a cycle it closes passes through one of them.
    let aliases: HashSet<&str, KeyHashing> = decisions.functions.iter().map(|f| f.alias.as_str()).collect();
    for cycle in cycles::find(resources, sam, |id| generated.contains(id) || aliases.contains(id)) {
        let circle: Vec<&str> =
            cycle.iter().map(|e| e.from.as_str()).chain(cycle.first().map(|e| e.from.as_str())).collect();
        let circle = circle.join(" -> ");
        // Edges between generated resources are the expansion's structure; the setting to blame is
        // the one that names a resource of the template.
        let blame = cycle
            .iter()
            .filter(|e| !generated.contains(e.to.as_str()))
            .find_map(|e| setting_of_edge(e, decisions));
        let diagnostic = match blame {
            Some((path, why)) => {
                let why = match way_out(&cycle, resources, sam) {
                    Some(fix) => format!("{}; {fix}", why.split("; ").next().unwrap_or(why)),
                    None => why.to_owned(),
                };
                Diagnostic::error(
                    path,
                    format!("this setting makes a dependency cycle, which CloudFormation refuses: {circle}; {why}"),
                )
            }
            None => Diagnostic::error(
                Path::resource(&cycle[0].from),
                format!(
                    "the expanded template has a dependency cycle, which CloudFormation refuses: {circle} \
                     (at {})",
                    cycle.iter().map(|e| e.at.to_string()).collect::<Vec<_>>().join(", ")
                ),
            ),
        };
        diagnostics.push(diagnostic);
    }
}

/// A way out of `cycle` that fits what closes it, where a better one than the generic is known: an
/// alarm on an API names the API without referring to it (a REST API's metrics are dimensioned by
/// its name), and a topic subscribes the function through an `AWS::SNS::Subscription`, which waits
/// for the alias while the topic no longer does.
fn way_out(cycle: &[cycles::Edge], resources: &Map, sam: &Map) -> Option<String> {
    let type_of = |id: &str| resources.get(id).and_then(|r| r.get("Type")).and_then(Value::as_str);
    for edge in cycle {
        let kind = type_of(&edge.from);
        if kind == Some(cfn::SNS_TOPIC) && edge.at.to_string().contains("/Properties/Subscription/") {
            return Some(format!(
                "subscribe the function with an AWS::SNS::Subscription resource (TopicArn: {{Ref: {topic}}}, \
                 Protocol: lambda, Endpoint: the function it subscribes) instead of the inline Subscription of \
                 {topic}: the subscription waits for the alias, and the topic no longer does",
                topic = edge.from
            ));
        }
        // A hook (or any resource) that waits for an invoker only by `DependsOn`.
        if edge.at.to_string().starts_with(&format!("{}/DependsOn", Path::resource(&edge.from))) {
            return Some(format!(
                "remove {to} from the DependsOn of {from}: CodeDeploy runs hooks only when an update moves \
                 the alias, when {to} already exists unless that update adds it",
                to = edge.to,
                from = edge.from
            ));
        }
        let alarm = matches!(kind, Some(cfn::CLOUDWATCH_ALARM | cfn::CLOUDWATCH_COMPOSITE_ALARM));
        if !alarm || !(resources.contains_key(&edge.to) || sam.contains_key(&edge.to)) {
            continue;
        }
        let api = &edge.to;
        let own = "or alarm on the function's own metrics instead (RollbackOn: Errors, ErrorRate)";
        // A stage: SAM's (modelled macro first) or the template's. `Ref` gives its name, which the
        // Stage dimension takes as a literal just as well.
        let stage = resources.get(api).or_else(|| sam.get(api)).filter(|r| {
            matches!(type_of(api), Some(cfn::REST_API_STAGE | cfn::HTTP_API_STAGE))
                || (!resources.contains_key(api) && r.get("StageName").is_some())
        });
        if let Some(stage) = stage {
            let name = stage.get("Properties").unwrap_or(stage).get("StageName").map(Value::to_string);
            return Some(format!(
                "name the stage in the alarm without referring to {api}: a Stage dimension takes the stage's \
                 name ({}), which is all a Ref to {api} gives, {own}",
                name.unwrap_or_else(|| "its StageName".to_owned())
            ));
        }
        match (type_of(api), api.as_str()) {
            (Some(cfn::REST_API | cfn::SERVERLESS_API), _) | (None, sam_generated::IMPLICIT_REST_API) => {
                let props = resources.get(api).and_then(|r| r.get("Properties"));
                let title = props
                    .and_then(|p| p.pointer("/Body/info/title").or(p.pointer("/DefinitionBody/info/title")));
                // SAM titles an API without a Name after the stack, and API Gateway names it by its title.
                let stack = cfn::ref_to(cfn::STACK_NAME);
                let name = props.and_then(|p| p.get("Name")).or(title).unwrap_or(&stack);
                return Some(format!(
                    "name {api} in the alarm without referring to it: API Gateway dimensions a REST API's metrics \
                     by its name, so an ApiName dimension with the value its Name is given ({name}) watches the \
                     same API, {own}"
                ));
            }
            (Some(cfn::HTTP_API | cfn::SERVERLESS_HTTP_API), _)
            | (None, sam_generated::IMPLICIT_HTTP_API) => {
                return Some(format!(
                    "API Gateway dimensions an HTTP API's metrics by its ApiId, which only a reference to {api} \
                     gives: alarm on the function's own metrics instead (RollbackOn: Errors, ErrorRate), or on \
                     the API from a stack deployed after this one"
                ));
            }
            _ => {}
        }
    }
    None
}

/// The setting behind an edge the expansion made, and why the edge must be there.
fn setting_of_edge(edge: &cycles::Edge, decisions: &Decisions) -> Option<(Path, &'static str)> {
    const ALARM: &str = "the deployment group waits for its alarms, and an alarm that refers to a \
        resource invoking the function waits for the alias, which waits for the group; watch a metric \
        that does not refer to an invoker (RollbackOn watches the function's own)";
    const HOOK: &str = "the alias waits for its hooks, and a hook that refers to a resource invoking the \
        function waits for the alias; give the hook that resource's name through a parameter or \
        look it up when it runs";
    const TRIGGER: &str = "the deployment group waits for its trigger topics, and a topic that \
        subscribes this function (or a function whose own trigger topic leads back here) waits for \
        that function's alias, which waits for its group; notify through a topic that subscribes no \
        function deployed by this template";
    let segments: Vec<String> = edge
        .at
        .segments()
        .into_iter()
        .skip(2)
        .map(|s| match s {
            diag::Segment::Key(k) => k,
            diag::Segment::Index(i) => i.to_string(),
        })
        .collect();
    let inner: Vec<&str> = segments.iter().map(String::as_str).collect();
    for function in decisions.functions.iter().filter(|f| f.settings.enabled) {
        let settings = function.marked.settings_path();
        let hook_key = |hook: &str| {
            let is = |h: &Option<Hook>| matches!(h, Some(Hook::Function(id)) if id == hook);
            if is(&function.settings.pre_traffic_hook) {
                Some("PreTrafficHook")
            } else if is(&function.settings.post_traffic_hook) {
                Some("PostTrafficHook")
            } else {
                None
            }
        };
        if edge.from == function.deployment_group {
            return match inner.as_slice() {
                ["Properties", "TriggerConfigurations", i, ..] => {
                    Some((settings.key("Triggers").index(i.parse().unwrap_or(0)), TRIGGER))
                }
                ["Properties", "AlarmConfiguration", "Alarms", i, ..] => {
                    let i: usize = i.parse().unwrap_or(0);
                    let path = if i < function.settings.alarms.len() {
                        settings.key("Alarms").index(i)
                    } else {
                        settings.key("RollbackOn")
                    };
                    Some((path, ALARM))
                }
                _ => None,
            };
        }
        if edge.from == function.alias {
            return match inner.as_slice() {
                [.., "BeforeAllowTrafficHook"] => Some((settings.key("PreTrafficHook"), HOOK)),
                [.., "AfterAllowTrafficHook"] => Some((settings.key("PostTrafficHook"), HOOK)),
                ["DependsOn", ..] => decisions
                    .hook_policies
                    .iter()
                    .find(|p| p.logical_id == edge.to)
                    .and_then(|p| hook_key(&p.hook))
                    .map(|key| (settings.key(key), HOOK)),
                _ => None,
            };
        }
        if function.grant_policy.as_deref() == Some(edge.from.as_str()) {
            let hook = hook_key(&edge.to);
            let trigger = function.settings.triggers.iter().position(|t| cycles::refers_to(t, &edge.to));
            return Some(match (hook, trigger) {
                (Some(key), _) => (settings.key(key), HOOK),
                (None, Some(i)) => (settings.key("Triggers").index(i), TRIGGER),
                (None, None) => (settings.key("Triggers"), TRIGGER),
            });
        }
    }
    None
}

pub(super) fn check_output_limits(template: &Value, diagnostics: &mut Vec<Diagnostic>) {
    let n_resources = template.get("Resources").and_then(Value::as_object).map_or(0, Map::len);
    if n_resources > limits::MAX_RESOURCES {
        diagnostics.push(Diagnostic::warning(
            Path::root().key("Resources"),
            format!(
                "the expanded template has {n_resources} resources, over CloudFormation's limit of {}; \
                 the stack will be refused",
                limits::MAX_RESOURCES
            ),
        ));
    }
    // Not the size in bytes: `expand_for_macro` measures and refuses it itself; for the CLI, whoever
    // serializes reports it (`Expansion::check_serialized_size`).
}

/// The length of `value` as compact JSON (what `serde_json::to_string` writes), counted without
/// writing it: the limit check must not cost a second serialization of every template.
pub(super) fn compact_json_len(value: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        n += match value {
            Value::Null => 4,
            Value::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Value::Number(number) => number_len(number),
            Value::String(s) => string_len(s),
            Value::Array(items) => {
                stack.extend(items);
                2 + items.len().saturating_sub(1)
            }
            Value::Object(obj) => {
                stack.extend(obj.values());
                // Braces, one colon per member, commas between members.
                2 + obj.len() + obj.len().saturating_sub(1) + obj.keys().map(|k| string_len(k)).sum::<usize>()
            }
        };
    }
    n
}

/// A JSON string's length with its quotes and serde_json's escapes: `\"`, `\\` and the short control
/// escapes take two bytes, other control characters six (`\u00XX`), everything else itself.
fn string_len(s: &str) -> usize {
    2 + s.len()
        + s.bytes()
            .map(|b| match b {
                b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
                0..=0x1f => 5,
                _ => 0,
            })
            .sum::<usize>()
}

fn number_len(number: &serde_json::Number) -> usize {
    let digits = |mut v: u64| {
        let mut d = 1;
        while v >= 10 {
            v /= 10;
            d += 1;
        }
        d
    };
    match (number.as_u64(), number.as_i64()) {
        (Some(u), _) => digits(u),
        (None, Some(i)) => 1 + digits(i.unsigned_abs()),
        // Floats are rare in templates; formatting the few there are is cheap.
        _ => number.to_string().len(),
    }
}

#[cfg(test)]
mod tests {
    use crate::json;

    #[test]
    fn compact_json_len_matches_serde_json() {
        let value = json!({
            "a": [1, -20, 3.5, 1e300, null, true, false, "q\"uo\\te\n\u{1}\u{7f}é"],
            "": {}, "b": [], "c": {"d": u64::MAX, "e": i64::MIN},
        });
        assert_eq!(super::compact_json_len(&value), serde_json::to_string(&value).unwrap().len());
    }

    #[test]
    fn the_size_warning_comes_from_the_length_the_caller_wrote() {
        let template = json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
        let mut expansion = super::super::expand(
            template,
            &super::super::Context {
                region: "us-east-1".into(),
                account_id: "123456789012".into(),
                parameter_values: crate::json::Map::new(),
                smoke_hook_code: None,
            },
        );
        expansion.check_serialized_size(crate::limits::MAX_PROCESSED_TEMPLATE_BYTES);
        assert!(expansion.diagnostics.is_empty());
        expansion.check_serialized_size(crate::limits::MAX_PROCESSED_TEMPLATE_BYTES + 1);
        let [warning] = expansion.diagnostics.as_slice() else { panic!("{:?}", expansion.diagnostics) };
        assert!(!warning.is_error() && warning.message.contains("1048577 bytes of JSON"), "{warning}");
        // A template written some other way is measured as the compact JSON CloudFormation counts.
        let mut small = expansion.clone();
        small.diagnostics.clear();
        small.check_template_size();
        assert!(small.diagnostics.is_empty());
    }
}
