//! The benchmark workload: templates of `n` marked functions, each invoked by every common kind of
//! event source, written three ways so the same application can be fed to us and to each peer.
//!
//! - [`cloudformation`] (`cloudformation.rs`, with the 1 MB [`cloudformation_large`]): raw CloudFormation with `Transform: CanaryDeployments` and
//!   `Properties.CanaryDeployment` on each function (our input).
//! - [`sam`] (`sam.rs`): the same application as SAM (`AWS::Serverless::Function` with `AutoPublishAlias` and
//!   `DeploymentPreference`, and `Api`/`HttpApi`/`SQS`/`SNS`/`EventBridgeRule`/`S3` events), the input of
//!   `aws-sam-translator`.
//! - [`serverless`] (`serverless.rs`): the same application as the Serverless Framework compiles it (function, version,
//!   API Gateway methods, HTTP API integrations, event sources) plus the `service` object whose
//!   `deploymentSettings` drive `serverless-plugin-canary-deployments`.
//!
//! Per function the application has: a REST API method and its permission, an HTTP API route with its
//! permission, an SQS queue and event source mapping, an SNS topic and subscription with its permission,
//! an EventBridge rule with its permission, an S3 bucket notification with its permission, and a
//! CloudWatch alarm used for rollback. One pre-traffic hook is shared by every function. The shapes
//! are equivalent, not identical: each tool gets what its users would write (SAM and the plugin
//! generate parts of it themselves), so input sizes differ and are reported beside the times.
//!
//! This module holds what the three share: names, code, environments, roles and the resources every
//! variant writes alike.

mod cloudformation;
mod sam;
mod serverless;

pub use cloudformation::{cloudformation, cloudformation_large, cloudformation_padded, LARGE_FUNCTIONS};
pub use sam::sam;
pub use serverless::serverless;

use canary_engine::json;
use canary_engine::json::{Map, Value};

/// The traffic shape every function is marked with.
pub const DEPLOYMENT_TYPE: &str = "Canary10Percent5Minutes";

/// Logical ID of function `i` (1-based) in the CloudFormation and SAM templates.
pub fn function_id(i: usize) -> String {
    format!("Fn{i:04}")
}

const RUNTIME: &str = "python3.12";

fn inline_code(i: usize, padding: usize) -> String {
    let mut code = format!(
        "import json\n\ndef handler(event, context):\n    return {{'statusCode': 200, 'body': json.dumps({{'function': {i}}})}}\n"
    );
    // Padding is a comment block, so the code stays valid Python whatever its size.
    let line = "# padding so the template approaches CloudFormation's processed-template limit\n";
    while code.len() + line.len() <= padding {
        code.push_str(line);
    }
    code
}

fn environment(i: usize, padding: usize) -> Value {
    let mut variables = Map::new();
    variables.insert("FUNCTION_INDEX", json!(i.to_string()));
    variables.insert("LOG_LEVEL", json!("INFO"));
    let mut setting = 0;
    let mut used = 0;
    while used < padding {
        let value = "x".repeat(200.min(padding - used).max(1));
        used += value.len() + 16;
        variables.insert(format!("SETTING_{setting:03}"), json!(value));
        setting += 1;
    }
    json!({ "Variables": variables })
}

fn lambda_trust() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "lambda.amazonaws.com" },
            "Action": "sts:AssumeRole"
        }]
    })
}

fn managed(policy: &str) -> Value {
    json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:iam::aws:policy/service-role/{policy}") })
}

/// The functions' execution role (logs and SQS polling), the same in every variant.
fn function_role() -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": lambda_trust(),
            "ManagedPolicyArns": [
                managed("AWSLambdaBasicExecutionRole"),
                managed("AWSLambdaSQSQueueExecutionRole")
            ]
        }
    })
}

/// A function of the CloudFormation and SAM variants: its `Type`, the properties both set alike
/// (runtime, handler, role, memory, timeout), then `own`: the variant's code, environment and marking.
fn function_resource(resource_type: &str, own: Value) -> Value {
    let mut resource = json!({
        "Type": resource_type,
        "Properties": {
            "Runtime": RUNTIME,
            "Handler": "index.handler",
            "Role": { "Fn::GetAtt": ["FunctionRole", "Arn"] },
            "MemorySize": 256,
            "Timeout": 10
        }
    });
    if let (Some(properties), Value::Object(own)) = (resource["Properties"].as_object_mut(), own) {
        properties.extend(own);
    }
    resource
}

