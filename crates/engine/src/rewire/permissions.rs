//! Which `AWS::Lambda::Permission`s move to the alias (docs/rewiring.md, permissions).
//!
//! A permission moves only when every invoker it serves moves: Lambda checks a permission against
//! the function or alias ARN the caller invokes, so a permission moved while its invoker still calls
//! the function breaks that invoker. The invokers a permission serves are the resources its
//! `SourceArn` names (by reference, or an S3 bucket by the name the template gives it); without a
//! `SourceArn`, any invoker of the function. Where one of them stays on the function, or lives
//! outside the template, the permission stays and an alias permission is added beside it, so
//! whichever the service invokes is allowed, and the user is told which invoker to repoint.

use std::collections::{HashMap, HashSet};

use crate::cfn;
use crate::diag::{Diagnostic, Path};
use crate::ids;
use crate::json::{KeyHashing, Map, Value};

use super::{matcher, table, Targets};

/// A permission kept on its function, with the alias permission generation adds beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptPermission {
    /// The user's permission, which stays as written.
    pub permission: String,
    /// The marked function whose alias gains a permission.
    pub function: String,
    /// Logical ID of the alias permission (`ids::alias_permission`).
    pub logical_id: String,
    /// The permission's `FunctionName` pointed at the alias.
    pub function_name: Value,
    /// The alias, when `function_name` names it by its name rather than referencing it: the new
    /// permission must wait for it.
    pub depends_on: Option<String>,
}

/// The functions each invoker moved to their aliases, and the resources it names that a permission's
/// `SourceArn` names too (a subscription's topic, a method's API, a subscription filter's log group),
/// which it serves as well. Kept as links, not as their product: an invoker that moved many
/// functions and names many resources costs their sum.
#[derive(Default)]
pub(super) struct Served {
    /// Each invoker with the functions it moved.
    by_invoker: HashMap<String, HashSet<String, KeyHashing>, KeyHashing>,
    /// Each function with the invokers that moved it, and their types.
    invokers_of: HashMap<String, Vec<(String, &'static str)>, KeyHashing>,
    /// Each resource with the invokers that name it.
    credits: HashMap<String, HashSet<String, KeyHashing>, KeyHashing>,
}

impl Served {
    /// `invoker`, of `resource_type`, moved `function`.
    pub(super) fn moved(&mut self, invoker: &str, resource_type: &'static str, function: &str) {
        let functions = self.by_invoker.entry(invoker.to_owned()).or_default();
        if functions.insert(function.to_owned()) {
            self.invokers_of
                .entry(function.to_owned())
                .or_default()
                .push((invoker.to_owned(), resource_type));
        }
    }

    /// `invoker`, which moved something, names `resource`.
    pub(super) fn names(&mut self, invoker: &str, resource: &str) {
        if invoker != resource {
            self.credits.entry(resource.to_owned()).or_default().insert(invoker.to_owned());
        }
    }

    /// Whether `resource` moved `function`, or is named by an invoker that moved it; the smaller of
    /// the two sides is walked.
    fn serves(&self, resource: &str, function: &str) -> bool {
        if self.by_invoker.get(resource).is_some_and(|fs| fs.contains(function)) {
            return true;
        }
        let (Some(credits), Some(invokers)) = (self.credits.get(resource), self.invokers_of.get(function))
        else {
            return false;
        };
        if credits.len() <= invokers.len() {
            credits.iter().any(|i| self.by_invoker.get(i).is_some_and(|fs| fs.contains(function)))
        } else {
            invokers.iter().any(|(i, _)| credits.contains(i))
        }
    }

    /// Whether an invoker the `principal` stands for (any, for a principal the table does not
    /// know) moved `function`.
    fn moved_for(&self, function: &str, principal: Option<&str>) -> bool {
        let Some(invokers) = self.invokers_of.get(function) else { return false };
        match principal.and_then(table::invokers_of_principal) {
            Some(types) => invokers.iter().any(|(_, t)| types.contains(t)),
            None => true,
        }
    }
}

/// What decides a template's permissions, read once for all of them.
pub(super) struct Invokers<'a> {
    resources: &'a Map,
    targets: &'a Targets<'a>,
    served: &'a Served,
    unseen_apis: &'a HashSet<crate::json::Str, KeyHashing>,
    /// S3 buckets by the name the template gives them ([`name_key`]), for a `SourceArn` built from it.
    buckets: HashMap<String, &'a str, KeyHashing>,
    /// The marked functions each resource names anywhere in its properties, read at most once each.
    mentions: HashMap<&'a str, Vec<String>, KeyHashing>,
    /// [`Served::serves`] by (resource, function), each pair worked out once.
    serves: HashMap<(String, String), bool>,
}

