//! Orchestration of one expansion (docs/generated-resources.md).
//!
//! Two phases. *Analysis* reads the template once ([`index`]), parses every marked function's
//! settings, decides every logical ID, and checks that none collides; it changes nothing, so a
//! template with errors comes back untouched. *Generation* then rebuilds `Resources` in one pass,
//! placing each function's version, alias, deployment group and alarms right after it and the shared
//! resources (application, configs, role, hook policies) at the end, and hands the result to
//! [`crate::rewire`].

mod analyse;
mod checks;
mod cycles;
mod generate;
pub(crate) mod index;
mod output;
mod parameters;
mod resources;
mod sam;
mod sam_generated;
mod scan;
mod source;
mod types;

/// The `AWS::Lambda::Function` properties a version does not store (docs/versions.md): a change of
/// one applies to the function at once, outside any canary.
pub use self::resources::version::NOT_VERSIONED;

use self::analyse::analyse;
use self::generate::generate;
use self::output::{compact_json_len, resources_to_add, too_many_for_the_cli, too_many_resources};
use crate::cfn::{SERVERLESS_FUNCTION, SETTING_KEY};
use crate::diag::{self, Diagnostic, Path};
use crate::json::{Map, Value};
use crate::limits;

/// What the expansion knows besides the template. Deliberately no `Default`: a caller states the
/// region, account and parameter values it expands for.
#[derive(Debug, Clone)]
pub struct Context {
    pub region: String,
    pub account_id: String,
    /// Values given for the stack's parameters; a parameter missing here takes its `Default`.
    pub parameter_values: Map,
    /// Where the built-in smoke test hook's zip is, in the stack's Region: the macro's install
    /// publishes it beside the macro's own. `None` makes a template that uses `SmokeTest` an error.
    pub smoke_hook_code: Option<CodeLocation>,
}

/// An S3 object holding a Lambda zip (`Code.S3Bucket`, `Code.S3Key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLocation {
    pub bucket: String,
    pub key: String,
}

/// The result of [`expand`]. When `diagnostics` holds an error, `template` must not be deployed
/// (errors found before generation leave it exactly as it came in).
#[derive(Debug, Clone)]
pub struct Expansion {
    pub template: Value,
    /// Sorted by path.
    pub diagnostics: Vec<Diagnostic>,
    /// One entry per marked function, in template order.
    pub plan: Vec<FunctionPlan>,
    pub stats: Stats,
}

impl Expansion {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// How many of the diagnostics are errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Warns when the template, written as compact JSON in `json_bytes`, is over CloudFormation's
    /// limit for a processed template. [`expand`] and [`expand_source`] do not measure the output
    /// (only [`expand_for_macro`] does, to refuse it), so the caller that serializes reports the size
    /// it wrote: measuring it here would walk the whole output a second time.
    pub fn check_serialized_size(&mut self, json_bytes: usize) {
        if json_bytes > limits::MAX_PROCESSED_TEMPLATE_BYTES {
            let warning = Diagnostic::warning(
                Path::root(),
                format!(
                    "the expanded template is {json_bytes} bytes of JSON, over CloudFormation's limit of {} \
                     bytes for a processed template; the stack will be refused",
                    limits::MAX_PROCESSED_TEMPLATE_BYTES
                ),
            );
            let diagnostics = std::mem::take(&mut self.diagnostics);
            self.diagnostics = diag::finish(diagnostics.into_iter().chain([warning]).collect());
        }
    }

    /// [`Expansion::check_serialized_size`] for a caller that writes something else than compact
    /// JSON (YAML, indented JSON, nothing): counts the bytes without writing them.
    pub fn check_template_size(&mut self) {
        let json_bytes = compact_json_len(&self.template);
        self.check_serialized_size(json_bytes);
    }
}

