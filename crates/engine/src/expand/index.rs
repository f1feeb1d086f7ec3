//! One pass over `Resources` that finds everything the expansion asks about later: the marked
//! functions and where their settings are, each function's existing versions and aliases, and the
//! settings that sit where they do not belong. Nothing after this pass scans the template per function.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::cfn::{self, DEFAULTS_KEY, LAMBDA_FUNCTION, SERVERLESS_FUNCTION, SETTING_KEY};
use crate::diag::{did_you_mean, Diagnostic, Path};
use crate::json::{self, KeyHashing, Map, Value};

/// Where a function's settings were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingPlace {
    Properties,
    Metadata,
}

impl SettingPlace {
    pub fn key(self) -> &'static str {
        match self {
            SettingPlace::Properties => "Properties",
            SettingPlace::Metadata => "Metadata",
        }
    }
}

#[derive(Debug, Clone)]
pub struct MarkedFunction {
    pub logical_id: String,
    pub place: SettingPlace,
    pub raw: Value,
    pub condition: Option<String>,
    /// An `AWS::Serverless::Function` of a us-first template: SAM, running after us, generates its
    /// version, alias and deployment group from what [`super::sam`] writes.
    pub serverless: bool,
}

impl MarkedFunction {
    pub fn settings_path(&self) -> Path {
        Path::resource(&self.logical_id).key(self.place.key()).key(SETTING_KEY)
    }
}

#[derive(Debug, Default)]
pub struct TemplateIndex {
    /// Marked functions, in template order.
    pub marked: Vec<MarkedFunction>,
    /// The first `AWS::Lambda::Version` of each function, by function logical ID.
    pub versions: BTreeMap<String, String>,
    /// Existing aliases by (function logical ID, alias name).
    pub aliases: BTreeMap<(String, String), String>,
    /// Resources that carry a copy of a marked function's `Metadata.CanaryDeployment`: SAM copies a
    /// function's `Metadata` onto resources it generates for it (`<Fn>EventInvokeConfig`). The copy is
    /// consumed with the original rather than reported as a setting on a non-function.
    pub metadata_copies: Vec<String>,
    /// API Gateway deployments (REST and V2), whose renaming rewiring may need.
    pub deployments: Vec<String>,
    /// Each `AWS::Lambda::Permission` whose `FunctionName` names a marked function, with that
    /// function: rewiring may keep it on the function and add the alias's permission beside it.
    pub permissions: Vec<(String, String)>,
}

/// The logical ID a `FunctionName`-like value points at: `{Ref: X}`, `{Fn::GetAtt: [X, Arn]}`,
/// `{Fn::GetAtt: "X.Arn"}`.
pub fn referenced_resource(value: &Value) -> Option<&str> {
    match cfn::single_key(value)? {
        (cfn::REF, Value::String(id)) => Some(id),
        (cfn::GET_ATT, arg) => {
            cfn::get_att_parts(arg).filter(|(_, attribute)| *attribute == "Arn").map(|(id, _)| id)
        }
        _ => None,
    }
}

/// How a `FunctionName` may name a function of the template besides [`referenced_resource`]: the
/// same literal (a name, or an ARN ending in `:function:<name>`) or the same `Fn::Sub` string as the
/// function's own `FunctionName`, or `${Fn}` / `${Fn.Arn}` alone in a `Fn::Sub`.
enum NamedBy<'a> {
    Resource(&'a str),
    /// A logical ID read by the reference readers, which copy it.
    Id(String),
    /// A key into the functions' `FunctionName`s (see [`name_key`]).
    Name(String),
}

fn named_by(value: &Value) -> Option<NamedBy<'_>> {
    if let Some(id) = referenced_resource(value) {
        return Some(NamedBy::Resource(id));
    }
    if let Some((cfn::SUB, Value::String(text))) = cfn::single_key(value) {
        if let Some(name) = cfn::sole_placeholder(text) {
            let id = name.strip_suffix(".Arn").unwrap_or(name);
            if !id.contains('.') && !id.starts_with(cfn::AWS_PREFIX) {
                return Some(NamedBy::Resource(id));
            }
        }
    }
    let key = match value {
        Value::String(s) => {
            let name = s.rsplit_once(":function:").map_or(s.as_str(), |(_, rest)| rest);
            // A qualified ARN names a version or alias, not the function.
            if name.contains(':') {
                return None;
            }
            name.to_owned()
        }
        _ => name_key(value)?,
    };
    Some(NamedBy::Name(key))
}

