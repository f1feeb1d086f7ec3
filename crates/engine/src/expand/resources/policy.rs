//! `AWS::IAM::Policy`, the three kinds this macro attaches to roles.
//!
//! `<Hook>CanaryHookPolicy<Fn>` lets a hook function report its verdict
//! (`codedeploy:PutLifecycleEventHookExecutionStatus`) on the deployment group of one function that
//! calls it; it is attached to the hook's execution role when that role is in the template, and the
//! function's alias depends on it, so the permission exists before a deployment runs the hook.
//!
//! `<Fn>CanaryDeploymentPolicy` lets the generated CodeDeploy role invoke one function's hooks and
//! publish to its trigger topics; the function's deployment group depends on it. Kept out of the role
//! itself, which every deployment group uses: a role naming every hook and topic would make every
//! group wait for every topic, and a topic that subscribes a marked function waits for that
//! function's alias, which waits for its group, which closes a cycle.

use crate::json::{Map, Value};

use super::{object, resource};
use crate::cfn;

/// `<Fn>SmokeTestPolicy` lets one function's smoke test hook read that function's deployments and
/// report on them (`codedeploy:GetDeployment` and `PutLifecycleEventHookExecutionStatus` on its
/// deployment group) and read its application's revisions (`codedeploy:GetApplicationRevision` on
/// the application), the resource types the Service Authorization Reference gives these actions.
/// Attached to the hook's role; the alias depends on it, as on a hook policy.
pub fn smoke_test_policy(
    logical_id: &str,
    role: &str,
    application: &str,
    deployment_group_arn: Value,
    condition: Option<&str>,
) -> Map {
    let group = Value::Array(vec!["codedeploy:GetDeployment".into(), HOOK_STATUS_ACTION.into()]);
    let statements = vec![
        object([("Effect", "Allow".into()), ("Action", group), ("Resource", deployment_group_arn)]),
        allow("codedeploy:GetApplicationRevision", application_arn(application)),
    ];
    policy(logical_id, role, statements, condition)
}

/// What a lifecycle hook calls to report its result to CodeDeploy.
pub const HOOK_STATUS_ACTION: &str = "codedeploy:PutLifecycleEventHookExecutionStatus";

pub fn hook_policy(
    logical_id: &str,
    role: &str,
    deployment_group_arn: Value,
    condition: Option<&str>,
) -> Map {
    let statement = allow(HOOK_STATUS_ACTION, deployment_group_arn);
    policy(logical_id, role, vec![statement], condition)
}

/// The CodeDeploy role's grants for one function: one statement per action, each naming exactly the
/// function's hooks or topics, and none emitted empty.
pub fn grant_policy(
    logical_id: &str,
    role: &str,
    hook_arns: Vec<Value>,
    topic_arns: Vec<Value>,
    condition: Option<&str>,
) -> Map {
    let mut statements = Vec::with_capacity(2);
    if !hook_arns.is_empty() {
        statements.push(allow("lambda:InvokeFunction", Value::Array(hook_arns)));
    }
    if !topic_arns.is_empty() {
        statements.push(allow("sns:Publish", Value::Array(topic_arns)));
    }
    policy(logical_id, role, statements, condition)
}

/// An inline policy of `statements`, attached to `role` and named by its logical ID. Built directly,
/// not with `json!`, which would copy every ARN through the serializer.
fn policy(logical_id: &str, role: &str, statements: Vec<Value>, condition: Option<&str>) -> Map {
    let mut props = Map::with_capacity(3);
    props.insert("PolicyName", logical_id.into());
    props.insert("Roles", Value::Array(vec![cfn::ref_to(role)]));
    props.insert(
        "PolicyDocument",
        object([("Version", "2012-10-17".into()), ("Statement", Value::Array(statements))]),
    );
    resource(cfn::IAM_POLICY, condition, props)
}

fn allow(action: &str, resource: Value) -> Value {
    object([("Effect", "Allow".into()), ("Action", action.into()), ("Resource", resource)])
}

/// The ARN of a deployment group generated in this template.
pub fn deployment_group_arn(application: &str, deployment_group: &str) -> Value {
    group_arn(application, &format!("${{{deployment_group}}}"))
}

/// The ARN of every deployment group of an application of this template.
pub fn any_deployment_group_arn(application: &str) -> Value {
    group_arn(application, "*")
}

/// The ARN of an application of this template.
fn application_arn(application: &str) -> Value {
    cfn::sub(format!(
        "arn:${{AWS::Partition}}:codedeploy:${{AWS::Region}}:${{AWS::AccountId}}:application:${{{application}}}"
    ))
}

/// `group` is the `Fn::Sub` text of the group's name.
fn group_arn(application: &str, group: &str) -> Value {
    cfn::sub(format!(
        "arn:${{AWS::Partition}}:codedeploy:${{AWS::Region}}:${{AWS::AccountId}}:deploymentgroup:${{{application}}}/{group}"
    ))
}
