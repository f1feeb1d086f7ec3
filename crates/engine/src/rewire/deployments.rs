//! API Gateway snapshots (SPEC §5): an API serves what its last deployment captured, so when rewiring
//! changes an API's integrations, each of its deployments gets a new logical ID (old ID plus a short
//! hash of the rewritten integrations). CloudFormation then creates a fresh deployment and moves the
//! stages to it; every reference follows the rename.
//!
//! A V2 deployment is renamed only when a stage needs it: a stage that `AutoDeploy`s redeploys itself.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::matcher;
use super::table::Api;
use crate::diag::{Diagnostic, Path};
use crate::ids;

/// The APIs whose integrations moved, with what moved (the hash input), in the order found.
#[derive(Debug, Default)]
pub struct Snapshots {
    changed: BTreeMap<(Api, String), String>,
}

impl Snapshots {
    /// Notes that the integration at `path` of `api_id` now reads `value`.
    pub fn record(&mut self, api: Api, api_id: &str, path: &Path, value: &Value) {
        let entry = self.changed.entry((api, api_id.to_owned())).or_default();
        entry.push_str(&path.to_string());
        entry.push('=');
        entry.push_str(&value.to_string());
        entry.push('\n');
    }

    /// Renames the deployments of every changed API and every reference to them in `template`.
    pub fn apply(
        self,
        template: &mut Map<String, Value>,
        generated: &HashSet<String>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        if self.changed.is_empty() {
            return;
        }
        let Some(Value::Object(resources)) = template.get("Resources") else { return };
        let renames = self.renames(resources, generated, diagnostics);
        if renames.is_empty() {
            return;
        }
        if let Some(Value::Object(resources)) = template.get_mut("Resources") {
            // Sized up front: rebuilding by growth rehashed every key several times.
            let old = std::mem::replace(resources, Map::with_capacity(resources.len()));
            for (id, mut resource) in old {
                if let Value::Object(resource) = &mut resource {
                    matcher::rename_depends_on(resource, &renames);
                }
                resources.insert(renames.get(&id).cloned().unwrap_or(id), resource);
            }
        }
        for value in template.values_mut() {
            matcher::rename(value, &renames);
        }
    }

    fn renames(
        &self,
        resources: &Map<String, Value>,
        generated: &HashSet<String>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> BTreeMap<String, String> {
        let property =
            |resource: &Value, key: &str| resource.get("Properties").and_then(|p| p.get(key)).cloned();
        let api_of = |resource: &Value, key: &str| {
            property(resource, key).as_ref().and_then(matcher::ref_target).map(str::to_owned)
        };

        let mut deployments = Vec::new();
        // V2 stages: (api, auto-deploys, deployment it pins).
        let mut stages = Vec::new();
        for (id, resource) in resources {
            if generated.contains(id) {
                continue;
            }
            match resource.get("Type").and_then(Value::as_str) {
                Some("AWS::ApiGateway::Deployment") => {
                    if let Some(api) = api_of(resource, "RestApiId") {
                        deployments.push((id, Api::Rest, api));
                    }
                }
                Some("AWS::ApiGatewayV2::Deployment") => {
                    if let Some(api) = api_of(resource, "ApiId") {
                        deployments.push((id, Api::V2, api));
                    }
                }
                Some("AWS::ApiGatewayV2::Stage") => {
                    let auto = matches!(property(resource, "AutoDeploy"), Some(Value::Bool(true)))
                        || property(resource, "AutoDeploy").as_ref().and_then(Value::as_str) == Some("true");
                    let pinned = property(resource, "DeploymentId")
                        .as_ref()
                        .and_then(matcher::ref_target)
                        .map(str::to_owned);
                    if let Some(api) = api_of(resource, "ApiId") {
                        stages.push((api, auto, pinned));
                    }
                }
                _ => {}
            }
        }

        let mut renames = BTreeMap::new();
        for (id, api, api_id) in deployments {
            let Some(moved) = self.changed.get(&(api, api_id.clone())) else { continue };
            if api == Api::V2 {
                let pinned_by_manual_stage = stages
                    .iter()
                    .any(|(a, auto, pinned)| *a == api_id && !auto && pinned.as_deref() == Some(id));
                let any_auto = stages.iter().any(|(a, auto, _)| *a == api_id && *auto);
                if any_auto && !pinned_by_manual_stage {
                    continue;
                }
            }
            let new = ids::renewed_deployment(id, moved.as_bytes());
            if resources.contains_key(&new) {
                diagnostics.push(Diagnostic::error(
                    Path::resource(&new),
                    format!("cannot redeploy API `{api_id}`: deployment `{id}` would be renamed `{new}`, which already exists"),
                ).with_help(format!("rename the existing `{new}` resource")));
                continue;
            }
            renames.insert(id.clone(), new);
        }
        renames
    }
}
