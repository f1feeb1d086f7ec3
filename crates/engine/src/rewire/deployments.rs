//! API Gateway snapshots (docs/rewiring.md): an API serves what its last deployment captured, so when rewiring
//! changes an API's integrations, each of its deployments gets a new logical ID (old ID plus a short
//! hash of the rewritten integrations). CloudFormation then creates a fresh deployment and moves the
//! stages to it; every reference follows the rename.
//!
//! A V2 deployment is renamed only when a stage needs it: a stage that `AutoDeploy`s redeploys itself.

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

use crate::json::{Map, Value};

use super::matcher;
use super::table::Api;
use crate::cfn;
use crate::diag::{Diagnostic, Path};
use crate::{ids, json};

/// The APIs whose integrations moved, with what moved (the hash input), in the order found; and the
/// deployments and V2 stages of the template, noted as rewiring reads each resource's type.
#[derive(Debug, Default)]
pub struct Snapshots {
    changed: Vec<((Api, String), Vec<u8>)>,
    /// (deployment, its API kind, its API).
    deployments: Vec<(String, Api, String)>,
    /// V2 stages: (API, auto-deploys, the deployment it pins).
    stages: Vec<(String, bool, Option<String>)>,
}

impl Snapshots {
    /// Notes `resource` when it is an API deployment or a V2 stage.
    pub fn note(&mut self, logical_id: &str, resource_type: &str, resource: &Value) {
        let property = |key: &str| json::get(resource, "Properties").and_then(|p| json::get(p, key));
        let api_of = |key: &str| property(key).and_then(cfn::ref_target).map(str::to_owned);
        match resource_type {
            cfn::API_GATEWAY_DEPLOYMENT => {
                if let Some(api) = api_of("RestApiId") {
                    self.deployments.push((logical_id.to_owned(), Api::Rest, api));
                }
            }
            cfn::API_GATEWAY_V2_DEPLOYMENT => {
                if let Some(api) = api_of("ApiId") {
                    self.deployments.push((logical_id.to_owned(), Api::V2, api));
                }
            }
            "AWS::ApiGatewayV2::Stage" => {
                let auto = match property("AutoDeploy") {
                    Some(Value::Bool(auto)) => *auto,
                    Some(Value::String(auto)) => auto == "true",
                    _ => false,
                };
                let pinned = property("DeploymentId").and_then(cfn::ref_target).map(str::to_owned);
                if let Some(api) = api_of("ApiId") {
                    self.stages.push((api, auto, pinned));
                }
            }
            _ => {}
        }
    }

    /// Notes that the integration at `path` of `api_id` now reads `value`.
    pub fn record(&mut self, api: Api, api_id: &str, path: &Path, value: &Value) {
        // A template has a few APIs: found by a scan, their key is allocated once, not per integration.
        let at = match self.changed.iter().position(|((a, id), _)| *a == api && id == api_id) {
            Some(at) => at,
            None => {
                self.changed.push(((api, api_id.to_owned()), Vec::new()));
                self.changed.len() - 1
            }
        };
        let entry = &mut self.changed[at].1;
        // Written in place: a string per moved integration added up over hundreds of routes.
        // Writing into a `Vec` cannot fail.
        path.write_display(entry);
        entry.push(b'=');
        let _ = serde_json::to_writer(&mut *entry, value);
        entry.push(b'\n');
    }

    /// Renames the deployments of every changed API, and every reference to them: outside
    /// `Resources`, and in the resources of `mentions` (all of them when it is `None`).
    pub fn apply<S: BuildHasher>(
        self,
        template: &mut Map,
        mentions: Option<&HashSet<String, S>>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        if self.changed.is_empty() {
            return;
        }
        let Some(Value::Object(resources)) = template.get_mut("Resources") else { return };
        let renames = self.renames(resources, diagnostics);
        if renames.is_empty() {
            return;
        }
        let rename_resource = |resource: &mut Value| {
            if let Value::Object(resource) = resource {
                matcher::rename_depends_on(resource, &renames);
            }
            matcher::rename(resource, &renames);
        };
        match mentions {
            Some(mentions) => {
                for id in mentions {
                    if let Some(resource) = resources.get_mut(id) {
                        rename_resource(resource);
                    }
                }
            }
            None => resources.values_mut().for_each(rename_resource),
        }
        // In place: a renamed deployment keeps its position. `renames` reported every new ID that was
        // taken and left it out, so each rename here succeeds.
        for (old, new) in &renames {
            resources.rename_key(old, new.as_str());
        }
        for (key, value) in template.iter_mut() {
            if key != "Resources" {
                matcher::rename(value, &renames);
            }
        }
    }

    fn renames(&self, resources: &Map, diagnostics: &mut Vec<Diagnostic>) -> BTreeMap<String, String> {
        let mut renames = BTreeMap::new();
        for (id, api, api_id) in &self.deployments {
            let changed = self.changed.iter().find(|((a, id), _)| a == api && id == api_id);
            let Some((_, moved)) = changed else { continue };
            if *api == Api::V2 {
                let pinned_by_manual_stage = self
                    .stages
                    .iter()
                    .any(|(a, auto, pinned)| a == api_id && !auto && pinned.as_deref() == Some(id));
                let any_auto = self.stages.iter().any(|(a, auto, _)| a == api_id && *auto);
                if any_auto && !pinned_by_manual_stage {
                    continue;
                }
            }
            let new = ids::renewed_deployment(id, moved);
            if resources.contains_key(&new) || renames.values().any(|taken| *taken == new) {
                diagnostics.push(Diagnostic::error(
                    Path::resource(&new),
                    format!("cannot redeploy API `{api_id}`: deployment `{id}` would be renamed `{new}`, which already exists"),
                ).with_help(format!("rename the existing `{new}` resource")));
                continue;
            }
            if new.len() > crate::limits::MAX_LOGICAL_ID {
                diagnostics.push(Diagnostic::error(
                    Path::resource(id),
                    format!(
                        "cannot redeploy API `{api_id}`: deployment `{id}` would be renamed `{new}`, {} characters, \
                         over CloudFormation's limit of {} for a logical ID",
                        new.len(),
                        crate::limits::MAX_LOGICAL_ID
                    ),
                ).with_help(format!("shorten the logical ID `{id}`")));
                continue;
            }
            renames.insert(id.clone(), new);
        }
        renames
    }
}