/// Why a permission stays on its function for one marked function.
enum Stays {
    /// Invokers of the template that keep invoking the function itself.
    Invokers(Vec<String>),
    /// The `SourceArn` names resources of the template none of which invokes the function through a
    /// position the macro moves.
    Unmoved(Vec<String>),
    /// The `SourceArn` names nothing in the template: the invoker is outside it.
    Outside,
    /// No `SourceArn`, and no invoker of the template moved to the alias.
    NoInvoker,
}

impl<'a> Invokers<'a> {
    pub(super) fn new(
        resources: &'a Map,
        targets: &'a Targets<'a>,
        served: &'a Served,
        unseen_apis: &'a HashSet<crate::json::Str, KeyHashing>,
    ) -> Invokers<'a> {
        let mut buckets = HashMap::default();
        for (id, resource) in resources {
            if crate::json::get_str(resource, "Type") != Some(cfn::S3_BUCKET) {
                continue;
            }
            let name = resource.get("Properties").and_then(|p| p.get("BucketName"));
            if let Some(key) = name.and_then(name_key) {
                buckets.insert(key, id.as_str());
            }
        }
        Invokers {
            resources,
            targets,
            served,
            unseen_apis,
            buckets,
            mentions: HashMap::default(),
            serves: HashMap::new(),
        }
    }

    /// Decides the permission `id` with `properties`: `None` when it moves to the alias, otherwise
    /// the permissions to add beside it (one per marked function it names), with a warning for each.
    pub(super) fn decide(
        &mut self,
        id: &str,
        properties: &Map,
        source_arn_key: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Vec<KeptPermission>> {
        let targets = self.targets;
        let function_name = properties.get("FunctionName")?;
        let mut functions = Vec::new();
        matcher::referenced(function_name, targets, &mut functions);
        if functions.is_empty() {
            return None;
        }
        let source_arn = properties.get(source_arn_key);
        let principal = properties.get("Principal").and_then(Value::as_str);
        // A wildcard that names no resource of the template serves whatever matches it, as a
        // permission without `SourceArn` serves any invoker of its principal.
        let named = source_arn.map(|arn| self.named_by(arn)).filter(|named| {
            !named.is_empty() || !source_arn.is_some_and(|arn| arn.to_string().contains('*'))
        });
        let verdicts: Vec<(String, Option<Stays>)> = functions
            .into_iter()
            .map(|function| {
                let stays = self.stays(&function, named.as_deref(), principal);
                (function, stays)
            })
            .collect();
        if verdicts.iter().all(|(_, stays)| stays.is_none()) {
            return None;
        }
        let mut kept = Vec::with_capacity(verdicts.len());
        for (function, stays) in verdicts {
            let only = targets.only(&function);
            let mut alias_name = function_name.clone();
            let mut moves = Vec::new();
            let path = Path::resource(id).key("Properties").key("FunctionName");
            matcher::rewrite(&mut alias_name, &path, &only, &mut moves);
            let target = &targets[function.as_str()];
            let logical_id = ids::alias_permission(id, &function);
            if let Some(stays) = &stays {
                diagnostics.push(warning(
                    id,
                    &function,
                    &logical_id,
                    target,
                    properties,
                    source_arn_key,
                    stays,
                ));
            }
            kept.push(KeptPermission {
                permission: id.to_owned(),
                depends_on: moves.iter().any(|m| m.by_name).then(|| target.alias_logical_id.clone()),
                function,
                logical_id,
                function_name: alias_name,
            });
        }
        Some(kept)
    }

    /// Whether the permission, for `function`, must stay on it, and why (`None`: it moves).
    fn stays(&mut self, function: &str, named: Option<&[String]>, principal: Option<&str>) -> Option<Stays> {
        let Some(named) = named else {
            return (!self.served.moved_for(function, principal)).then_some(Stays::NoInvoker);
        };
        if named.is_empty() {
            return Some(Stays::Outside);
        }
        let mut moved = false;
        let mut staying = Vec::new();
        for resource in named {
            let served = self.served;
            let key = (resource.clone(), function.to_owned());
            if *self.serves.entry(key).or_insert_with(|| served.serves(resource, function)) {
                moved = true;
            } else if self.unseen_apis.contains(resource.as_str()) || self.mentions(resource, function) {
                staying.push(resource.clone());
            }
        }
        match (moved, staying.is_empty()) {
            (true, true) => None,
            (_, false) => Some(Stays::Invokers(staying)),
            (false, true) => Some(Stays::Unmoved(named.to_vec())),
        }
    }

    /// Whether `resource`'s properties name `function` anywhere.
    fn mentions(&mut self, resource: &str, function: &str) -> bool {
        let Some((id, value)) = self.resources.get_key_value(resource) else { return false };
        let targets = self.targets;
        let found = self.mentions.entry(id.as_str()).or_insert_with(|| {
            let mut found = Vec::new();
            if let Some(properties) = value.get("Properties") {
                let mut at = Vec::new();
                matcher::references_under(properties, &Path::resource(id), targets, &mut at);
                for (_, f) in at {
                    if !found.contains(&f) {
                        found.push(f);
                    }
                }
            }
            found
        });
        found.iter().any(|f| f == function)
    }

    /// The resources of the template a `SourceArn` names: by reference, or a bucket by its name.
    fn named_by(&self, source_arn: &Value) -> Vec<String> {
        let mut named = Vec::new();
        matcher::ids_named(source_arn, &|id| self.resources.contains_key(id), &mut named);
        if let Some(bucket) = bucket_of(source_arn).and_then(|key| self.buckets.get(key.as_str())) {
            if !named.iter().any(|n| n == bucket) {
                named.push((*bucket).to_owned());
            }
        }
        named
    }
}

