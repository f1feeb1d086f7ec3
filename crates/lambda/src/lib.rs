//! canary-lambda: the CloudFormation macro wire format around the engine (docs/lambda.md).
//!
//! CloudFormation invokes the macro with a [`MacroEvent`] and expects a [`MacroResponse`]. This crate
//! is the only place that knows that format: it reads the event, refuses what the engine must not
//! see (a snippet instead of a template, an oversized or over-deep fragment), runs
//! [`canary_engine::expand_for_macro`] behind `catch_unwind`, and turns the diagnostics into one
//! `errorMessage`. Every problem caused by the input becomes a `failure` response carrying the
//! request id, never a Lambda error: CloudFormation shows a `failure` message to the user, while a
//! Lambda error only says the transform failed.
//!
//! Limits: the event must be JSON (the runtime rejects anything else before [`handler`] runs), and
//! the fragment is held in memory twice at most (raw text and parsed value), bounded by
//! [`canary_engine::limits::MAX_INPUT_BYTES`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use canary_engine::cfn;
use canary_engine::json::{self, Map, Value};
use canary_engine::limits::{MAX_DEPTH, MAX_INPUT_BYTES};
use canary_engine::{CodeLocation, Context, Diagnostic, Expansion};
use lambda_runtime::{Error, LambdaEvent};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// The longest `errorMessage` the macro returns, in characters.
///
/// CloudFormation copies the message into the change set's `StatusReason` and the stack event's
/// `ResourceStatusReason`, which the console shows in one table cell of the events pane; the API
/// documents no length for either, so the bound is ours. 4000 characters holds about 25 typical
/// diagnostics (path, found value, accepted values), which is more than anyone reads in that cell,
/// and stays far below what the console and CLI render comfortably. Past it the message ends with
/// `… and N more errors` and `canary-deployments validate` prints the full list.
pub const MAX_ERROR_MESSAGE_CHARS: usize = 4000;

/// CloudFormation's macro event (CloudFormation User Guide, "Create a CloudFormation macro
/// definition", event mapping). `Fragment` is the template as a [`Value`] by default; the handler
/// reads it first as raw JSON text so it can measure it before parsing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MacroEvent<Fragment = Value> {
    /// The region the macro runs in.
    pub region: String,
    /// The account whose stack invokes the macro.
    pub account_id: String,
    /// For a template-level `Transform`, the whole template without its `Transform` section; for a
    /// snippet-level `Fn::Transform`, the siblings of the call.
    pub fragment: Fragment,
    /// The name of the macro being invoked, as CloudFormation spells it.
    pub transform_id: String,
    /// Parameters of an `Fn::Transform` call; empty or absent for a template-level `Transform`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map>,
    /// Must be echoed in the response.
    pub request_id: String,
    /// The stack's parameter values, already resolved by CloudFormation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_parameter_values: Option<Map>,
}

/// What the macro answers. Serialized as `{requestId, status: "success", fragment}` or
/// `{requestId, status: "failure", errorMessage}`.
///
/// The fragment is held as the JSON text the handler wrote: it is serialized once, measured for the
/// size limits, and copied as it is into the response.
#[derive(Debug, Clone)]
pub enum MacroResponse {
    Success { request_id: String, fragment: Box<RawValue> },
    Failure { request_id: String, error_message: String },
}

impl MacroResponse {
    pub fn request_id(&self) -> &str {
        match self {
            MacroResponse::Success { request_id, .. } | MacroResponse::Failure { request_id, .. } => {
                request_id
            }
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, MacroResponse::Success { .. })
    }
}

impl Serialize for MacroResponse {
    // Written by hand so that `requestId` comes first, as in CloudFormation's documentation, and
    // the two shapes never carry each other's keys.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        match self {
            MacroResponse::Success { request_id, fragment } => {
                map.serialize_entry("requestId", request_id)?;
                map.serialize_entry("status", "success")?;
                map.serialize_entry("fragment", fragment)?;
            }
            MacroResponse::Failure { request_id, error_message } => {
                map.serialize_entry("requestId", request_id)?;
                map.serialize_entry("status", "failure")?;
                map.serialize_entry("errorMessage", error_message)?;
            }
        }
        map.end()
    }
}