/// What happens to one marked function, for `plan` and for logs.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionPlan {
    pub function: String,
    pub alias_name: String,
    pub alias_logical_id: String,
    pub enabled: bool,
    /// The deployment config name or shape, as a user reads it.
    pub traffic: String,
    pub pre_traffic_hook: Option<String>,
    pub post_traffic_hook: Option<String>,
    /// Alarms that roll the deployment back, as a user reads them.
    pub alarms: Vec<String>,
    /// Every invoker moved to the alias.
    pub moved: Vec<MovedInvoker>,
    /// The logical ID of the version the alias points at after this deploy (generated or adopted);
    /// `None` when there is none.
    pub version_logical_id: Option<String>,
    /// What Lambda snapshots into a version, as this deploy resolves it (docs/versions.md): a JSON
    /// object of the versioned properties with parameters, conditions, `AWS::NoValue`, mappings and
    /// Lambda's defaults applied, what cannot be known as written; its hash names the version.
    /// `Value::Null` when not computed.
    pub versioned_configuration: Value,
}

/// One invoker moved to an alias: the resource and the exact position of the reference. Kept
/// structured (rendered only by whoever prints a plan), since most expansions are never shown as one.
#[derive(Debug, Clone, PartialEq)]
pub struct MovedInvoker {
    pub resource: String,
    pub path: Path,
    /// What moved, when it is not a reference the macro rewrote (a SAM event source, which SAM itself
    /// points at the alias).
    pub label: Option<String>,
}

impl std::fmt::Display for MovedInvoker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.label.as_deref().unwrap_or(&self.resource), self.path)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub functions_marked: usize,
    pub resources_added: usize,
    pub references_rewired: usize,
}

/// Expands every `CanaryDeployment` in `template`, as the macro does with the fragment CloudFormation
/// hands it (the template without its `Transform` section). Never panics, never fails: problems are
/// diagnostics.
///
/// An output over CloudFormation's limits (500 resources, 1 MB) is still built, with a warning that
/// names the limit: what the CLI shows.
pub fn expand(template: Value, ctx: &Context) -> Expansion {
    expand_as(template, ctx, Origin::Fragment, false)
}

/// [`expand`] for a template as its author wrote it, `Transform` section included (what the CLI
/// reads): it also reports what only the whole template shows, such as a missing or misspelled
/// transform, a section or reference CloudFormation refuses, or SAM's resources without SAM.
pub fn expand_source(template: Value, ctx: &Context) -> Expansion {
    expand_as(template, ctx, Origin::Source, false)
}

/// What `expand` of a template as written should say beside its output, which no diagnostic says:
/// with SAM listed first, CloudFormation runs SAM before the macro, which the offline expansion
/// cannot do.
pub fn expand_note(template: &Value) -> Option<String> {
    let root = template.as_object()?;
    let serverless = root.get("Resources")?.as_object()?.values().any(|r| {
        r.get("Type").and_then(Value::as_str) == Some(SERVERLESS_FUNCTION)
            && [r.get("Metadata"), r.get("Properties")]
                .into_iter()
                .flatten()
                .any(|h| h.get(SETTING_KEY).is_some())
    });
    (serverless && source::Transforms::of(root).sam_first()).then(|| {
        "SAM is listed before CanaryDeployments, so at deploy time SAM runs first and this macro expands the \
         AWS::Lambda::Functions SAM generates; offline, without SAM, the marked AWS::Serverless::Functions \
         are written as SAM DeploymentPreferences instead, which deploy the same canaries under SAM's \
         resource names"
            .to_owned()
    })
}

/// Where the template comes from, and so what the expansion can know about its transforms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The macro's fragment: no `Transform` section.
    Fragment,
    /// The template as written.
    Source,
}

/// [`expand`] for the macro, which can only return what CloudFormation accepts: an output over
/// CloudFormation's limits is an error found before it is built or written. The resources it would
/// have are counted from the input and, after analysis, from what generation would add; its size as
/// compact JSON is counted (without writing it) before anyone serializes it. So an input of any size
/// costs no more than reading it, however much its expansion would have held.
pub fn expand_for_macro(template: Value, ctx: &Context) -> Expansion {
    expand_as(template, ctx, Origin::Fragment, true)
}

