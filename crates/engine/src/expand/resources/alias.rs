//! `AWS::Lambda::Alias` `<Fn>Alias<Name>`, and the `UpdatePolicy` that hands its moves to CodeDeploy.

use crate::json;
use crate::json::{Map, Value};

use super::{object, resource};
use crate::cfn;

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
    props.insert("FunctionName", cfn::ref_to(function));
    props.insert("FunctionVersion", cfn::get_att(version, "Version"));
    props.insert("Name", alias_name.into());
    if let Some(n) = provisioned_concurrency {
        props.insert("ProvisionedConcurrencyConfig", json!({ "ProvisionedConcurrentExecutions": n }));
    }
    resource(cfn::LAMBDA_ALIAS, condition, props)
}

/// `UpdatePolicy.CodeDeployLambdaAliasUpdate`: a change of `FunctionVersion` becomes a CodeDeploy
/// deployment instead of an instant move.
pub fn update_policy(update: &AliasUpdate) -> Value {
    let mut policy = Map::with_capacity(4);
    policy.insert("ApplicationName", cfn::ref_to(&update.application));
    policy.insert("DeploymentGroupName", cfn::ref_to(&update.deployment_group));
    if let Some(hook) = &update.before_allow_traffic_hook {
        policy.insert("BeforeAllowTrafficHook", hook.clone());
    }
    if let Some(hook) = &update.after_allow_traffic_hook {
        policy.insert("AfterAllowTrafficHook", hook.clone());
    }
    object([("CodeDeployLambdaAliasUpdate", Value::Object(policy))])
}
