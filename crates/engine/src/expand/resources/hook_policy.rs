//! `AWS::IAM::Policy` `<Hook>CanaryHookPolicy`: lets a hook function report its verdict
//! (`codedeploy:PutLifecycleEventHookExecutionStatus`) on the deployment groups of the applications
//! whose functions call it. Attached to the hook's execution role when that role is in the template;
//! the aliases that use the hook depend on it, so the permission exists before the first deployment
//! runs the hook.
//!
//! The groups are named by application (`<application>/*`), not one by one: an alias depends on this
//! policy, and a `Ref` from it to the alias's deployment group closes a dependency cycle as soon as
//! one of the group's alarms watches something that invokes the alias (alias → policy → group →
//! alarm → API → alias), a common setup. The application holds only this template's groups.

use serde_json::{json, Map, Value};

use super::{reference, resource};

pub fn hook_policy(
    hook: &str,
    role: &str,
    deployment_group_arns: Vec<Value>,
    condition: Option<&str>,
) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("PolicyName".into(), format!("{hook}CanaryHookPolicy").into());
    props.insert("Roles".into(), json!([reference(role)]));
    props.insert(
        "PolicyDocument".into(),
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

/// The ARN of every deployment group of an application generated in this template.
pub fn application_groups_arn(application: &str) -> Value {
    super::sub(&format!(
        "arn:${{AWS::Partition}}:codedeploy:${{AWS::Region}}:${{AWS::AccountId}}:deploymentgroup:${{{application}}}/*"
    ))
}