fn expand_as(template: Value, ctx: &Context, origin: Origin, within_limits: bool) -> Expansion {
    let mut diagnostics = Vec::new();
    let n_input = template.get("Resources").and_then(Value::as_object).map_or(0, Map::len);
    if within_limits {
        // Every input resource stays in the output: past the limit already, nothing is worth analysing.
        if n_input > limits::MAX_RESOURCES {
            diagnostics.push(too_many_resources(n_input, "has"));
            return Expansion { template, diagnostics, plan: Vec::new(), stats: Stats::default() };
        }
    }
    let bounds = if within_limits {
        Bounds {
            resources: limits::MAX_RESOURCES,
            settings_bytes: limits::MAX_PROCESSED_TEMPLATE_BYTES,
            settings_bytes_of: "CloudFormation accepts in a processed template",
        }
    } else {
        Bounds {
            resources: limits::MAX_CLI_RESOURCES,
            settings_bytes: limits::MAX_CLI_SETTINGS_BYTES,
            settings_bytes_of: "this CLI expands (sixteen times what CloudFormation accepts)",
        }
    };
    let decided = analyse(&template, ctx, origin, &bounds, &mut diagnostics);
    let mut errors = diagnostics.iter().any(Diagnostic::is_error);
    let mut predicted = None;
    if let (false, Some(decisions)) = (errors, &decided) {
        let to_add = resources_to_add(decisions);
        let n_output = n_input + to_add;
        predicted = Some(to_add);
        if n_output > bounds.resources {
            diagnostics.push(if within_limits {
                too_many_resources(n_output, "would have")
            } else {
                too_many_for_the_cli(n_output)
            });
            errors = true;
        }
    }
    let (template, plan, stats) = match (decided, template) {
        (Some(decisions), Value::Object(mut root)) if !errors => {
            match root.get_mut("Resources").map(std::mem::take) {
                Some(Value::Object(resources)) => generate(root, resources, decisions, &mut diagnostics),
                // Analysis accepts only an object `Resources`, so this is not reached; should it be,
                // the taken value goes back (a missing `Resources` comes back as null).
                other => {
                    root.insert("Resources", other.unwrap_or(Value::Null));
                    (Value::Object(root), Vec::new(), Stats::default())
                }
            }
        }
        (_, template) => (template, Vec::new(), Stats::default()),
    };
    if let (Some(predicted), false) = (predicted, errors) {
        // Exact but for the alias permissions, planned for every permission that names a marked
        // function while rewiring adds them only beside the permissions that stay.
        debug_assert!(stats.resources_added <= predicted, "the resource count predicted before generation");
    }
    if within_limits && !diagnostics.iter().any(Diagnostic::is_error) {
        let json_bytes = compact_json_len(&template);
        if json_bytes > limits::MAX_PROCESSED_TEMPLATE_BYTES {
            diagnostics.push(Diagnostic::error(
                Path::root(),
                format!(
                    "the expanded template would be {json_bytes} bytes of JSON, over CloudFormation's limit of {} \
                     bytes for a processed template; split the template into nested stacks",
                    limits::MAX_PROCESSED_TEMPLATE_BYTES
                ),
            ));
        }
    }
    Expansion { template, diagnostics: diag::finish(diagnostics), plan, stats }
}

/// How far an expansion may go before it is refused unbuilt: CloudFormation's limits for the macro,
/// which cannot return more, and far beyond them for the CLI, which shows an over-limit expansion with
/// a warning but must stay within its memory on any input.
struct Bounds {
    resources: usize,
    /// Bytes of settings values the marked functions copy into the output (see [`output::settings_bytes`]).
    settings_bytes: usize,
    /// Whose bound `settings_bytes` is, ending the error "… more than the N bytes {this}".
    settings_bytes_of: &'static str,
}
