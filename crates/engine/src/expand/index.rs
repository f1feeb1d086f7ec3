//! One pass over `Resources` that finds everything the expansion asks about later: the marked
//! functions and where their settings are, each function's existing versions and aliases, and the
//! settings that sit where they do not belong. Nothing after this pass scans the template per function.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::json::{KeyHashing, Map, Value};

use crate::diag::{Diagnostic, Path};
use crate::json;

pub const SETTING_KEY: &str = "CanaryDeployment";
pub const DEFAULTS_KEY: &str = "CanaryDeployments";
pub const FUNCTION_TYPE: &str = "AWS::Lambda::Function";

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
}

/// The logical ID a `FunctionName`-like value points at: `{Ref: X}`, `{Fn::GetAtt: [X, Arn]}`,
/// `{Fn::GetAtt: "X.Arn"}`.
pub fn referenced_resource(value: &Value) -> Option<&str> {
    let obj = value.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    if let Some(Value::String(id)) = obj.get("Ref") {
        return Some(id);
    }
    match obj.get("Fn::GetAtt")? {
        Value::Array(parts) if parts.len() == 2 && parts[1] == "Arn" => parts[0].as_str(),
        Value::String(dotted) => dotted.strip_suffix(".Arn"),
        _ => None,
    }
}

/// A resource must be an object with a `Type` string, and its `Properties` (if any) an object: a
/// function's version hash and every invoker's rewiring read them so, and anything else would be
/// expanded as if the resource had no properties at all.
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

fn check_shape(logical_id: &str, res: &Value, members: &Members, diagnostics: &mut Vec<Diagnostic>) {
    match members.resource_type {
        Some(Value::String(_)) => {}
        _ if !res.is_object() => diagnostics.push(Diagnostic::error(
            Path::resource(logical_id),
            format!("the resource is {}; a resource is an object with a Type", json::kind(res)),
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

pub fn index(resources: &Map, diagnostics: &mut Vec<Diagnostic>) -> TemplateIndex {
    let mut idx = TemplateIndex::default();
    let mut copies = Vec::new();
    let mut misplaced = Vec::new();
    for (logical_id, resource) in resources {
        let members = resource.as_object().map(Members::of).unwrap_or_default();
        check_shape(logical_id, resource, &members, diagnostics);
        let Some(resource) = resource.as_object() else { continue };
        let resource_type = members.resource_type.and_then(Value::as_str).unwrap_or_default();
        let in_properties = members.properties.and_then(|p| json::get(p, SETTING_KEY));
        let in_metadata = members.metadata.and_then(|m| json::get(m, SETTING_KEY));
        match resource_type {
            FUNCTION_TYPE | super::sam::SERVERLESS_FUNCTION => {
                let serverless = resource_type != FUNCTION_TYPE;
                let condition = members.condition.and_then(Value::as_str).map(str::to_owned);
                match (in_properties, in_metadata) {
                    (Some(_), Some(_)) => diagnostics.push(
                        Diagnostic::error(
                            Path::resource(logical_id).key("Metadata").key(SETTING_KEY),
                            "CanaryDeployment is set in both Properties and Metadata; a function takes one",
                        )
                        .with_help("keep Metadata.CanaryDeployment, which every tool accepts"),
                    ),
                    (Some(raw), None) => idx.marked.push(MarkedFunction {
                        logical_id: logical_id.to_string(),
                        place: SettingPlace::Properties,
                        raw: raw.clone(),
                        condition,
                        serverless,
                    }),
                    (None, Some(raw)) => idx.marked.push(MarkedFunction {
                        logical_id: logical_id.to_string(),
                        place: SettingPlace::Metadata,
                        raw: raw.clone(),
                        condition,
                        serverless,
                    }),
                    (None, None) => {}
                }
            }
            "AWS::ApiGateway::Deployment" | "AWS::ApiGatewayV2::Deployment" => {
                idx.deployments.push(logical_id.to_string());
            }
            "AWS::Lambda::Version" => {
                if let Some(function) = resource
                    .get("Properties")
                    .and_then(|p| p.get("FunctionName"))
                    .and_then(referenced_resource)
                {
                    idx.versions.entry(function.to_owned()).or_insert_with(|| logical_id.to_string());
                }
            }
            "AWS::Lambda::Alias" => {
                let props = resource.get("Properties");
                let function = props.and_then(|p| p.get("FunctionName")).and_then(referenced_resource);
                let name = props.and_then(|p| p.get("Name")).and_then(Value::as_str);
                if let (Some(function), Some(name)) = (function, name) {
                    idx.aliases
                        .entry((function.to_owned(), name.to_owned()))
                        .or_insert_with(|| logical_id.to_string());
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
    // The settings in `Metadata` of each function, and the lengths of those functions' IDs: a copy
    // is looked up by each of its prefixes of those lengths instead of compared with every function.
    let mut in_metadata: HashMap<&str, &Value, KeyHashing> = HashMap::default();
    for f in idx.marked.iter().filter(|f| f.place == SettingPlace::Metadata) {
        in_metadata.insert(f.logical_id.as_str(), &f.raw);
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
            idx.metadata_copies.push(logical_id.to_string());
        } else {
            misplaced.push((logical_id, resource_type, "Metadata"));
        }
    }
    for (logical_id, resource_type, place) in misplaced {
        diagnostics.push(
            Diagnostic::error(
                Path::resource(logical_id).key(place).key(SETTING_KEY),
                format!(
                    "CanaryDeployment is set on {}; it is accepted only on {FUNCTION_TYPE}",
                    if resource_type.is_empty() {
                        "a resource without a Type".to_owned()
                    } else if resource_type.starts_with("AWS::") {
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
    idx
}