/// The Lambda entry point. The payload arrives as raw JSON text so that its size and nesting are
/// checked before anything is built from it: parsed as a `Value` straight away, a template nested
/// past serde_json's recursion limit would fail inside the runtime and reach CloudFormation as a
/// bare Lambda error instead of a `failure` that says why.
///
/// Never returns `Err`; the `Result` is the runtime's handler shape.
pub async fn handler(event: LambdaEvent<Box<RawValue>>) -> Result<MacroResponse, Error> {
    Ok(respond_with(event.payload.get(), canary_engine::expand_for_macro))
}

/// Counts for the one log line per request.
#[derive(Debug, Default)]
struct Outcome {
    functions_marked: usize,
    resources_added: usize,
    references_rewired: usize,
    errors: usize,
    warnings: usize,
}

/// Answers one macro event with `expand` as the engine. The engine is a parameter so the unit
/// tests can prove that a panicking engine still yields a `failure`.
fn respond_with(payload: &str, expand: impl Fn(Value, &Context) -> Expansion) -> MacroResponse {
    let started = Instant::now();
    let mut outcome = Outcome::default();
    let (request_id, transform_id, answer) = match serde_json::from_str::<MacroEvent<&RawValue>>(payload) {
        Ok(event) => {
            let answer = expand_event(&event, &expand, &mut outcome);
            (event.request_id, event.transform_id, answer)
        }
        Err(err) => {
            let message = format!(
                "the macro event is malformed ({err}); CloudFormation sends an object with the strings \
                 region, accountId, transformId and requestId, the template in fragment, and optional \
                 params and templateParameterValues objects"
            );
            (request_id_of_malformed(payload), String::new(), Err(message))
        }
    };
    if answer.is_err() && outcome.errors == 0 {
        outcome.errors = 1;
    }
    tracing::info!(
        request_id = %request_id,
        transform_id = %transform_id,
        // Which release expanded a stack, when several stacks or accounts run different versions.
        version = env!("CARGO_PKG_VERSION"),
        status = if answer.is_ok() { "success" } else { "failure" },
        functions_marked = outcome.functions_marked,
        resources_added = outcome.resources_added,
        references_rewired = outcome.references_rewired,
        errors = outcome.errors,
        warnings = outcome.warnings,
        duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "answered macro request"
    );
    match answer {
        Ok(fragment) => MacroResponse::Success { request_id, fragment },
        Err(error_message) => MacroResponse::Failure { request_id, error_message },
    }
}

