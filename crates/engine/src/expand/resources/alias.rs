//! `AWS::Lambda::Alias` `<Fn>Alias<Name>`, and the `UpdatePolicy` that hands its moves to CodeDeploy.

use serde_json::{json, Map, Value};

use super::{get_att, object, reference, resource};

/// What CodeDeploy needs to move the alias: the application, the group, and the hooks.
pub struct AliasUpdate {
    pub application: String,
    pub deployment_group: String,
    pub before_allow_traffic_hook: Option<Value>,
    pub after_allow_traffic_hook: Option<Value>,
}

pub fn alias(
    function: &str,
    alias_name: &str,
    version: &str,
    provisioned_concurrency: Option<u64>,
    condition: Option<&str>,
) -> Map<String, Value> {
    let mut props = Map::with_capacity(4);
    props.insert("FunctionName".into(), reference(function));
    props.insert("FunctionVersion".into(), get_att(version, "Version"));
    props.insert("Name".into(), alias_name.into());
    if let Some(n) = provisioned_concurrency {
        props.insert("ProvisionedConcurrencyConfig".into(), json!({ "ProvisionedConcurrentExecutions": n }));
    }
    resource("AWS::Lambda::Alias", condition, props)
}

/// `UpdatePolicy.CodeDeployLambdaAliasUpdate`: a change of `FunctionVersion` becomes a CodeDeploy
/// deployment instead of an instant move.
pub fn update_policy(update: &AliasUpdate) -> Value {
    let mut policy = Map::with_capacity(4);
    policy.insert("ApplicationName".into(), reference(&update.application));
    policy.insert("DeploymentGroupName".into(), reference(&update.deployment_group));
    if let Some(hook) = &update.before_allow_traffic_hook {
        policy.insert("BeforeAllowTrafficHook".into(), hook.clone());
    }
    if let Some(hook) = &update.after_allow_traffic_hook {
        policy.insert("AfterAllowTrafficHook".into(), hook.clone());
    }
    object([("CodeDeployLambdaAliasUpdate", Value::Object(policy))])
}
