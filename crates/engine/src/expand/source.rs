//! Checks that only a template as its author wrote it allows, with its `Transform` section.
//!
//! CloudFormation hands a template-level macro the template without its `Transform` section, and
//! runs the transforms listed after it on what it returns; so the macro cannot know which transforms
//! run, nor which resources a later one adds. The CLI reads the file itself and knows both: these
//! checks catch, offline, the templates that CloudFormation or SAM would refuse, or that would deploy
//! with the setting ignored.

use std::collections::HashSet;

use crate::cfn::{
    self, GET_ATT, LANGUAGE_EXTENSIONS, REF, SAM_TRANSFORM, SERVERLESS_FUNCTION, SETTING_KEY, SUB, TRANSFORM,
    TRANSFORM_NAME,
};
use crate::diag::{did_you_mean, Diagnostic, Path};
use crate::ids;
use crate::json::{KeyHashing, Map, Value};

use super::index::TemplateIndex;
use super::sam_generated;

/// The template's `Transform` list, and where the ones that matter sit in it.
pub struct Transforms<'a> {
    names: Vec<&'a str>,
    /// This macro, under its own name or a name that starts with it (a second stack of the macro
    /// deployed under another `MacroName`).
    pub ours: Option<usize>,
    pub sam: Option<usize>,
    pub language_extensions: Option<usize>,
}

impl<'a> Transforms<'a> {
    pub fn of(root: &'a Map) -> Transforms<'a> {
        let name = |t: &'a Value| match t {
            Value::String(name) => Some(name.as_str()),
            Value::Object(obj) => obj.get("Name").and_then(Value::as_str),
            _ => None,
        };
        let names: Vec<&str> = match root.get("Transform") {
            Some(Value::Array(list)) => list.iter().filter_map(name).collect(),
            Some(one) => name(one).into_iter().collect(),
            None => Vec::new(),
        };
        let at = |wanted: &dyn Fn(&str) -> bool| names.iter().position(|n| wanted(n));
        Transforms {
            ours: at(&|n| n.starts_with(TRANSFORM_NAME)),
            sam: at(&|n| n == SAM_TRANSFORM),
            language_extensions: at(&|n| n == LANGUAGE_EXTENSIONS),
            names,
        }
    }

    /// Whether every transform is one whose effect on the template's logical IDs and sections is
    /// known: this macro alone. SAM, `AWS::LanguageExtensions` and other macros add resources (and
    /// SAM the `Globals` section), so references and sections are checked only without them.
    fn only_ours(&self) -> bool {
        self.ours.is_some() && self.names.len() == 1
    }

    /// Whether the transforms are this macro and SAM, in either order: SAM's names are known
    /// (`sam_generated.rs`), so references can be checked.
    fn ours_and_sam(&self) -> bool {
        self.ours.is_some() && self.sam.is_some() && self.names.len() == 2
    }

    /// Whether SAM runs before this macro, so that this macro sees `AWS::Lambda::Function`s.
    pub fn sam_first(&self) -> bool {
        matches!((self.sam, self.ours), (Some(sam), Some(ours)) if sam < ours)
    }
}

