//! The workload as SAM writes it, for `aws-sam-translator`.

use canary_engine::json;
use canary_engine::json::{Map, Value};

use super::{
    alarm, bucket_name, environment, event_pattern, function_id, function_resource, inline_code,
    insert_roles, queue, DEPLOYMENT_TYPE, RUNTIME,
};

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
        let function = function_id(i);
        resources.insert(
            function.clone(),
            function_resource(
                "AWS::Serverless::Function",
                json!({
                    "InlineCode": inline_code(i, 0),
                    "Environment": environment(i, 0),
                    "AutoPublishAlias": "Live",
                    "DeploymentPreference": {
                        "Type": DEPLOYMENT_TYPE,
                        "Hooks": { "PreTraffic": { "Ref": "Hook" } },
                        "Alarms": [{ "Ref": format!("{function}Alarm") }]
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
                            "Properties": { "Queue": { "Fn::GetAtt": [format!("{function}Queue"), "Arn"] }, "BatchSize": 10 }
                        },
                        "OnTopic": { "Type": "SNS", "Properties": { "Topic": { "Ref": format!("{function}Topic") } } },
                        "OnRule": { "Type": "EventBridgeRule", "Properties": { "Pattern": event_pattern(i) } },
                        "OnUpload": {
                            "Type": "S3",
                            "Properties": { "Bucket": { "Ref": format!("{function}Bucket") }, "Events": "s3:ObjectCreated:*" }
                        }
                    }
                }),
            ),
        );
        resources.insert(format!("{function}Queue"), queue());
        resources.insert(format!("{function}Topic"), json!({ "Type": "AWS::SNS::Topic" }));
        resources.insert(
            format!("{function}Bucket"),
            json!({ "Type": "AWS::S3::Bucket", "Properties": { "BucketName": bucket_name(i) } }),
        );
        resources.insert(format!("{function}Alarm"), alarm(json!({ "Ref": function })));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!("canary-bench workload: {n} functions with canary deployments"),
        "Resources": resources
    })
}
