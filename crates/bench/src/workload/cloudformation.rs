//! The workload as raw CloudFormation for the macro, and its 1 MB variant.

use canary_engine::json;
use canary_engine::json::{Map, Value};

use super::{
    alarm, bucket_name, environment, event_pattern, function_id, function_resource, http_api_stage,
    inline_code, insert_roles, permission, queue, DEPLOYMENT_TYPE, RUNTIME,
};

fn invocation_uri(function: &str) -> Value {
    json!({
        "Fn::Sub": format!(
            "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{function}.Arn}}/invocations"
        )
    })
}

/// Raw CloudFormation for the macro, with `n` marked functions and no padding.
pub fn cloudformation(n: usize) -> Value {
    cloudformation_padded(n, 0, 0)
}

/// Raw CloudFormation for the macro; each function carries about `padding` bytes of inline code and
/// as many of environment variables (within Lambda's 4 KB limits when `padding` ≤ 3500), and its HTTP
/// API route a documented response schema of about `schema_padding` bytes.
pub fn cloudformation_padded(n: usize, padding: usize, schema_padding: usize) -> Value {
    let mut resources = Map::new();
    insert_roles(&mut resources);
    resources.insert(
        "Hook",
        json!({
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": RUNTIME,
                "Handler": "index.handler",
                "Role": { "Fn::GetAtt": ["HookRole", "Arn"] },
                "Code": { "ZipFile": "def handler(event, context):\n    return None\n" }
            }
        }),
    );
    resources.insert(
        "RestApi",
        json!({ "Type": "AWS::ApiGateway::RestApi", "Properties": { "Name": "canary-bench" } }),
    );
    let methods: Vec<Value> = (1..=n).map(|i| json!(format!("{}Method", function_id(i)))).collect();
    resources.insert(
        "RestApiDeployment",
        json!({
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": methods,
            "Properties": { "RestApiId": { "Ref": "RestApi" } }
        }),
    );
    resources.insert(
        "RestApiStage",
        json!({
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {
                "RestApiId": { "Ref": "RestApi" },
                "DeploymentId": { "Ref": "RestApiDeployment" },
                "StageName": "prod"
            }
        }),
    );
    let mut paths = Map::new();
    for i in 1..=n {
        paths.insert(
            format!("/fn{i:04}"),
            json!({
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": invocation_uri(&function_id(i)),
                        "payloadFormatVersion": "2.0"
                    },
                    "responses": response_schema(schema_padding)
                }
            }),
        );
    }
    resources.insert(
        "HttpApi",
        json!({
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Body": {
                    "openapi": "3.0.1",
                    "info": { "title": "canary-bench-http", "version": "1.0" },
                    "paths": paths
                }
            }
        }),
    );
    resources.insert("HttpApiStage", http_api_stage());

    for i in 1..=n {
        let function = function_id(i);
        let fn_ref = json!({ "Ref": function });
        let fn_arn = json!({ "Fn::GetAtt": [function, "Arn"] });
        resources.insert(
            function.clone(),
            function_resource(
                "AWS::Lambda::Function",
                json!({
                    "Code": { "ZipFile": inline_code(i, padding) },
                    "Environment": environment(i, padding),
                    "CanaryDeployment": {
                        "Type": DEPLOYMENT_TYPE,
                        "PreTrafficHook": "Hook",
                        "Alarms": [format!("{function}Alarm")]
                    }
                }),
            ),
        );
        resources.insert(
            format!("{function}Resource"),
            json!({
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "RestApiId": { "Ref": "RestApi" },
                    "ParentId": { "Fn::GetAtt": ["RestApi", "RootResourceId"] },
                    "PathPart": format!("fn{i:04}")
                }
            }),
        );
        resources.insert(
            format!("{function}Method"),
            json!({
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": { "Ref": "RestApi" },
                    "ResourceId": { "Ref": format!("{function}Resource") },
                    "HttpMethod": "GET",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": invocation_uri(&function)
                    }
                }
            }),
        );
        resources.insert(
            format!("{function}RestApiPermission"),
            permission(
                fn_ref.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{RestApi}}/*/GET/fn{i:04}") }),
            ),
        );
        resources.insert(
            format!("{function}HttpApiPermission"),
            permission(
                fn_ref.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{HttpApi}}/*/GET/fn{i:04}") }),
            ),
        );
        resources.insert(format!("{function}Queue"), queue());
        resources.insert(
            format!("{function}QueueMapping"),
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": { "Fn::GetAtt": [format!("{function}Queue"), "Arn"] },
                    "FunctionName": fn_ref.clone(),
                    "BatchSize": 10
                }
            }),
        );
        resources.insert(format!("{function}Topic"), json!({ "Type": "AWS::SNS::Topic" }));
        resources.insert(
            format!("{function}Subscription"),
            json!({
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": { "Ref": format!("{function}Topic") },
                    "Protocol": "lambda",
                    "Endpoint": fn_arn.clone()
                }
            }),
        );
        resources.insert(
            format!("{function}TopicPermission"),
            permission(fn_ref.clone(), "sns.amazonaws.com", json!({ "Ref": format!("{function}Topic") })),
        );
        resources.insert(
            format!("{function}Rule"),
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": event_pattern(i),
                    "Targets": [{ "Id": "Function", "Arn": fn_arn.clone() }]
                }
            }),
        );
        resources.insert(
            format!("{function}RulePermission"),
            permission(
                fn_ref.clone(),
                "events.amazonaws.com",
                json!({ "Fn::GetAtt": [format!("{function}Rule"), "Arn"] }),
            ),
        );
        resources.insert(
            format!("{function}Bucket"),
            json!({
                "Type": "AWS::S3::Bucket",
                "DependsOn": format!("{function}BucketPermission"),
                "Properties": {
                    "BucketName": bucket_name(i),
                    "NotificationConfiguration": {
                        "LambdaConfigurations": [{ "Event": "s3:ObjectCreated:*", "Function": fn_arn.clone() }]
                    }
                }
            }),
        );
        let mut bucket_permission = permission(
            fn_ref.clone(),
            "s3.amazonaws.com",
            json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::canary-bench-fn{i:04}-${{AWS::AccountId}}-${{AWS::Region}}") }),
        );
        bucket_permission["Properties"]["SourceAccount"] = json!({ "Ref": "AWS::AccountId" });
        resources.insert(format!("{function}BucketPermission"), bucket_permission);
        resources.insert(format!("{function}Alarm"), alarm(fn_ref));
    }

    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "CanaryDeployments",
        "Description": format!("canary-bench workload: {n} functions with canary deployments"),
        "Resources": resources
    })
}