/// Which transforms run, and whether the marked functions are where they take effect.
pub fn check_transforms(
    root: &Map,
    template_index: &TemplateIndex,
    transforms: &Transforms<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path = Path::root().key("Transform");
    if transforms.ours.is_none() && !template_index.marked.is_empty() {
        let ids: Vec<&str> = template_index.marked.iter().map(|m| m.logical_id.as_str()).collect();
        let misspelled = transforms
            .names
            .iter()
            .find(|n| n.len() <= 2 * TRANSFORM_NAME.len() && did_you_mean(n, &[TRANSFORM_NAME]).is_some());
        let in_properties =
            template_index.marked.iter().find(|m| m.place == super::index::SettingPlace::Properties);
        let what = format!(
            "no Transform lists {TRANSFORM_NAME}, so nothing expands the CanaryDeployment of {}",
            ids.join(", ")
        );
        let diagnostic = match (misspelled, in_properties) {
            (Some(name), _) => Diagnostic::error(
                path.clone(),
                format!(
                    "{what}; Transform lists {name:?}, a macro CloudFormation will not find, so it refuses the \
                     template"
                ),
            )
            .with_help(format!("did you mean {TRANSFORM_NAME:?}?")),
            (None, Some(f)) => Diagnostic::error(
                if root.contains_key("Transform") { path.clone() } else { Path::root() },
                format!(
                    "{what}; {} then refuses {} because CanaryDeployment is not one of its properties",
                    if f.serverless { "SAM" } else { "CloudFormation" },
                    f.logical_id
                ),
            )
            .with_help(add_ours_help(transforms)),
            (None, None) => Diagnostic::warning(
                if root.contains_key("Transform") { path.clone() } else { Path::root() },
                format!("{what}; the stack deploys with no canary and no alias"),
            )
            .with_help(add_ours_help(transforms)),
        };
        diagnostics.push(diagnostic);
    }
    for function in template_index.marked.iter().filter(|f| f.serverless) {
        if transforms.sam.is_none() {
            diagnostics.push(
                Diagnostic::error(
                    Path::resource(&function.logical_id).key("Type"),
                    format!(
                        "{SERVERLESS_FUNCTION} is a SAM resource type and no Transform lists {SAM_TRANSFORM}, so \
                         CloudFormation refuses it (and the version and alias the canary needs would never exist)"
                    ),
                )
                .with_help(format!(
                    "add the SAM transform: `Transform: [{SAM_TRANSFORM}, {TRANSFORM_NAME}]`, or use \
                     AWS::Lambda::Function"
                )),
            );
        } else if transforms.sam_first() && function.place == super::index::SettingPlace::Properties {
            diagnostics.push(
                Diagnostic::error(
                    function.settings_path(),
                    format!(
                        "SAM runs first (it is listed before {TRANSFORM_NAME}) and refuses the property: \
                         CanaryDeployment is not defined for {SERVERLESS_FUNCTION}"
                    ),
                )
                .with_help(format!(
                    "move it to Metadata.{SETTING_KEY} of {}; SAM keeps a function's Metadata",
                    function.logical_id
                )),
            );
        }
    }
}

fn add_ours_help(transforms: &Transforms<'_>) -> String {
    if transforms.sam.is_some() {
        format!("list the macro after SAM: `Transform: [{SAM_TRANSFORM}, {TRANSFORM_NAME}]`")
    } else {
        format!("add `Transform: {TRANSFORM_NAME}` at the top of the template")
    }
}

/// The top-level sections CloudFormation reads; `Globals` is SAM's, read only with its transform.
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
];

/// Top-level keys CloudFormation refuses ("Invalid template property or properties").
pub fn check_sections(root: &Map, transforms: &Transforms<'_>, diagnostics: &mut Vec<Diagnostic>) {
    // Another macro may read sections of its own; SAM reads `Globals`.
    let other_macros = transforms
        .names
        .iter()
        .any(|n| !n.starts_with(TRANSFORM_NAME) && *n != SAM_TRANSFORM && *n != LANGUAGE_EXTENSIONS);
    if other_macros {
        return;
    }
    for key in root.keys() {
        let key = key.as_str();
        if SECTIONS.contains(&key) || (key == "Globals" && transforms.sam.is_some()) {
            continue;
        }
        let mut diagnostic = Diagnostic::error(
            Path::root().key(key),
            format!(
                "{key:?} is not a template section, and CloudFormation refuses the template; accepted are {}{}",
                SECTIONS.join(", "),
                if key == "Globals" { " (Globals only with SAM's transform)" } else { "" }
            ),
        );
        if key.starts_with("//") || key.starts_with("/*") {
            diagnostic =
                diagnostic.with_help("JSON has no comments: remove the comment, which was read as a key");
        } else if let Some(close) = (key.len() <= 64).then(|| did_you_mean(key, SECTIONS)).flatten() {
            diagnostic = diagnostic.with_help(format!("did you mean {close:?}?"));
        } else if key == "Globals" {
            diagnostic = diagnostic.with_help(format!(
                "list {SAM_TRANSFORM} in Transform, or move the settings onto the resources"
            ));
        }
        diagnostics.push(diagnostic);
    }
}

/// One step of the way down to a value, kept on the stack and made a [`Path`] only for a finding.
struct Trail<'a> {
    parent: Option<&'a Trail<'a>>,
    key: Option<&'a str>,
    index: usize,
}

impl Trail<'_> {
    fn path(&self) -> Path {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(t) = at {
            steps.push((t.key, t.index));
            at = t.parent;
        }
        let mut path = Path::root();
        // The root step stands for the template itself.
        for (key, index) in steps.into_iter().rev().skip(1) {
            match key {
                Some(key) => path.push_key(key),
                None => path.push_index(index),
            }
        }
        path
    }
}