/// Everything after the envelope parsed: the fragment's gates, the engine call, the verdict.
fn expand_event(
    event: &MacroEvent<&RawValue>,
    expand: &impl Fn(Value, &Context) -> Expansion,
    outcome: &mut Outcome,
) -> Result<Box<RawValue>, String> {
    let macro_name = macro_name(&event.transform_id);
    let raw = event.fragment.get();
    if raw.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the template is {} bytes; {macro_name} accepts at most {MAX_INPUT_BYTES} bytes (6 MB, \
             Lambda's payload limit)",
            raw.len()
        ));
    }
    let depth = json::nesting_depth(raw);
    if depth > MAX_DEPTH {
        return Err(format!(
            "the template nests objects and lists {depth} levels deep; {macro_name} accepts at most \
             {MAX_DEPTH} levels"
        ));
    }
    let fragment: Value =
        serde_json::from_str(raw).map_err(|err| format!("the template could not be read as JSON ({err})"))?;
    if fragment.get("Resources").is_none() {
        return Err(format!(
            "{macro_name} expands whole templates, but the fragment it received has no Resources \
             section, which is what a snippet-level Fn::Transform sends; declare it at the top of \
             the template instead, as `Transform: {macro_name}` or in the Transform list"
        ));
    }
    let ctx = Context {
        region: event.region.clone(),
        account_id: event.account_id.clone(),
        parameter_values: event.template_parameter_values.clone().unwrap_or_default(),
        smoke_hook_code: smoke_hook_code(),
    };
    // The engine promises never to panic; this is the net under that promise. Without it the
    // runtime would turn a panic into an invocation error, which CloudFormation reports without
    // any message. `AssertUnwindSafe` is sound because nothing the closure touches is used after
    // a panic except the panic payload.
    let mut expansion = catch_unwind(AssertUnwindSafe(|| expand(fragment, &ctx))).map_err(|payload| {
        let detail = canary_engine::diag::panic_message(&*payload).unwrap_or("no message");
        tracing::error!(panic = %detail, "the engine panicked");
        format!(
            "{macro_name} hit an internal error and expanded nothing ({}); this is a bug, please \
             report it with the template",
            truncate_at_word(detail, 500)
        )
    })?;
    outcome.functions_marked = expansion.stats.functions_marked;
    outcome.resources_added = expansion.stats.resources_added;
    outcome.references_rewired = expansion.stats.references_rewired;
    // Written once, and only when it is returned: the text is both measured for the limits and
    // what the response carries.
    let text = if expansion.has_errors() {
        None
    } else {
        // `to_raw_value` keeps the text it writes; `RawValue::from_string` would read it all again to
        // check that it is JSON, which the serializer already guarantees.
        let text = serde_json::value::to_raw_value(&expansion.template)
            .map_err(|err| format!("{macro_name} could not write the expanded template as JSON ({err})"))?;
        // `expand_for_macro` has already refused an output over CloudFormation's limit by counting
        // it; checking the length actually written guards that count.
        expansion.check_serialized_size(text.get().len());
        Some(text)
    };
    outcome.errors = expansion.error_count();
    outcome.warnings = expansion.diagnostics.len() - outcome.errors;
    // Warnings carry paths and settings, never template values beyond what the user wrote in
    // `CanaryDeployment`, so they are safe to log; a successful response has no other channel.
    for diagnostic in expansion.diagnostics.iter().filter(|d| !d.is_error()) {
        tracing::warn!(request_id = %event.request_id, "{diagnostic}");
    }
    let Some(text) = text else {
        return Err(error_message(&macro_name, &expansion.diagnostics, MAX_ERROR_MESSAGE_CHARS));
    };
    // Lambda replaces a response over its payload limit with an invocation error, which
    // CloudFormation reports without a reason; say what happened instead.
    let limit = MAX_INPUT_BYTES - RESPONSE_ENVELOPE_BYTES;
    if text.get().len() > limit {
        return Err(format!(
            "the expanded template is over {limit} bytes, more than Lambda can return (6 MB) and far \
             more than CloudFormation accepts (1 MB); split the template into nested stacks"
        ));
    }
    Ok(text)
}

/// Room left in Lambda's response limit for `requestId` and `status` around the fragment.
const RESPONSE_ENVELOPE_BYTES: usize = 1024;

/// The macro's name for messages: CloudFormation sends `transformId` as `<account>::<Name>`, and a
/// user knows the macro by the name they wrote in `Transform`.
fn macro_name(transform_id: &str) -> String {
    match transform_id.rsplit("::").next() {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => cfn::TRANSFORM_NAME.to_owned(),
    }
}

/// The request id of an event that failed to parse, so the failure still reaches CloudFormation
/// (which drops a response whose id does not match). Reads only the top-level keys, without
/// building the rest of the event.
fn request_id_of_malformed(payload: &str) -> String {
    serde_json::from_str::<BTreeMap<String, &RawValue>>(payload)
        .ok()
        .and_then(|top| top.get("requestId").and_then(|raw| serde_json::from_str::<String>(raw.get()).ok()))
        .unwrap_or_default()
}

/// One line listing every diagnostic with its path, errors first, at most `limit` characters.
/// Whole diagnostics are dropped from the end and counted in `… and N more`; a single diagnostic
/// longer than the limit is cut at a word boundary.
fn error_message(macro_name: &str, diagnostics: &[Diagnostic], limit: usize) -> String {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    let warnings: Vec<&Diagnostic> = diagnostics.iter().filter(|d| !d.is_error()).collect();
    let mut message = format!("{macro_name} found {}", count(errors.len(), "error"));
    if !warnings.is_empty() {
        let _ = write!(message, " and {}", count(warnings.len(), "warning"));
    }
    message.push_str(" and expanded nothing: ");
    let items: Vec<String> = errors.iter().chain(&warnings).map(|d| d.to_string()).collect();
    for (i, item) in items.iter().enumerate() {
        let separator = if i == 0 { "" } else { "; " };
        let rest = &items[i + 1..];
        // Room for the summary that would follow if the next item did not fit either.
        let tail = if rest.is_empty() { 0 } else { summary(rest.len(), &errors, i + 1).chars().count() };
        let used = message.chars().count() + separator.chars().count();
        if used + item.chars().count() + tail <= limit {
            message.push_str(separator);
            message.push_str(item);
            continue;
        }
        if i == 0 {
            // Not even one diagnostic fits whole: keep as much of it as the limit allows.
            let summary = if rest.is_empty() { String::new() } else { summary(rest.len(), &errors, 1) };
            let room = limit.saturating_sub(used + summary.chars().count());
            message.push_str(&truncate_at_word(item, room));
            message.push_str(&summary);
            return message;
        }
        message.push_str(&summary(items.len() - i, &errors, i));
        return message;
    }
    message
}