/// How a bucket's `BucketName` is spelled in an ARN built from it: as [`super::function_name_key`]
/// spells a function's name.
fn name_key(name: &Value) -> Option<String> {
    super::function_name_key(name)
}

/// The bucket name a `SourceArn` spells, `arn:<partition>:s3:::<name>` as a literal or a `Fn::Sub`.
fn bucket_of(source_arn: &Value) -> Option<String> {
    let text = match source_arn {
        Value::String(text) => text.as_str(),
        other => match cfn::single_key(other)? {
            (cfn::SUB, Value::String(text)) => text.as_str(),
            _ => return None,
        },
    };
    let (_, name) = text.split_once(":s3:::")?;
    (!name.is_empty() && !name.contains('/')).then(|| name.to_owned())
}

/// The warning for the permission `permission` of a SAM event on `function` whose invoker keeps
/// invoking the function (an API whose definition is in a file, `api`; or, `None`, an invoker outside
/// the template), kept on the function with [`ids::alias_permission`] beside it: the words a
/// permission kept while rewiring gets, so both SAM orders say the same.
pub(crate) fn kept_for_event(
    permission: &str,
    function: &str,
    target: &super::AliasTarget,
    properties: &Map,
    api: Option<&str>,
) -> Diagnostic {
    let stays = match api {
        Some(api) => Stays::Invokers(vec![api.to_owned()]),
        None if properties.contains_key(SOURCE_ARN) => Stays::Outside,
        None => Stays::NoInvoker,
    };
    let alias_permission = ids::alias_permission(permission, function);
    warning(permission, function, &alias_permission, target, properties, SOURCE_ARN, &stays)
}

const SOURCE_ARN: &str = "SourceArn";

fn warning(
    id: &str,
    function: &str,
    alias_permission: &str,
    target: &super::AliasTarget,
    properties: &Map,
    source_arn_key: &str,
    stays: &Stays,
) -> Diagnostic {
    let alias = &target.alias_logical_id;
    let principal = properties.get("Principal").and_then(Value::as_str).unwrap_or("its principal");
    let kept = format!(
        "{id} stays on {function} and {alias_permission} grants the same on the alias {alias}, so the invoker \
         works before and after it moves"
    );
    let path = Path::resource(id).key("Properties");
    let (path, message, help) = match stays {
        Stays::Invokers(invokers) => (
            path.key(source_arn_key),
            format!(
                "{id} lets {principal} invoke {function} for {}, which keeps invoking {function} itself: {kept}",
                invokers.join(", ")
            ),
            format!(
                "point {} at the alias ({{Ref: {alias}}} is its ARN) so its invocations go through the canary",
                invokers.join(", ")
            ),
        ),
        Stays::Unmoved(named) => (
            path.key(source_arn_key),
            format!(
                "{id} lets {principal} invoke {function} for {}, which names {function} at no position the macro \
                 moves to the alias: {kept}",
                named.join(", ")
            ),
            format!(
                "if that invoker calls {function} through a position the macro does not rewrite, point it at the \
                 alias ({{Ref: {alias}}} is its ARN) so its invocations go through the canary"
            ),
        ),
        Stays::Outside => (
            path.key(source_arn_key),
            format!(
                "{id}'s {source_arn_key} {} names no resource of this template: {principal} invokes {function} for \
                 that invoker outside the stack, which the macro cannot repoint; {kept}",
                properties.get(source_arn_key).map_or_else(String::new, |arn| match arn {
                    Value::String(arn) => arn.to_string(),
                    other => other.to_string(),
                })
            ),
            format!(
                "repoint that invoker at the alias ARN (the function's ARN followed by :{}) so its invocations \
                 go through the canary",
                target.alias_name
            ),
        ),
        Stays::NoInvoker => (
            path.key("FunctionName"),
            format!(
                "{id} has no {source_arn_key} and no invoker of this template that moves to the alias: \
                 {principal} invokes {function} for an invoker the macro cannot see; {kept}"
            ),
            format!(
                "repoint that invoker at the alias ARN (the function's ARN followed by :{}), and give {id} a \
                 {source_arn_key} naming it",
                target.alias_name
            ),
        ),
    };
    Diagnostic::warning(path, message).with_help(help)
}