struct Walk<'a> {
    resources: HashSet<&'a str, KeyHashing>,
    /// The marked functions, whose generated resources the template may name.
    marked: &'a HashSet<&'a str, KeyHashing>,
    parameters: HashSet<&'a str, KeyHashing>,
    /// What SAM will generate, when it runs: a reference may name it.
    sam: sam_generated::Names<'a>,
    check_references: bool,
    /// Suggestions are looked for only for the first few unresolved references, which bounds the
    /// work a template full of them costs.
    suggestions_left: usize,
    found: Vec<Diagnostic>,
}

/// In one walk over `Resources` and `Outputs` (and the `Rules` and `Conditions` that may name parameters):
/// references to what the template does not declare, and the intrinsic functions this macro cannot
/// stand beside. Each reference is one lookup in a hash set of the template's logical IDs.
pub fn check_references(
    root: &Map,
    marked: &HashSet<&str, KeyHashing>,
    transforms: &Transforms<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ids = |section: &str| -> HashSet<&str, KeyHashing> {
        root.get(section)
            .and_then(Value::as_object)
            .map(|m| m.keys().map(|k| k.as_str()).collect())
            .unwrap_or_default()
    };
    let mut walk = Walk {
        resources: ids("Resources"),
        marked,
        parameters: ids("Parameters"),
        sam: match root.get("Resources").and_then(Value::as_object) {
            Some(resources) if transforms.sam.is_some() => sam_generated::Names::of(resources),
            _ => sam_generated::Names::default(),
        },
        check_references: transforms.only_ours() || transforms.ours_and_sam(),
        suggestions_left: 20,
        found: Vec::new(),
    };
    let top = Trail { parent: None, key: None, index: 0 };
    for section in ["Rules", "Conditions", "Resources", "Outputs"] {
        let Some(value) = root.get(section) else { continue };
        let trail = Trail { parent: Some(&top), key: Some(section), index: 0 };
        let Value::Object(members) = value else { continue };
        for (id, member) in members {
            let here = Trail { parent: Some(&trail), key: Some(id.as_str()), index: 0 };
            if section == "Resources" {
                let marked = walk.marked.contains(id.as_str());
                walk.resource(member, &here, marked);
            } else {
                walk.value(member, &here, 0);
            }
        }
    }
    diagnostics.append(&mut walk.found);
}

impl<'a> Walk<'a> {
    fn resource(&mut self, resource: &Value, trail: &Trail<'_>, marked: bool) {
        let Value::Object(members) = resource else { return };
        for (key, value) in members {
            let here = Trail { parent: Some(trail), key: Some(key.as_str()), index: 0 };
            match (key.as_str(), value) {
                ("DependsOn", Value::String(id)) => self.depends_on(id, &here),
                ("DependsOn", Value::Array(ids)) => {
                    for (i, id) in ids.iter().enumerate() {
                        if let Value::String(id) = id {
                            self.depends_on(id, &Trail { parent: Some(&here), key: None, index: i });
                        }
                    }
                }
                // The setting is checked, and consumed, by the settings parser.
                ("Metadata" | "Properties", Value::Object(holder)) if marked => {
                    if let Some(arg) = holder.get(TRANSFORM) {
                        self.intrinsic(TRANSFORM, arg, &here);
                    }
                    for (k, v) in holder {
                        if k.as_str() != SETTING_KEY {
                            self.value(v, &Trail { parent: Some(&here), key: Some(k.as_str()), index: 0 }, 0);
                        }
                    }
                }
                _ => self.value(value, &here, 0),
            }
        }
    }

    fn depends_on(&mut self, id: &str, trail: &Trail<'_>) {
        if self.check_references && !self.is_resource(id) {
            self.missing_resource(
                trail,
                id,
                format!("DependsOn names {id:?}, which is not a resource of the template"),
            );
        }
    }

