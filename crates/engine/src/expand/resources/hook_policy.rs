//! `AWS::IAM::Policy` `<Hook>CanaryHookPolicy`: lets a hook function report its verdict
//! (`codedeploy:PutLifecycleEventHookExecutionStatus`) on exactly the deployment groups that call it.
//! Attached to the hook's execution role when that role is in the template; the aliases that use the
//! hook depend on it, so the permission exists before the first deployment runs the hook.

use crate::json;
use crate::json::{Map, Value};

use super::{reference, resource};

pub fn hook_policy(
    hook: &str,
    role: &str,
    deployment_group_arns: Vec<Value>,
    condition: Option<&str>,
) -> Map {
    let mut props = Map::new();
    props.insert("PolicyName", policy_name(hook).into());
    props.insert("Roles", json!([reference(role)]));
    props.insert(
        "PolicyDocument",
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "codedeploy:PutLifecycleEventHookExecutionStatus",
                "Resource": deployment_group_arns,
            }],
        }),
    );
    resource("AWS::IAM::Policy", condition, props)
}

/// The ARN of a deployment group generated in this template.
pub fn deployment_group_arn(application: &str, deployment_group: &str) -> Value {
    super::sub(&format!(
        "arn:${{AWS::Partition}}:codedeploy:${{AWS::Region}}:${{AWS::AccountId}}:deploymentgroup:${{{application}}}/${{{deployment_group}}}"
    ))
}

/// The inline policy's name, which IAM limits (see `limits::MAX_POLICY_NAME`).
pub fn policy_name(hook: &str) -> String {
    format!("{hook}CanaryHookPolicy")
}