/// The key under which a function's `FunctionName` is looked up: the literal itself, or a `Fn::Sub`
/// string marked so that it never equals a literal (a `Ref` to a parameter as the `Fn::Sub` of it).
fn name_key(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.to_string()),
        _ => match cfn::single_key(value)? {
            (cfn::SUB, Value::String(text)) => Some(format!("\u{0}{text}")),
            (cfn::REF, Value::String(id)) if !cfn::is_pseudo_parameter(id) => Some(format!("\u{0}${{{id}}}")),
            _ => None,
        },
    }
}

/// Every name a permission's `FunctionName` may give a function by (what rewiring recognises, and
/// more): the whole of each literal or `Fn::Sub` string, and each name after `function:`, under
/// both keys of [`name_key`]; a `Ref` as the `Fn::Sub` of it. A superset, so that the alias
/// permissions planned cover every one rewiring may add.
fn names_in<'a>(value: &'a Value, out: &mut Vec<NamedBy<'a>>, depth: usize) {
    if depth > crate::limits::MAX_DEPTH {
        return;
    }
    let text = |text: &str, out: &mut Vec<NamedBy<'a>>| {
        for at in cfn::function_names(text, true) {
            out.push(NamedBy::Name(at.name.to_owned()));
            out.push(NamedBy::Name(format!("\u{0}{}", at.name)));
        }
    };
    if let Value::String(s) = value {
        return text(s, out);
    }
    match cfn::single_key(value) {
        Some((cfn::REF, Value::String(id))) => out.push(NamedBy::Name(format!("\u{0}${{{id}}}"))),
        Some((cfn::SUB, arg)) => {
            if let Some((s, vars)) = cfn::sub_parts(arg) {
                text(s, out);
                vars.into_iter().flat_map(Map::values).for_each(|v| names_in(v, out, depth + 1));
            }
        }
        Some((cfn::JOIN | cfn::IF, Value::Array(items))) => {
            for item in items {
                match item {
                    Value::Array(elems) => elems.iter().for_each(|e| names_in(e, out, depth + 1)),
                    other => names_in(other, out, depth + 1),
                }
            }
        }
        _ => {}
    }
}

/// The members of a resource the index reads, found in one pass over it.
#[derive(Default)]
struct Members<'a> {
    resource_type: Option<&'a Value>,
    properties: Option<&'a Value>,
    metadata: Option<&'a Value>,
    condition: Option<&'a Value>,
}