/// The execution roles of the CloudFormation and SAM variants: the functions' and the hook's.
fn insert_roles(resources: &mut Map) {
    resources.insert("FunctionRole", function_role());
    resources.insert(
        "HookRole",
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": lambda_trust(),
                "ManagedPolicyArns": [managed("AWSLambdaBasicExecutionRole")]
            }
        }),
    );
}

fn alarm(function: Value) -> Value {
    json!({
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": "Errors of the function during a deployment",
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{ "Name": "FunctionName", "Value": function }],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching"
        }
    })
}

fn permission(function: Value, principal: &str, source_arn: Value) -> Value {
    json!({
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": function,
            "Principal": principal,
            "SourceArn": source_arn
        }
    })
}

fn bucket_name(i: usize) -> Value {
    json!({ "Fn::Sub": format!("canary-bench-fn{i:04}-${{AWS::AccountId}}-${{AWS::Region}}") })
}

fn event_pattern(i: usize) -> Value {
    json!({ "source": [format!("canary.bench.fn{i:04}")] })
}

/// Each function's SQS queue.
fn queue() -> Value {
    json!({ "Type": "AWS::SQS::Queue", "Properties": { "VisibilityTimeout": 60 } })
}

/// The HTTP API's auto-deployed default stage.
fn http_api_stage() -> Value {
    json!({
        "Type": "AWS::ApiGatewayV2::Stage",
        "Properties": { "ApiId": { "Ref": "HttpApi" }, "StageName": "$default", "AutoDeploy": true }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_type(template: &Value, resource_type: &str) -> usize {
        template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == resource_type).count()
    }

    #[test]
    fn cloudformation_marks_every_function_and_wires_every_source() {
        let template = cloudformation(7);
        let marked = template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Properties"].get("CanaryDeployment").is_some());
        assert_eq!(marked.count(), 7);
        assert_eq!(count_type(&template, "AWS::Lambda::Function"), 8, "7 functions and the hook");
        assert_eq!(count_type(&template, "AWS::Lambda::Permission"), 7 * 5);
        assert_eq!(count_type(&template, "AWS::ApiGateway::Method"), 7);
        assert_eq!(count_type(&template, "AWS::Lambda::EventSourceMapping"), 7);
        assert_eq!(count_type(&template, "AWS::SNS::Subscription"), 7);
        assert_eq!(count_type(&template, "AWS::Events::Rule"), 7);
        assert_eq!(count_type(&template, "AWS::CloudWatch::Alarm"), 7);
        assert_eq!(
            template["Resources"]["HttpApi"]["Properties"]["Body"]["paths"].as_object().unwrap().len(),
            7
        );
        let bucket = &template["Resources"]["Fn0007Bucket"]["Properties"]["NotificationConfiguration"];
        assert_eq!(bucket["LambdaConfigurations"][0]["Function"], json!({ "Fn::GetAtt": ["Fn0007", "Arn"] }));
    }

    #[test]
    fn large_template_approaches_but_stays_under_the_target() {
        let target = 1_000_000;
        let large = cloudformation_large(target);
        let size = serde_json::to_string(&large).unwrap().len();
        assert!(size <= target && size > target * 97 / 100, "size {size}");
        let n_resources = large["Resources"].as_object().unwrap().len();
        assert!(n_resources + 3 * LARGE_FUNCTIONS + 3 <= 500, "{n_resources} resources");
    }

    #[test]
    fn padding_keeps_inline_code_and_environment_within_lambda_limits() {
        let template = cloudformation_padded(1, 3500, 0);
        let props = &template["Resources"]["Fn0001"]["Properties"];
        let code = props["Code"]["ZipFile"].as_str().unwrap();
        assert!(code.len() <= 4096 && code.len() > 3000, "code {}", code.len());
        let env = serde_json::to_string(&props["Environment"]["Variables"]).unwrap();
        assert!(env.len() <= 4096 && env.len() > 3000, "environment {}", env.len());
    }

    #[test]
    fn sam_and_serverless_describe_the_same_functions() {
        let sam_template = sam(3);
        assert_eq!(count_type(&sam_template, "AWS::Serverless::Function"), 4, "3 functions and the hook");
        assert_eq!(sam_template["Resources"]["Fn0003"]["Properties"]["Events"].as_object().unwrap().len(), 6);
        let sls = serverless(3);
        assert_eq!(sls["service"]["functions"].as_object().unwrap().len(), 4);
        assert_eq!(count_type(&sls["template"], "AWS::Lambda::Version"), 4);
        assert_eq!(count_type(&sls["template"], "AWS::Lambda::Permission"), 3 * 5);
    }
}
