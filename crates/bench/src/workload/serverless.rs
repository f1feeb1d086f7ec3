//! The workload as the Serverless Framework compiles it, for `serverless-plugin-canary-deployments`.

use canary_engine::json;
use canary_engine::json::{Map, Value};

use super::{
    alarm, environment, event_pattern, function_role, http_api_stage, permission, queue, DEPLOYMENT_TYPE,
    RUNTIME,
};

/// Serverless Framework's name for function `i`, and its logical ID (`naming.getLambdaLogicalId`).
fn sls_function(i: usize) -> (String, String) {
    (format!("fn{i:04}"), format!("Fn{i:04}LambdaFunction"))
}

/// The same application as the Serverless Framework compiles it before
/// `serverless-plugin-canary-deployments` runs: `{"service": …, "template": …}`, where `service` is the
/// `serverless.yml` content the plugin reads (`functions.*.deploymentSettings`) and `template` is
/// `provider.compiledCloudFormationTemplate`. Names follow the framework's naming rules.
pub fn serverless(n: usize) -> Value {
    let mut resources = Map::new();
    resources.insert("IamRoleLambdaExecution", function_role());
    let code = json!({ "S3Bucket": { "Ref": "ServerlessDeploymentBucket" }, "S3Key": "serverless/canary-bench/dev/code.zip" });
    let version = |logical_id: &str| {
        json!({
            "Type": "AWS::Lambda::Version",
            "DeletionPolicy": "Retain",
            "Properties": {
                "FunctionName": { "Ref": logical_id },
                "CodeSha256": "sZvdDgxnAbKe1yaQga0XJPD82+o5jFWz+J3lR+q9UHU="
            }
        })
    };
    resources.insert("ServerlessDeploymentBucket", json!({ "Type": "AWS::S3::Bucket" }));
    resources.insert(
        "HookLambdaFunction",
        json!({
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": code,
                "Handler": "hooks.pre",
                "Runtime": RUNTIME,
                "Role": { "Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"] }
            }
        }),
    );
    resources.insert("HookLambdaVersionAbc", version("HookLambdaFunction"));
    resources.insert(
        "ApiGatewayRestApi",
        json!({ "Type": "AWS::ApiGateway::RestApi", "Properties": { "Name": "dev-canary-bench" } }),
    );
    resources.insert(
        "HttpApi",
        json!({ "Type": "AWS::ApiGatewayV2::Api", "Properties": { "Name": "dev-canary-bench", "ProtocolType": "HTTP" } }),
    );
    resources.insert("HttpApiStage", http_api_stage());
    let mut functions = Map::new();
    functions.insert("hook", json!({ "handler": "hooks.pre" }));
    let mut methods = Vec::new();
    for i in 1..=n {
        let (name, function) = sls_function(i);
        // The framework's normalized function name, the prefix of most of its logical IDs.
        let normalized = format!("Fn{i:04}");
        let fn_arn = json!({ "Fn::GetAtt": [function, "Arn"] });
        functions.insert(
            name.clone(),
            json!({
                "handler": "handler.main",
                "events": [
                    { "http": format!("GET fn{i:04}") },
                    { "httpApi": format!("GET /fn{i:04}") },
                    { "sqs": { "arn": { "Fn::GetAtt": [format!("{normalized}Queue"), "Arn"] } } },
                    { "sns": format!("fn{i:04}") },
                    { "eventBridge": { "pattern": event_pattern(i) } },
                    { "s3": format!("canary-bench-fn{i:04}") }
                ],
                "deploymentSettings": {
                    "type": DEPLOYMENT_TYPE,
                    "alias": "Live",
                    "preTrafficHook": "hook",
                    "alarms": [format!("{normalized}Alarm")]
                }
            }),
        );
        resources.insert(
            function.clone(),
            json!({
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": code,
                    "Handler": "handler.main",
                    "Runtime": RUNTIME,
                    "MemorySize": 256,
                    "Timeout": 10,
                    "Role": { "Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"] },
                    "Environment": environment(i, 0)
                }
            }),
        );
        resources.insert(format!("{normalized}LambdaVersionAbc"), version(&function));
        resources.insert(
            format!("ApiGatewayResource{normalized}"),
            json!({
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "ParentId": { "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"] },
                    "PathPart": format!("fn{i:04}"),
                    "RestApiId": { "Ref": "ApiGatewayRestApi" }
                }
            }),
        );
        let method = format!("ApiGatewayMethod{normalized}Get");
        methods.push(json!(method));
        resources.insert(
            method,
            json!({
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "HttpMethod": "GET",
                    "ResourceId": { "Ref": format!("ApiGatewayResource{normalized}") },
                    "RestApiId": { "Ref": "ApiGatewayRestApi" },
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "IntegrationHttpMethod": "POST",
                        "Type": "AWS_PROXY",
                        "Uri": { "Fn::Join": ["", [
                            "arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" },
                            ":lambda:path/2015-03-31/functions/", fn_arn.clone(), "/invocations"
                        ]] }
                    }
                }
            }),
        );
        resources.insert(
            format!("{normalized}LambdaPermissionApiGateway"),
            permission(
                fn_arn.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGatewayRestApi}/*/*" }),
            ),
        );
        resources.insert(
            format!("HttpApiIntegration{normalized}"),
            json!({
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": { "Ref": "HttpApi" },
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": fn_arn.clone(),
                    "PayloadFormatVersion": "2.0"
                }
            }),
        );
        resources.insert(
            format!("HttpApiRouteGetFn{i:04}"),
            json!({
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": { "Ref": "HttpApi" },
                    "RouteKey": format!("GET /fn{i:04}"),
                    "Target": { "Fn::Join": ["/", ["integrations", { "Ref": format!("HttpApiIntegration{normalized}") }]] }
                }
            }),
        );
        resources.insert(
            format!("{normalized}LambdaPermissionHttpApi"),
            permission(
                fn_arn.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*" }),
            ),
        );
        resources.insert(format!("{normalized}Queue"), queue());
        resources.insert(
            format!("{normalized}EventSourceMappingSQS{normalized}Queue"),
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "BatchSize": 10,
                    "EventSourceArn": { "Fn::GetAtt": [format!("{normalized}Queue"), "Arn"] },
                    "FunctionName": fn_arn.clone(),
                    "Enabled": true
                }
            }),
        );
        resources.insert(
            format!("SNSTopicFn{i:04}"),
            json!({
                "Type": "AWS::SNS::Topic",
                "Properties": {
                    "TopicName": format!("fn{i:04}"),
                    "Subscription": [{ "Endpoint": fn_arn.clone(), "Protocol": "lambda" }]
                }
            }),
        );
        resources.insert(
            format!("{normalized}LambdaPermissionFn{i:04}SNS"),
            permission(fn_arn.clone(), "sns.amazonaws.com", json!({ "Ref": format!("SNSTopicFn{i:04}") })),
        );
        resources.insert(
            format!("{normalized}EventBridgeRule1"),
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": event_pattern(i),
                    "Targets": [{ "Id": format!("{normalized}EventBridgeTarget"), "Arn": fn_arn.clone() }]
                }
            }),
        );
        resources.insert(
            format!("{normalized}LambdaPermissionEventBridge1"),
            permission(
                fn_arn.clone(),
                "events.amazonaws.com",
                json!({ "Fn::GetAtt": [format!("{normalized}EventBridgeRule1"), "Arn"] }),
            ),
        );
        resources.insert(
            format!("S3BucketCanarybenchfn{i:04}"),
            json!({
                "Type": "AWS::S3::Bucket",
                "DependsOn": [format!("{normalized}LambdaPermissionCanarybenchfn{i:04}S3")],
                "Properties": {
                    "BucketName": format!("canary-bench-fn{i:04}"),
                    "NotificationConfiguration": {
                        "LambdaConfigurations": [{ "Event": "s3:ObjectCreated:*", "Function": fn_arn.clone() }]
                    }
                }
            }),
        );
        resources.insert(
            format!("{normalized}LambdaPermissionCanarybenchfn{i:04}S3"),
            permission(
                fn_arn.clone(),
                "s3.amazonaws.com",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::canary-bench-fn{i:04}") }),
            ),
        );
        resources.insert(format!("{normalized}Alarm"), alarm(json!({ "Ref": function })));
    }
    resources.insert(
        "ApiGatewayDeployment1700000000000",
        json!({
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": methods,
            "Properties": { "RestApiId": { "Ref": "ApiGatewayRestApi" }, "StageName": "dev" }
        }),
    );
    json!({
        "service": {
            "service": "canary-bench",
            "provider": { "name": "aws", "stage": "dev", "region": "us-east-1" },
            "functions": functions
        },
        "template": {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "The AWS CloudFormation template for this Serverless application",
            "Resources": resources
        }
    })
}
