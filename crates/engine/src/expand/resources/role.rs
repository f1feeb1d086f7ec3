//! `AWS::IAM::Role` `CanaryDeploymentsServiceRole`: the one CodeDeploy role of the template.
//!
//! Least privilege: AWS's `AWSCodeDeployRoleForLambdaLimited` (alias updates, alarm reads, and only
//! hooks and topics named `CodeDeployHook_*` / `CodeDeployTopic_*`), plus one inline statement per need
//! that names exactly the hook functions and trigger topics of this template. Never
//! `AWSLambda_FullAccess` or `AmazonSNSFullAccess`, which SAM and others attach.

use crate::json;
use crate::json::{Map, Value};

use super::{resource, sub};

pub struct RoleInputs {
    /// ARNs of every hook function the role's deployment groups call.
    pub hook_arns: Vec<Value>,
    /// ARNs of every SNS topic the role's deployment groups notify.
    pub topic_arns: Vec<Value>,
    pub permissions_boundary: Option<Value>,
    pub condition: Option<String>,
}

pub fn service_role(inputs: RoleInputs) -> Map {
    let mut props = Map::new();
    props.insert(
        "AssumeRolePolicyDocument",
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "codedeploy.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }],
        }),
    );
    props.insert(
        "ManagedPolicyArns",
        json!([sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited")]),
    );
    let mut statements = Vec::new();
    if !inputs.hook_arns.is_empty() {
        statements.push(
            json!({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": inputs.hook_arns}),
        );
    }
    if !inputs.topic_arns.is_empty() {
        statements.push(json!({"Effect": "Allow", "Action": "sns:Publish", "Resource": inputs.topic_arns}));
    }
    if !statements.is_empty() {
        props.insert(
            "Policies",
            json!([{
                "PolicyName": "CanaryDeploymentsHooksAndTriggers",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            }]),
        );
    }
    if let Some(boundary) = inputs.permissions_boundary {
        props.insert("PermissionsBoundary", boundary);
    }
    resource("AWS::IAM::Role", inputs.condition.as_deref(), props)
}
