//! `AWS::IAM::Role` `CanaryDeploymentsServiceRole`: the one CodeDeploy role of the template.
//!
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
        json!([cfn::sub(
            "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"
        )]),
    );
    if let Some(boundary) = inputs.permissions_boundary {
        props.insert("PermissionsBoundary", boundary);
    }
    resource(cfn::IAM_ROLE, inputs.condition.as_deref(), props)
}
