//! `AWS::IAM::Role`: `CanaryDeploymentsServiceRole`, the one CodeDeploy role of the template, and
//! `<Fn>SmokeTestRole`, the execution role of one function's smoke test hook.
//!
//! `CanaryDeploymentsServiceRole`:
//! Least privilege: AWS's `AWSCodeDeployRoleForLambdaLimited` (alias updates, alarm reads, and only
//! hooks and topics named `CodeDeployHook_*` / `CodeDeployTopic_*`); the grants that name this
//! template's hooks and trigger topics are one `AWS::IAM::Policy` per function (see `policy.rs`), so
//! the role itself names nothing a deployment group could wait for. Never `AWSLambda_FullAccess` or
//! `AmazonSNSFullAccess`, which SAM and others attach.

use crate::json;
use crate::json::{Map, Value};

use super::resource;
use crate::cfn;

pub struct RoleInputs {
    pub permissions_boundary: Option<Value>,
    pub condition: Option<String>,
}

/// A role's trust policy: only `service` may assume it.
fn trusting(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })
}

pub fn service_role(inputs: RoleInputs) -> Map {
    let mut props = Map::new();
    props.insert("AssumeRolePolicyDocument", trusting("codedeploy.amazonaws.com"));
    props.insert(
        "ManagedPolicyArns",
        json!([cfn::sub(
            "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"
        )]),
    );
    if let Some(boundary) = inputs.permissions_boundary {
        props.insert("PermissionsBoundary", boundary);
    }
    resource(cfn::IAM_ROLE, inputs.condition.as_deref(), props)
}

/// The smoke test hook's execution role: it may write to its own log group and invoke the qualified
/// versions of its one function (`<arn>:*` matches `<arn>:<version>` and `<arn>:<alias>`, never the
/// unqualified function nor another one). Its CodeDeploy grants are a policy of their own
/// (`policy::smoke_test_policy`), since they name the deployment group, which waits for the hook.
pub fn smoke_test_role(
    function: &str,
    log_group: &str,
    permissions_boundary: Option<Value>,
    condition: Option<&str>,
) -> Map {
    let mut props = Map::with_capacity(4);
    props.insert("Description", format!("Runs the smoke test of {function} (CanaryDeployments)").into());
    props.insert("AssumeRolePolicyDocument", trusting("lambda.amazonaws.com"));
    props.insert(
        "Policies",
        json!([{
            "PolicyName": "SmokeTest",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        // A log group's Arn attribute ends in `:*`: its streams, nothing else.
                        "Resource": cfn::get_att(log_group, "Arn"),
                    },
                    {
                        "Effect": "Allow",
                        "Action": "lambda:InvokeFunction",
                        "Resource": cfn::sub(format!("${{{function}.Arn}}:*")),
                    },
                ],
            },
        }]),
    );
    if let Some(boundary) = permissions_boundary {
        props.insert("PermissionsBoundary", boundary);
    }
    resource(cfn::IAM_ROLE, condition, props)
}