/// How many functions the large template has: few enough that neither it nor its expansion
/// (three more resources per function, plus the application, role and hook policy) goes over
/// CloudFormation's 500 resources.
pub const LARGE_FUNCTIONS: usize = 27;

/// Raw CloudFormation of about `target_bytes` of compact JSON (never more), the 1 MB case
/// (CloudFormation's template limit): [`LARGE_FUNCTIONS`] functions with inline code and environments
/// near Lambda's 4 KB limits, and an HTTP API whose routes document large response schemas.
pub fn cloudformation_large(target_bytes: usize) -> Value {
    const PADDING: usize = 3500;
    let n = LARGE_FUNCTIONS;
    let size =
        |schema| serde_json::to_string(&cloudformation_padded(n, PADDING, schema)).map_or(0, |s| s.len());
    let mut schema = target_bytes.saturating_sub(size(0)) / n;
    while schema > 0 && size(schema) > target_bytes {
        schema -= schema / 100 + 1;
    }
    cloudformation_padded(n, PADDING, schema)
}

/// An OpenAPI `responses` object of about `padding` bytes: a documented JSON object schema, the bulk
/// that real API definitions carry beside their integrations.
fn response_schema(padding: usize) -> Value {
    let mut properties = Map::new();
    let mut used = 0;
    let mut field = 0;
    while used < padding {
        let description =
            "A documented field of the response; its text makes the definition realistically large.";
        let entry = json!({ "type": "string", "description": description });
        used += description.len() + 50;
        properties.insert(format!("field_{field:04}"), entry);
        field += 1;
    }
    json!({
        "200": {
            "description": "OK",
            "content": { "application/json": { "schema": { "type": "object", "properties": properties } } }
        }
    })
}
