//! The benchmark workload: templates of `n` marked functions, each invoked by every common kind of
//! event source, written three ways so the same application can be fed to us and to each peer.
//!
//! - [`cloudformation`]: raw CloudFormation with `Transform: CanaryDeployments` and
//!   `Properties.CanaryDeployment` on each function (our input).
//! - [`sam`]: the same application as SAM (`AWS::Serverless::Function` with `AutoPublishAlias` and
//!   `DeploymentPreference`, and `Api`/`HttpApi`/`SQS`/`SNS`/`EventBridgeRule`/`S3` events), the input of
//!   `aws-sam-translator`.
//! - [`serverless`]: the same application as the Serverless Framework compiles it (function, version,
//!   API Gateway methods, HTTP API integrations, event sources) plus the `service` object whose
//!   `deploymentSettings` drive `serverless-plugin-canary-deployments`.
//!
//! Per function the application has: a REST API method and its permission, an HTTP API route with its
//! permission, an SQS queue and event source mapping, an SNS topic and subscription with its permission,
//! an EventBridge rule with its permission, an S3 bucket notification with its permission, and a
//! CloudWatch alarm used for rollback. One pre-traffic hook is shared by every function. The shapes
//! are equivalent, not identical: each tool gets what its users would write (SAM and the plugin
//! generate parts of it themselves), so input sizes differ and are reported beside the times.

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
    let mut k = 0;
    let mut used = 0;
    while used < padding {
        let value = "x".repeat(200.min(padding - used).max(1));
        used += value.len() + 16;
        variables.insert(format!("SETTING_{k:03}"), json!(value));
        k += 1;
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

/// The execution roles every variant of the workload shares: the functions' and the hook's.
fn insert_roles(resources: &mut Map) {
    resources.insert(
        "FunctionRole",
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": lambda_trust(),
                "ManagedPolicyArns": [
                    managed("AWSLambdaBasicExecutionRole"),
                    managed("AWSLambdaSQSQueueExecutionRole")
                ]
            }
        }),
    );
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
    resources.insert(
        "HttpApiStage",
        json!({
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": { "ApiId": { "Ref": "HttpApi" }, "StageName": "$default", "AutoDeploy": true }
        }),
    );

    for i in 1..=n {
        let f = function_id(i);
        let fn_ref = json!({ "Ref": f });
        let fn_arn = json!({ "Fn::GetAtt": [f, "Arn"] });
        resources.insert(
            f.clone(),
            json!({
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": RUNTIME,
                    "Handler": "index.handler",
                    "Role": { "Fn::GetAtt": ["FunctionRole", "Arn"] },
                    "MemorySize": 256,
                    "Timeout": 10,
                    "Code": { "ZipFile": inline_code(i, padding) },
                    "Environment": environment(i, padding),
                    "CanaryDeployment": {
                        "Type": DEPLOYMENT_TYPE,
                        "PreTrafficHook": "Hook",
                        "Alarms": [format!("{f}Alarm")]
                    }
                }
            }),
        );
        resources.insert(
            format!("{f}Resource"),
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
            format!("{f}Method"),
            json!({
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": { "Ref": "RestApi" },
                    "ResourceId": { "Ref": format!("{f}Resource") },
                    "HttpMethod": "GET",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": invocation_uri(&f)
                    }
                }
            }),
        );
        resources.insert(
            format!("{f}RestApiPermission"),
            permission(
                fn_ref.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{RestApi}}/*/GET/fn{i:04}") }),
            ),
        );
        resources.insert(
            format!("{f}HttpApiPermission"),
            permission(
                fn_ref.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{HttpApi}}/*/GET/fn{i:04}") }),
            ),
        );
        resources.insert(
            format!("{f}Queue"),
            json!({ "Type": "AWS::SQS::Queue", "Properties": { "VisibilityTimeout": 60 } }),
        );
        resources.insert(
            format!("{f}QueueMapping"),
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": { "Fn::GetAtt": [format!("{f}Queue"), "Arn"] },
                    "FunctionName": fn_ref.clone(),
                    "BatchSize": 10
                }
            }),
        );
        resources.insert(format!("{f}Topic"), json!({ "Type": "AWS::SNS::Topic" }));
        resources.insert(
            format!("{f}Subscription"),
            json!({
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": { "Ref": format!("{f}Topic") },
                    "Protocol": "lambda",
                    "Endpoint": fn_arn.clone()
                }
            }),
        );
        resources.insert(
            format!("{f}TopicPermission"),
            permission(fn_ref.clone(), "sns.amazonaws.com", json!({ "Ref": format!("{f}Topic") })),
        );
        resources.insert(
            format!("{f}Rule"),
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": event_pattern(i),
                    "Targets": [{ "Id": "Function", "Arn": fn_arn.clone() }]
                }
            }),
        );
        resources.insert(
            format!("{f}RulePermission"),
            permission(
                fn_ref.clone(),
                "events.amazonaws.com",
                json!({ "Fn::GetAtt": [format!("{f}Rule"), "Arn"] }),
            ),
        );
        resources.insert(
            format!("{f}Bucket"),
            json!({
                "Type": "AWS::S3::Bucket",
                "DependsOn": format!("{f}BucketPermission"),
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
        resources.insert(format!("{f}BucketPermission"), bucket_permission);
        resources.insert(format!("{f}Alarm"), alarm(fn_ref));
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
    let mut k = 0;
    while used < padding {
        let description =
            "A documented field of the response; its text makes the definition realistically large.";
        let entry = json!({ "type": "string", "description": description });
        used += description.len() + 50;
        properties.insert(format!("field_{k:04}"), entry);
        k += 1;
    }
    json!({
        "200": {
            "description": "OK",
            "content": { "application/json": { "schema": { "type": "object", "properties": properties } } }
        }
    })
}

/// The same application as a SAM template, for `aws-sam-translator`.
pub fn sam(n: usize) -> Value {
    let mut resources = Map::new();
    insert_roles(&mut resources);
    resources.insert(
        "Hook",
        json!({
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": RUNTIME,
                "Handler": "index.handler",
                "Role": { "Fn::GetAtt": ["HookRole", "Arn"] },
                "InlineCode": "def handler(event, context):\n    return None\n"
            }
        }),
    );
    resources
        .insert("RestApi", json!({ "Type": "AWS::Serverless::Api", "Properties": { "StageName": "prod" } }));
    resources.insert("HttpApi", json!({ "Type": "AWS::Serverless::HttpApi" }));
    for i in 1..=n {
        let f = function_id(i);
        resources.insert(
            f.clone(),
            json!({
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": RUNTIME,
                    "Handler": "index.handler",
                    "Role": { "Fn::GetAtt": ["FunctionRole", "Arn"] },
                    "MemorySize": 256,
                    "Timeout": 10,
                    "InlineCode": inline_code(i, 0),
                    "Environment": environment(i, 0),
                    "AutoPublishAlias": "Live",
                    "DeploymentPreference": {
                        "Type": DEPLOYMENT_TYPE,
                        "Hooks": { "PreTraffic": { "Ref": "Hook" } },
                        "Alarms": [{ "Ref": format!("{f}Alarm") }]
                    },
                    "Events": {
                        "OnRest": {
                            "Type": "Api",
                            "Properties": { "RestApiId": { "Ref": "RestApi" }, "Path": format!("/fn{i:04}"), "Method": "get" }
                        },
                        "OnHttp": {
                            "Type": "HttpApi",
                            "Properties": { "ApiId": { "Ref": "HttpApi" }, "Path": format!("/fn{i:04}"), "Method": "GET" }
                        },
                        "OnQueue": {
                            "Type": "SQS",
                            "Properties": { "Queue": { "Fn::GetAtt": [format!("{f}Queue"), "Arn"] }, "BatchSize": 10 }
                        },
                        "OnTopic": { "Type": "SNS", "Properties": { "Topic": { "Ref": format!("{f}Topic") } } },
                        "OnRule": { "Type": "EventBridgeRule", "Properties": { "Pattern": event_pattern(i) } },
                        "OnUpload": {
                            "Type": "S3",
                            "Properties": { "Bucket": { "Ref": format!("{f}Bucket") }, "Events": "s3:ObjectCreated:*" }
                        }
                    }
                }
            }),
        );
        resources.insert(
            format!("{f}Queue"),
            json!({ "Type": "AWS::SQS::Queue", "Properties": { "VisibilityTimeout": 60 } }),
        );
        resources.insert(format!("{f}Topic"), json!({ "Type": "AWS::SNS::Topic" }));
        resources.insert(
            format!("{f}Bucket"),
            json!({ "Type": "AWS::S3::Bucket", "Properties": { "BucketName": bucket_name(i) } }),
        );
        resources.insert(format!("{f}Alarm"), alarm(json!({ "Ref": f })));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!("canary-bench workload: {n} functions with canary deployments"),
        "Resources": resources
    })
}

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
    resources.insert(
        "IamRoleLambdaExecution",
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": lambda_trust(),
                "ManagedPolicyArns": [
                    managed("AWSLambdaBasicExecutionRole"),
                    managed("AWSLambdaSQSQueueExecutionRole")
                ]
            }
        }),
    );
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
    resources.insert(
        "HttpApiStage",
        json!({
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": { "ApiId": { "Ref": "HttpApi" }, "StageName": "$default", "AutoDeploy": true }
        }),
    );
    let mut functions = Map::new();
    functions.insert("hook", json!({ "handler": "hooks.pre" }));
    let mut methods = Vec::new();
    for i in 1..=n {
        let (name, f) = sls_function(i);
        let cap = format!("Fn{i:04}");
        let fn_arn = json!({ "Fn::GetAtt": [f, "Arn"] });
        functions.insert(
            name.clone(),
            json!({
                "handler": "handler.main",
                "events": [
                    { "http": format!("GET fn{i:04}") },
                    { "httpApi": format!("GET /fn{i:04}") },
                    { "sqs": { "arn": { "Fn::GetAtt": [format!("{cap}Queue"), "Arn"] } } },
                    { "sns": format!("fn{i:04}") },
                    { "eventBridge": { "pattern": event_pattern(i) } },
                    { "s3": format!("canary-bench-fn{i:04}") }
                ],
                "deploymentSettings": {
                    "type": DEPLOYMENT_TYPE,
                    "alias": "Live",
                    "preTrafficHook": "hook",
                    "alarms": [format!("{cap}Alarm")]
                }
            }),
        );
        resources.insert(
            f.clone(),
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
        resources.insert(format!("{cap}LambdaVersionAbc"), version(&f));
        resources.insert(
            format!("ApiGatewayResource{cap}"),
            json!({
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "ParentId": { "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"] },
                    "PathPart": format!("fn{i:04}"),
                    "RestApiId": { "Ref": "ApiGatewayRestApi" }
                }
            }),
        );
        let method = format!("ApiGatewayMethod{cap}Get");
        methods.push(json!(method));
        resources.insert(
            method,
            json!({
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "HttpMethod": "GET",
                    "ResourceId": { "Ref": format!("ApiGatewayResource{cap}") },
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
            format!("{cap}LambdaPermissionApiGateway"),
            permission(
                fn_arn.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGatewayRestApi}/*/*" }),
            ),
        );
        resources.insert(
            format!("HttpApiIntegration{cap}"),
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
                    "Target": { "Fn::Join": ["/", ["integrations", { "Ref": format!("HttpApiIntegration{cap}") }]] }
                }
            }),
        );
        resources.insert(
            format!("{cap}LambdaPermissionHttpApi"),
            permission(
                fn_arn.clone(),
                "apigateway.amazonaws.com",
                json!({ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*" }),
            ),
        );
        resources.insert(
            format!("{cap}Queue"),
            json!({ "Type": "AWS::SQS::Queue", "Properties": { "VisibilityTimeout": 60 } }),
        );
        resources.insert(
            format!("{cap}EventSourceMappingSQS{cap}Queue"),
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "BatchSize": 10,
                    "EventSourceArn": { "Fn::GetAtt": [format!("{cap}Queue"), "Arn"] },
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
            format!("{cap}LambdaPermissionFn{i:04}SNS"),
            permission(fn_arn.clone(), "sns.amazonaws.com", json!({ "Ref": format!("SNSTopicFn{i:04}") })),
        );
        resources.insert(
            format!("{cap}EventBridgeRule1"),
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": event_pattern(i),
                    "Targets": [{ "Id": format!("{cap}EventBridgeTarget"), "Arn": fn_arn.clone() }]
                }
            }),
        );
        resources.insert(
            format!("{cap}LambdaPermissionEventBridge1"),
            permission(
                fn_arn.clone(),
                "events.amazonaws.com",
                json!({ "Fn::GetAtt": [format!("{cap}EventBridgeRule1"), "Arn"] }),
            ),
        );
        resources.insert(
            format!("S3BucketCanarybenchfn{i:04}"),
            json!({
                "Type": "AWS::S3::Bucket",
                "DependsOn": [format!("{cap}LambdaPermissionCanarybenchfn{i:04}S3")],
                "Properties": {
                    "BucketName": format!("canary-bench-fn{i:04}"),
                    "NotificationConfiguration": {
                        "LambdaConfigurations": [{ "Event": "s3:ObjectCreated:*", "Function": fn_arn.clone() }]
                    }
                }
            }),
        );
        resources.insert(
            format!("{cap}LambdaPermissionCanarybenchfn{i:04}S3"),
            permission(
                fn_arn.clone(),
                "s3.amazonaws.com",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::canary-bench-fn{i:04}") }),
            ),
        );
        resources.insert(format!("{cap}Alarm"), alarm(json!({ "Ref": f })));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count_type(template: &Value, resource_type: &str) -> usize {
        template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == resource_type).count()
    }

    #[test]
    fn cloudformation_marks_every_function_and_wires_every_source() {
        let t = cloudformation(7);
        let marked = t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Properties"].get("CanaryDeployment").is_some());
        assert_eq!(marked.count(), 7);
        assert_eq!(count_type(&t, "AWS::Lambda::Function"), 8, "7 functions and the hook");
        assert_eq!(count_type(&t, "AWS::Lambda::Permission"), 7 * 5);
        assert_eq!(count_type(&t, "AWS::ApiGateway::Method"), 7);
        assert_eq!(count_type(&t, "AWS::Lambda::EventSourceMapping"), 7);
        assert_eq!(count_type(&t, "AWS::SNS::Subscription"), 7);
        assert_eq!(count_type(&t, "AWS::Events::Rule"), 7);
        assert_eq!(count_type(&t, "AWS::CloudWatch::Alarm"), 7);
        assert_eq!(t["Resources"]["HttpApi"]["Properties"]["Body"]["paths"].as_object().unwrap().len(), 7);
        let bucket = &t["Resources"]["Fn0007Bucket"]["Properties"]["NotificationConfiguration"];
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
        let t = cloudformation_padded(1, 3500, 0);
        let props = &t["Resources"]["Fn0001"]["Properties"];
        let code = props["Code"]["ZipFile"].as_str().unwrap();
        assert!(code.len() <= 4096 && code.len() > 3000, "code {}", code.len());
        let env = serde_json::to_string(&props["Environment"]["Variables"]).unwrap();
        assert!(env.len() <= 4096 && env.len() > 3000, "environment {}", env.len());
    }

    #[test]
    fn sam_and_serverless_describe_the_same_functions() {
        let s = sam(3);
        assert_eq!(count_type(&s, "AWS::Serverless::Function"), 4, "3 functions and the hook");
        assert_eq!(s["Resources"]["Fn0003"]["Properties"]["Events"].as_object().unwrap().len(), 6);
        let sls = serverless(3);
        assert_eq!(sls["service"]["functions"].as_object().unwrap().len(), 4);
        assert_eq!(count_type(&sls["template"], "AWS::Lambda::Version"), 4);
        assert_eq!(count_type(&sls["template"], "AWS::Lambda::Permission"), 3 * 5);
    }
}
