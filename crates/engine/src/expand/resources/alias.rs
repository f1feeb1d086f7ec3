//! `AWS::Lambda::Alias` `<Fn>Alias<Name>`, and the `UpdatePolicy` that hands its moves to CodeDeploy.

use crate::json;
use crate::json::{Map, Value};

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
) -> Map {
    let mut props = Map::with_capacity(4);
    props.insert("FunctionName", reference(function));
    props.insert("FunctionVersion", get_att(version, "Version"));
    props.insert("Name", alias_name.into());
    if let Some(n) = provisioned_concurrency {
        props.insert("ProvisionedConcurrencyConfig", json!({ "ProvisionedConcurrentExecutions": n }));
    }
    resource("AWS::Lambda::Alias", condition, props)
}

/// `UpdatePolicy.CodeDeployLambdaAliasUpdate`: a change of `FunctionVersion` becomes a CodeDeploy
/// deployment instead of an instant move.
pub fn update_policy(update: &AliasUpdate) -> Value {
    let mut policy = Map::with_capacity(4);
    policy.insert("ApplicationName", reference(&update.application));
    policy.insert("DeploymentGroupName", reference(&update.deployment_group));
    if let Some(hook) = &update.before_allow_traffic_hook {
        policy.insert("BeforeAllowTrafficHook", hook.clone());
    }
    if let Some(hook) = &update.after_allow_traffic_hook {
        policy.insert("AfterAllowTrafficHook", hook.clone());
    }
    object([("CodeDeployLambdaAliasUpdate", Value::Object(policy))])
}