impl<'a> Members<'a> {
    fn of(resource: &'a Map) -> Members<'a> {
        let mut members = Members::default();
        for (key, value) in resource {
            match key.as_str() {
                "Type" => members.resource_type = Some(value),
                "Properties" => members.properties = Some(value),
                "Metadata" => members.metadata = Some(value),
                "Condition" => members.condition = Some(value),
                _ => {}
            }
        }
        members
    }
}

/// A resource must be an object with a `Type` string, and its `Properties` (if any) an object: a
/// function's version hash and every invoker's rewiring read them so, and anything else would be
/// expanded as if the resource had no properties at all.
fn check_shape(logical_id: &str, resource: &Value, members: &Members<'_>, diagnostics: &mut Vec<Diagnostic>) {
    match members.resource_type {
        Some(Value::String(_)) => {}
        _ if !resource.is_object() => diagnostics.push(Diagnostic::error(
            Path::resource(logical_id),
            format!("the resource is {}; a resource is an object with a Type", json::kind(resource)),
        )),
        found => diagnostics.push(Diagnostic::error(
            Path::resource(logical_id).key("Type"),
            format!(
                "Type is {}; every resource needs a Type string such as AWS::Lambda::Function",
                found.map_or("missing", json::kind)
            ),
        )),
    }
    match members.properties {
        None | Some(Value::Object(_)) => {}
        Some(other) => diagnostics.push(Diagnostic::error(
            Path::resource(logical_id).key("Properties"),
            format!(
                "Properties is {}; resource properties are an object of name to value",
                json::kind(other)
            ),
        )),
    }
}

/// How many distinct resource types the index looks up among the known ones.
const MAX_TYPES_LOOKED_UP: usize = 256;

/// Indexes `resources`. `for_each_expanded_first` says that `AWS::LanguageExtensions` runs before the
/// macro, so that the macro never sees the `Fn::ForEach` loops the template holds.
pub fn index(
    resources: &Map,
    for_each_expanded_first: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> TemplateIndex {
    let mut template_index = TemplateIndex::default();
    let mut copies = Vec::new();
    // Functions by their `FunctionName`, and the versions and aliases that name a function that way:
    // resolved after the pass, since a function may come after its aliases.
    let mut by_name: HashMap<String, &str> = HashMap::new();
    let mut named_versions = Vec::new();
    let mut named_aliases = Vec::new();
    let mut permissions = Vec::new();
    let mut misplaced = Vec::new();
    let mut types_seen: HashMap<&str, Option<String>, KeyHashing> = HashMap::default();
    for (logical_id, resource) in resources {
        if logical_id.starts_with(cfn::FOR_EACH_PREFIX) {
            diagnostics.push(for_each(logical_id, for_each_expanded_first));
            continue;
        }
        if logical_id == cfn::TRANSFORM {
            diagnostics.push(included_resources(resource));
            continue;
        }
        let members = resource.as_object().map(Members::of).unwrap_or_default();
        check_shape(logical_id, resource, &members, diagnostics);
        let Some(resource) = resource.as_object() else { continue };
        let resource_type = members.resource_type.and_then(Value::as_str).unwrap_or_default();
        // Each distinct type is looked up once, and only the first few hundred of them: a template of
        // thousands of distinct made-up types costs no more than that.
        let suggestion = match types_seen.get(resource_type) {
            Some(seen) => seen.as_ref(),
            None if types_seen.len() < MAX_TYPES_LOOKED_UP => {
                let found = super::types::suggest(resource_type);
                types_seen.entry(resource_type).or_insert(found).as_ref()
            }
            None => None,
        };
        if let Some(known) = suggestion {
            diagnostics.push(
                Diagnostic::error(
                    Path::resource(logical_id).key("Type"),
                    format!(
                        "{resource_type:?} is not a CloudFormation resource type, so the template is refused"
                    ),
                )
                .with_help(format!("did you mean {known:?}?")),
            );
        }
        let in_properties = members.properties.and_then(|p| json::get(p, SETTING_KEY));
        let in_metadata = members.metadata.and_then(|m| json::get(m, SETTING_KEY));
        match resource_type {
            LAMBDA_FUNCTION | SERVERLESS_FUNCTION => {
                let serverless = resource_type != LAMBDA_FUNCTION;
                for (place, holder) in [("Metadata", members.metadata), ("Properties", members.properties)] {
                    if let Some(Value::Object(holder)) = holder {
                        near_misses(logical_id, place, holder, diagnostics);
                    }
                }
                if let Some(key) = members.properties.and_then(|p| p.get("FunctionName")).and_then(name_key) {
                    by_name.entry(key).or_insert(logical_id.as_str());
                }
                let condition = members.condition.and_then(Value::as_str).map(str::to_owned);
                match (in_properties, in_metadata) {
                    (Some(_), Some(_)) => diagnostics.push(
                        Diagnostic::error(
                            Path::resource(logical_id).key("Metadata").key(SETTING_KEY),
                            "CanaryDeployment is set in both Properties and Metadata; a function takes one",
                        )
                        .with_help("keep Metadata.CanaryDeployment, which every tool accepts"),
                    ),
                    (Some(raw), None) | (None, Some(raw)) => template_index.marked.push(MarkedFunction {
                        logical_id: logical_id.to_string(),
                        place: if in_properties.is_some() {
                            SettingPlace::Properties
                        } else {
                            SettingPlace::Metadata
                        },
                        raw: raw.clone(),
                        condition,
                        serverless,
                    }),
                    (None, None) => {}
                }
            }
            cfn::API_GATEWAY_DEPLOYMENT | cfn::API_GATEWAY_V2_DEPLOYMENT => {
                template_index.deployments.push(logical_id.to_string());
            }
            cfn::LAMBDA_VERSION => {
                let function =
                    resource.get("Properties").and_then(|p| p.get("FunctionName")).and_then(named_by);
                if let Some(function) = function {
                    named_versions.push((function, logical_id.as_str()));
                }
            }
            cfn::LAMBDA_PERMISSION => {
                if let Some(name) = resource.get("Properties").and_then(|p| p.get("FunctionName")) {
                    let mut ids = Vec::new();
                    crate::rewire::ids_named(name, &|_| true, &mut ids);
                    let mut named: Vec<NamedBy<'_>> = ids.into_iter().map(NamedBy::Id).collect();
                    names_in(name, &mut named, 0);
                    for function in named {
                        permissions.push((logical_id.as_str(), function));
                    }
                }
            }
            cfn::LAMBDA_ALIAS => {
                let props = resource.get("Properties");
                let function = props.and_then(|p| p.get("FunctionName")).and_then(named_by);
                let name = props.and_then(|p| p.get("Name")).and_then(Value::as_str);
                if let (Some(function), Some(name)) = (function, name) {
                    named_aliases.push((function, name, logical_id.as_str()));
                }
            }
            _ => {
                if let Some(raw) = in_metadata {
                    copies.push((logical_id, resource_type, raw));
                }
                if in_properties.is_some() {
                    misplaced.push((logical_id, resource_type, "Properties"));
                }
            }
        }
    }
    let function_of = |named: &NamedBy<'_>| match named {
        NamedBy::Resource(id) => Some(id.to_string()),
        NamedBy::Id(id) => Some(id.clone()),
        NamedBy::Name(key) => by_name.get(key).map(|id| id.to_string()),
    };
    for (function, logical_id) in named_versions {
        if let Some(function) = function_of(&function) {
            template_index.versions.entry(function).or_insert_with(|| logical_id.to_owned());
        }
    }
    for (function, name, logical_id) in named_aliases {
        if let Some(function) = function_of(&function) {
            template_index
                .aliases
                .entry((function, name.to_owned()))
                .or_insert_with(|| logical_id.to_owned());
        }
    }
    let marked: std::collections::HashSet<&str, KeyHashing> =
        template_index.marked.iter().map(|m| m.logical_id.as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    for (permission, function) in permissions {
        if let Some(function) = function_of(&function).filter(|f| marked.contains(f.as_str())) {
            if seen.insert((permission, function.clone())) {
                template_index.permissions.push((permission.to_owned(), function));
            }
        }
    }
    // The settings in `Metadata` of each function, and the lengths of those functions' IDs: a copy
    // is looked up by each of its prefixes of those lengths instead of compared with every function.
    let mut in_metadata: HashMap<&str, &Value, KeyHashing> = HashMap::default();
    for function in template_index.marked.iter().filter(|f| f.place == SettingPlace::Metadata) {
        in_metadata.insert(function.logical_id.as_str(), &function.raw);
    }
    let lengths: BTreeSet<usize> = in_metadata.keys().map(|id| id.len()).collect();
    let mut originals = Vec::new();
    for (logical_id, resource_type, raw) in copies {
        let original = lengths.iter().take_while(|&&n| n <= logical_id.len()).any(|&n| {
            logical_id.get(..n).and_then(|prefix| in_metadata.get(prefix)).is_some_and(|r| *r == raw)
        });
        originals.push((logical_id, resource_type, original));
    }
    for (logical_id, resource_type, original) in originals {
        if original {
            template_index.metadata_copies.push(logical_id.to_string());
        } else {
            misplaced.push((logical_id, resource_type, "Metadata"));
        }
    }
    for (logical_id, resource_type, place) in misplaced {
        diagnostics.push(
            Diagnostic::error(
                Path::resource(logical_id).key(place).key(SETTING_KEY),
                format!(
                    "CanaryDeployment is set on {}; it is accepted only on {LAMBDA_FUNCTION}",
                    if resource_type.is_empty() {
                        "a resource without a Type".to_owned()
                    } else if resource_type.starts_with(cfn::AWS_PREFIX) {
                        format!("an {resource_type}")
                    } else {
                        format!("a {resource_type}")
                    }
                ),
            )
            .with_help(
                "for AWS::Serverless::Function, use Metadata.CanaryDeployment with SAM's transform listed first",
            ),
        );
    }
    template_index
}

/// A key of a function's `Metadata` or `Properties` that was likely meant to be `CanaryDeployment`:
/// the template-level `CanaryDeployments`, another case, or a near miss. The function would otherwise
/// deploy unmarked, with no word said.
fn near_misses(logical_id: &str, place: &str, holder: &Map, diagnostics: &mut Vec<Diagnostic>) {
    for key in holder.keys() {
        let key = key.as_str();
        // Only keys of about the setting's length can be close to it; this bounds the comparison.
        if key == SETTING_KEY || key.len().abs_diff(SETTING_KEY.len()) > 4 {
            continue;
        }
        let message = if key == DEFAULTS_KEY {
            format!(
                "{place}.{DEFAULTS_KEY} is not read on a function: a function's setting is {SETTING_KEY} (singular), \
                 and {DEFAULTS_KEY} holds defaults in the template's own Metadata; the function is not marked"
            )
        } else if did_you_mean(key, &[SETTING_KEY]).is_some() {
            format!(
                "{place}.{key} is not read: the setting is spelled {SETTING_KEY}; the function is not marked"
            )
        } else {
            continue;
        };
        diagnostics.push(
            Diagnostic::error(Path::resource(logical_id).key(place).key(key), message)
                .with_help(format!("did you mean {SETTING_KEY:?}?")),
        );
    }
}

/// A `Fn::Transform` (`AWS::Include`) as a key of `Resources`: CloudFormation inserts the snippet it
/// names when it processes the template's transforms; offline the snippet is not read, so nothing
/// about the resources it adds is checked here, and the rest of the template is expanded.
fn included_resources(transform: &Value) -> Diagnostic {
    let name = transform.get("Name").and_then(Value::as_str).unwrap_or("a transform");
    let location = transform
        .get("Parameters")
        .and_then(|p| p.get("Location"))
        .and_then(Value::as_str)
        .map(|l| format!(" from {l}"))
        .unwrap_or_default();
    Diagnostic::warning(
        Path::resource(cfn::TRANSFORM),
        format!(
            "{name} adds resources{location} to Resources when CloudFormation processes the template; offline \
             they are not seen: neither checked nor expanded, and their invokers of a marked function are not \
             moved here"
        ),
    )
    .with_help("to check the included resources offline, expand a copy of the template with the snippet pasted into Resources")
}

/// A `Fn::ForEach` loop among the resources: `AWS::LanguageExtensions` expands it, and must do so
/// before this macro runs for the macro to see the resources the loop makes.
fn for_each(logical_id: &str, expanded_first: bool) -> Diagnostic {
    let path = Path::resource(logical_id);
    if expanded_first {
        Diagnostic::warning(
            path,
            "Fn::ForEach is expanded by AWS::LanguageExtensions before this macro runs; offline, the resources \
             it makes are neither checked nor expanded here",
        )
    } else {
        Diagnostic::error(
            path,
            "Fn::ForEach is a function of the AWS::LanguageExtensions transform, which must run before \
             CanaryDeployments: otherwise the macro sees the loop, not the resources it makes",
        )
        .with_help("list the transforms as `Transform: [AWS::LanguageExtensions, CanaryDeployments]`")
    }
}