    fn value(&mut self, value: &Value, trail: &Trail<'_>, depth: usize) {
        // This walk comes before the scan that refuses what nests deeper than the macro reads: stopping
        // there bounds its recursion, and the scan reports the depth.
        if depth > crate::limits::MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(obj) => {
                if obj.len() == 1 {
                    if let Some((name, arg)) = obj.iter().next() {
                        self.intrinsic(name.as_str(), arg, trail);
                    }
                } else if let Some(arg) = obj.get(TRANSFORM) {
                    // A snippet transform sits beside the keys it processes.
                    self.intrinsic(TRANSFORM, arg, trail);
                }
                for (key, child) in obj {
                    self.value(
                        child,
                        &Trail { parent: Some(trail), key: Some(key.as_str()), index: 0 },
                        depth + 1,
                    );
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.value(child, &Trail { parent: Some(trail), key: None, index: i }, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn intrinsic(&mut self, name: &str, arg: &Value, trail: &Trail<'_>) {
        let here = || Trail { parent: Some(trail), key: Some(name), index: 0 };
        match (name, arg) {
            (TRANSFORM, _) => {
                let macro_name = arg.get("Name").and_then(Value::as_str).unwrap_or_default();
                if macro_name.starts_with(TRANSFORM_NAME) {
                    self.found.push(
                        Diagnostic::error(
                            here().path(),
                            format!(
                                "Fn::Transform calls {macro_name} on a snippet, and the macro expands only whole \
                                 templates: CloudFormation fails the deploy with the macro's error"
                            ),
                        )
                        .with_help(format!("remove the Fn::Transform and list `Transform: {TRANSFORM_NAME}` at the top")),
                    );
                }
            }
            _ if !self.check_references => {}
            (REF, Value::String(id)) if !self.declared(id) => {
                let message =
                    format!("Ref names {id:?}, which is neither a resource nor a parameter of the template");
                self.missing_declared(&here(), id, message);
            }
            (GET_ATT, arg) => {
                if let Some(id) = cfn::get_att_target(arg).filter(|id| !self.is_resource(id)) {
                    let message = format!("Fn::GetAtt names {id:?}, which is not a resource of the template");
                    self.missing_resource(&here(), id, message);
                }
            }
            (SUB, arg) => {
                if let Some((text, vars)) = cfn::sub_parts(arg) {
                    self.sub(text, vars, &here());
                }
            }
            _ => {}
        }
    }

    fn sub(&mut self, text: &str, vars: Option<&Map>, trail: &Trail<'_>) {
        // Each missing name once, in the order the string names them.
        let mut missing = Vec::new();
        let mut seen: HashSet<String, KeyHashing> = HashSet::default();
        cfn::sub_references(text, vars, &mut |id| {
            if !self.declared(id) && seen.insert(id.to_owned()) {
                missing.push(id.to_owned());
            }
        });
        for id in missing {
            self.missing_declared(
                trail,
                &id,
                format!("Fn::Sub names ${{{id}}}, which is neither a resource nor a parameter of the template, nor a variable of the Fn::Sub"),
            );
        }
    }

    fn is_resource(&self, id: &str) -> bool {
        self.resources.contains(id) || self.generated(id) || self.sam.contains(id)
    }

    fn declared(&self, id: &str) -> bool {
        self.is_resource(id)
            || self.parameters.contains(id)
            || cfn::is_pseudo_parameter(id)
            || self.generated(id)
    }

    fn generated(&self, id: &str) -> bool {
        ids::may_be_generated(
            id,
            |hook| self.resources.contains(hook),
            |function| self.marked.contains(function),
        )
    }

    fn missing(&mut self, trail: &Trail<'_>, message: String, help: Option<String>) {
        let mut diagnostic = Diagnostic::error(
            trail.path(),
            format!("{message}; CloudFormation refuses unresolved references"),
        );
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.found.push(diagnostic);
    }

    /// An unresolved reference to `id`, which must be a resource.
    fn missing_resource(&mut self, trail: &Trail<'_>, id: &str, message: String) {
        let help = self.suggest(id, false);
        self.missing(trail, message, help);
    }

    /// An unresolved reference to `id`, which may be a resource or a parameter.
    fn missing_declared(&mut self, trail: &Trail<'_>, id: &str, message: String) {
        let help = self.suggest(id, true);
        self.missing(trail, message, help);
    }

    fn suggest(&mut self, id: &str, parameters_too: bool) -> Option<String> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        let parameters = self.parameters.iter().filter(|_| parameters_too);
        close(id, self.resources.iter().chain(parameters).copied())
    }
}

/// A did-you-mean among the template's names, only for an unresolved reference (rare): names of
/// about the same length, at most 64 bytes, sorted so the suggestion does not depend on hashing.
fn close<'a>(id: &str, names: impl Iterator<Item = &'a str>) -> Option<String> {
    if id.len() > 64 {
        return None;
    }
    let mut near: Vec<&str> = names.filter(|n| n.len().abs_diff(id.len()) <= 3).collect();
    near.sort_unstable();
    near.truncate(256);
    did_you_mean(id, &near).map(|n| format!("did you mean {n:?}?"))
}