/// `… and N more errors` for the items from `first_dropped` on (errors come before warnings).
fn summary(n_dropped: usize, errors: &[&Diagnostic], first_dropped: usize) -> String {
    let n_errors = errors.len().saturating_sub(first_dropped);
    let n_warnings = n_dropped - n_errors;
    match (n_errors, n_warnings) {
        (0, w) => format!("; … and {}", count(w, "more warning")),
        (e, 0) => format!("; … and {}", count(e, "more error")),
        (e, w) => format!("; … and {} and {}", count(e, "more error"), count(w, "more warning")),
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` cut to at most `max` characters at the last space that fits, with `…` appended when
/// anything was cut. A text without a space in reach is cut to nothing rather than mid-word.
fn truncate_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let budget = max.saturating_sub(1); // for the ellipsis
    let mut end = 0;
    for (n_chars, (byte_at, ch)) in text.char_indices().enumerate() {
        if n_chars > budget {
            break;
        }
        if ch == ' ' {
            end = byte_at;
        }
    }
    let mut cut = text[..end].trim_end().to_owned();
    cut.push('…');
    cut
}

/// Where the smoke test hook's zip is: the install templates set these beside the macro's own code
/// (`deploy/macro.yaml`, `template.yaml`); unset or empty, a template that uses `SmokeTest` gets an
/// error saying so.
pub const SMOKE_HOOK_BUCKET_VARIABLE: &str = "SMOKE_HOOK_CODE_BUCKET";
pub const SMOKE_HOOK_KEY_VARIABLE: &str = "SMOKE_HOOK_CODE_KEY";

fn smoke_hook_code() -> Option<CodeLocation> {
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some(CodeLocation { bucket: read(SMOKE_HOOK_BUCKET_VARIABLE)?, key: read(SMOKE_HOOK_KEY_VARIABLE)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use canary_engine::json;
    use canary_engine::{Path, Stats};

    fn event(fragment: Value) -> String {
        json!({
            "region": "eu-west-1",
            "accountId": "123456789012",
            "fragment": fragment,
            "transformId": "123456789012::CanaryDeployments",
            "params": {},
            "requestId": "req-1",
            "templateParameterValues": {}
        })
        .to_string()
    }

    fn template() -> Value {
        json!({"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {}}}})
    }

    #[test]
    fn a_panicking_engine_becomes_a_failure() {
        let response = respond_with(&event(template()), |_, _| panic!("index out of bounds: the len is 0"));
        let MacroResponse::Failure { request_id, error_message } = response else {
            panic!("expected a failure")
        };
        assert_eq!(request_id, "req-1");
        assert!(error_message.contains("internal error"), "{error_message}");
        assert!(error_message.contains("index out of bounds"), "{error_message}");
    }

    #[test]
    fn a_panic_with_a_formatted_message_is_reported_too() {
        let response = respond_with(&event(template()), |_, _| panic!("bad resource {}", 7));
        let MacroResponse::Failure { error_message, .. } = response else { panic!("expected a failure") };
        assert!(error_message.contains("bad resource 7"), "{error_message}");
    }

    #[test]
    fn the_engine_sees_the_parameter_values_region_and_account() {
        let payload = json!({
            "region": "eu-west-1", "accountId": "123456789012", "fragment": template(),
            "transformId": "x::CanaryDeployments", "requestId": "r",
            "templateParameterValues": {"Stage": "prod", "Subnets": ["a", "b"]}
        })
        .to_string();
        let response = respond_with(&payload, |template, ctx| {
            assert_eq!(ctx.region, "eu-west-1");
            assert_eq!(ctx.account_id, "123456789012");
            assert_eq!(ctx.parameter_values["Stage"], "prod");
            assert_eq!(ctx.parameter_values["Subnets"], json!(["a", "b"]));
            Expansion { template, diagnostics: Vec::new(), plan: Vec::new(), stats: Stats::default() }
        });
        assert!(response.is_success(), "{response:?}");
    }

    #[test]
    fn the_error_message_lists_every_diagnostic_when_it_fits() {
        let diagnostics = vec![
            Diagnostic::error(
                Path::resource("A").key("Properties").key("CanaryDeployment").key("Tpye"),
                "unknown key",
            )
            .with_help("did you mean Type?"),
            Diagnostic::error(Path::resource("B").key("Metadata"), "expected an object"),
            Diagnostic::warning(Path::resource("C"), "function URL moves"),
        ];
        let message = error_message("CanaryDeployments", &diagnostics, 4000);
        assert_eq!(
            message,
            "CanaryDeployments found 2 errors and 1 warning and expanded nothing: \
             error: Resources/A/Properties/CanaryDeployment/Tpye: unknown key (did you mean Type?); \
             error: Resources/B/Metadata: expected an object; \
             warning: Resources/C: function URL moves"
        );
    }

    #[test]
    fn the_error_message_summarises_past_the_limit_without_cutting_words() {
        let diagnostics: Vec<Diagnostic> = (0..300)
            .map(|i| {
                Diagnostic::error(
                    Path::resource(&format!("Function{i:03}")),
                    "Type is required for this function",
                )
            })
            .collect();
        let message = error_message("CanaryDeployments", &diagnostics, MAX_ERROR_MESSAGE_CHARS);
        assert!(message.chars().count() <= MAX_ERROR_MESSAGE_CHARS);
        let listed = message.matches("error: Resources/Function").count();
        assert!(listed > 10, "{message}");
        assert!(message.ends_with(&format!("; … and {} more errors", 300 - listed)), "{message}");
        // The last listed diagnostic is whole.
        let before_summary = message.rsplit_once("; … and").unwrap().0;
        assert!(before_summary.ends_with("Type is required for this function"), "{before_summary}");
    }

    #[test]
    fn a_single_huge_diagnostic_is_cut_at_a_word() {
        let long = "word ".repeat(2000);
        let diagnostics = vec![
            Diagnostic::error(Path::resource("A"), long.trim_end()),
            Diagnostic::error(Path::resource("B"), "short"),
        ];
        let message = error_message("CanaryDeployments", &diagnostics, 300);
        assert!(message.chars().count() <= 300, "{}", message.chars().count());
        assert!(message.ends_with("word…; … and 1 more error"), "{message}");
    }

    #[test]
    fn an_expansion_too_big_to_return_becomes_a_failure() {
        let response = respond_with(&event(template()), |mut template, _| {
            template["Description"] = json!("x".repeat(MAX_INPUT_BYTES));
            Expansion { template, diagnostics: Vec::new(), plan: Vec::new(), stats: Stats::default() }
        });
        let MacroResponse::Failure { error_message, .. } = response else { panic!("expected a failure") };
        assert!(error_message.contains("more than Lambda can return"), "{error_message}");
    }

    /// `catch_unwind` only catches panics that unwind; with `panic = "abort"` in the release
    /// profile a panic would kill the function and CloudFormation would get no message at all.
    #[test]
    fn the_release_profile_unwinds_panics() {
        let manifest = include_str!("../../../Cargo.toml");
        let release = manifest.split("[profile.release]").nth(1).expect("a [profile.release] section");
        let release = release.split("\n[").next().unwrap();
        assert!(
            release
                .lines()
                .all(|line| !line.trim_start().starts_with("panic") || line.contains("\"unwind\"")),
            "[profile.release] must keep panic = \"unwind\":{release}"
        );
    }

    #[test]
    fn truncation_keeps_whole_words() {
        assert_eq!(truncate_at_word("alpha beta gamma", 100), "alpha beta gamma");
        assert_eq!(truncate_at_word("alpha beta gamma", 12), "alpha beta…");
        assert_eq!(truncate_at_word("alphabetagamma", 5), "…");
    }

    #[test]
    fn macro_name_comes_from_the_transform_id() {
        assert_eq!(macro_name("123456789012::Canary"), "Canary");
        assert_eq!(macro_name("Canary"), "Canary");
        assert_eq!(macro_name(""), "CanaryDeployments");
    }
}
