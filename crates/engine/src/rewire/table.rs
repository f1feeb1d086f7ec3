//! The rewiring table as data (documented in docs/rewiring.md): every invoking position the macro rewires, and what happens there.
//!
//! One row per line of docs/rewiring.md's table, in the same order; the rows after them are the role-based
//! invokers (IAM statements that gain the alias ARN) and SAM resources whose definition the macro cannot
//! see. This table is the only list of invoking positions: adding a resource type takes one row here and
//! one golden case. Paths are below `Properties`, `/`-separated:
//! - `*` is every item of a list or every value of a map;
//! - `**` is any depth (zero or more keys or indices), for OpenAPI bodies whose paths and methods are free;
//! - `*[Name=Value]` is every list item whose `Name` is the string `Value`.
//!
//! A `Fn::If` met on the way to a position is walked through both branches.

use crate::cfn;

/// One invoking resource type.
#[derive(Debug, Clone, Copy)]
pub struct Invoker {
    pub resource_type: &'static str,
    /// Positions below `Properties` (syntax in the module docs).
    pub paths: &'static [&'static str],
    pub action: Action,
}

/// Which API a piece of API Gateway configuration belongs to, and so which deployments snapshot it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Api {
    /// REST API (`AWS::ApiGateway::*`): deployments are `AWS::ApiGateway::Deployment`.
    Rest,
    /// HTTP/WebSocket API (`AWS::ApiGatewayV2::*`): deployments are `AWS::ApiGatewayV2::Deployment`.
    V2,
}

/// What happens at a row's positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A reference to a marked function becomes a reference to its alias.
    Reference,
    /// As `Reference`, unless `source_arn` names an API whose definition the macro cannot see: that API
    /// still invokes the function itself, so its permission must stay on the function.
    Permission { source_arn: &'static str },
    /// `$LATEST` at the `qualifier` position becomes the alias name when `function_name` references a
    /// marked function, and the resource gains a `DependsOn` on the alias (the qualifier is a plain
    /// name, so without it CloudFormation could configure the alias before it exists). The row's other
    /// positions are as `Reference`.
    LatestQualifier { function_name: &'static str, qualifier: &'static str },
    /// As `Reference`; the URL is replaced on update, so the user is warned that its address changes.
    FunctionUrl,
    /// As `Reference`, on configuration of the API whose logical ID `api_id` references: when something
    /// moved, that API's deployments are renamed so API Gateway serves a new snapshot.
    ApiIntegration { api: Api, api_id: &'static str },
    /// As `Reference`, on the API resource itself (its OpenAPI body, its quick-create target); the
    /// `unseen` properties hold a definition the macro cannot read, which earns a warning.
    ApiDefinition { api: Api, unseen: &'static [&'static str] },
    /// As `Reference`, and the `unseen` properties hold a definition the macro cannot read.
    UnseenDefinitionReference { unseen: &'static [&'static str] },
    /// IAM statements (a statement or a list of them) that allow `lambda:InvokeFunction` on a marked
    /// function gain the alias ARN beside it; nothing is removed (docs/rewiring.md, role-based invokers).
    GrantAlias,
    /// As `GrantAlias` at the `grants` paths, and as `Reference` at the row's other paths.
    GrantAliasElseReference { grants: &'static [&'static str] },
}

/// Configuration of a REST API, which names its API by `RestApiId`.
const REST_INTEGRATION: Action = Action::ApiIntegration { api: Api::Rest, api_id: "RestApiId" };
/// Configuration of an HTTP or WebSocket API, which names its API by `ApiId`.
const V2_INTEGRATION: Action = Action::ApiIntegration { api: Api::V2, api_id: "ApiId" };

const OPENAPI_URIS: &[&str] =
    &["Body/**/x-amazon-apigateway-integration/uri", "Body/**/x-amazon-apigateway-authorizer/authorizerUri"];

const SAM_OPENAPI_URIS: &[&str] = &[
    "DefinitionBody/**/x-amazon-apigateway-integration/uri",
    "DefinitionBody/**/x-amazon-apigateway-authorizer/authorizerUri",
    "Auth/Authorizers/*/FunctionArn",
];

pub const INVOKERS: &[Invoker] = &[
    Invoker {
        resource_type: "AWS::Lambda::Permission",
        paths: &["FunctionName"],
        action: Action::Permission { source_arn: "SourceArn" },
    },
    Invoker {
        resource_type: "AWS::Lambda::EventSourceMapping",
        paths: &["FunctionName"],
        action: Action::Reference,
    },
    // A destination is invoked with every asynchronous result; Lambda takes a qualified function ARN
    // there as anywhere it invokes.
    Invoker {
        resource_type: "AWS::Lambda::EventInvokeConfig",
        paths: &["Qualifier", "DestinationConfig/OnSuccess/Destination", "DestinationConfig/OnFailure/Destination"],
        action: Action::LatestQualifier { function_name: "FunctionName", qualifier: "Qualifier" },
    },
    Invoker { resource_type: "AWS::Lambda::Url", paths: &["TargetFunctionArn"], action: Action::FunctionUrl },
    Invoker { resource_type: "AWS::ApiGateway::Method", paths: &["Integration/Uri"], action: REST_INTEGRATION },
    Invoker { resource_type: "AWS::ApiGateway::Authorizer", paths: &["AuthorizerUri"], action: REST_INTEGRATION },
    // The documentation's single line for both API types is two rows: only a V2 API has a quick-create `Target`.
    Invoker {
        resource_type: "AWS::ApiGateway::RestApi",
        paths: OPENAPI_URIS,
        action: Action::ApiDefinition { api: Api::Rest, unseen: &["BodyS3Location"] },
    },
    Invoker {
        resource_type: "AWS::ApiGatewayV2::Api",
        paths: &[
            "Body/**/x-amazon-apigateway-integration/uri",
            "Body/**/x-amazon-apigateway-authorizer/authorizerUri",
            "Target",
        ],
        action: Action::ApiDefinition { api: Api::V2, unseen: &["BodyS3Location"] },
    },
    Invoker { resource_type: "AWS::ApiGatewayV2::Integration", paths: &["IntegrationUri"], action: V2_INTEGRATION },
    Invoker { resource_type: "AWS::ApiGatewayV2::Authorizer", paths: &["AuthorizerUri"], action: V2_INTEGRATION },
    Invoker {
        resource_type: cfn::SNS_TOPIC,
        paths: &["Subscription/*/Endpoint"],
        action: Action::Reference,
    },
    Invoker { resource_type: "AWS::SNS::Subscription", paths: &["Endpoint"], action: Action::Reference },
    Invoker {
        resource_type: "AWS::S3::Bucket",
        paths: &["NotificationConfiguration/LambdaConfigurations/*/Function"],
        action: Action::Reference,
    },
    Invoker { resource_type: "AWS::Events::Rule", paths: &["Targets/*/Arn"], action: Action::Reference },
    Invoker { resource_type: "AWS::Scheduler::Schedule", paths: &["Target/Arn"], action: Action::Reference },
    Invoker {
        resource_type: "AWS::Logs::SubscriptionFilter",
        paths: &["DestinationArn"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::IoT::TopicRule",
        paths: &[
            "TopicRulePayload/Actions/*/Lambda/FunctionArn",
            "TopicRulePayload/ErrorAction/Lambda/FunctionArn",
        ],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::AppSync::DataSource",
        paths: &["LambdaConfig/LambdaFunctionArn"],
        action: Action::Reference,
    },
    // The Lambda authorizer "may be a standard Lambda ARN, a version ARN (.../v3) or alias ARN"
    // (AppSync, `LambdaAuthorizerConfig`), for the default mode and each additional provider.
    Invoker {
        resource_type: "AWS::AppSync::GraphQLApi",
        paths: &[
            "LambdaAuthorizerConfig/AuthorizerUri",
            "AdditionalAuthenticationProviders/*/LambdaAuthorizerConfig/AuthorizerUri",
        ],
        action: Action::Reference,
    },
    // Lex V2 code hooks: `LambdaCodeHook.lambdaARN`'s pattern ends in `(:[a-zA-Z0-9-_]+)?`, a
    // qualifier. A bot alias's locales, and the test alias a bot declares for itself.
    Invoker {
        resource_type: "AWS::Lex::BotAlias",
        paths: &["BotAliasLocaleSettings/*/BotAliasLocaleSetting/CodeHookSpecification/LambdaCodeHook/LambdaArn"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::Lex::Bot",
        paths: &["TestBotAliasSettings/BotAliasLocaleSettings/*/BotAliasLocaleSetting/CodeHookSpecification/LambdaCodeHook/LambdaArn"],
        action: Action::Reference,
    },
    // Most triggers are ARNs directly under `LambdaConfig`; the custom senders and the versioned
    // pre-token trigger nest theirs as `{LambdaArn, LambdaVersion}`.
    Invoker {
        resource_type: "AWS::Cognito::UserPool",
        paths: &["LambdaConfig/*", "LambdaConfig/*/LambdaArn"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::ElasticLoadBalancingV2::TargetGroup",
        paths: &["Targets/*/Id"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::Pipes::Pipe",
        paths: &["Target", "Enrichment"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::SecretsManager::RotationSchedule",
        paths: &["RotationLambdaARN"],
        action: Action::Reference,
    },
    // A Task's `Resource` (or the `FunctionName` of the `lambda:invoke` integration) takes a qualified
    // function ARN; in a `DefinitionString` they sit inside the `Fn::Sub` or `Fn::Join` that builds it.
    Invoker {
        resource_type: "AWS::StepFunctions::StateMachine",
        paths: &[
            "DefinitionSubstitutions/*",
            "DefinitionString",
            "Definition/**/Resource",
            "Definition/**/Parameters/FunctionName",
            "Definition/**/Arguments/FunctionName",
        ],
        action: Action::UnseenDefinitionReference { unseen: &["DefinitionS3Location"] },
    },
    // Every destination type (`ExtendedS3DestinationConfiguration`, `SplunkDestinationConfiguration`, …)
    // carries the same `ProcessingConfiguration`.
    Invoker {
        resource_type: "AWS::KinesisFirehose::DeliveryStream",
        paths: &[
            "*/ProcessingConfiguration/Processors/*/Parameters/*[ParameterName=LambdaArn]/ParameterValue",
        ],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::Config::ConfigRule",
        paths: &["Source/SourceIdentifier"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::SES::ReceiptRule",
        paths: &["Rule/Actions/*/LambdaAction/FunctionArn"],
        action: Action::Reference,
    },
    // Alarm actions take `function:name:alias` (CloudWatch, "Invoke a Lambda function from an
    // alarm"); the alarm's `Dimensions` name what it watches and are never rewired.
    Invoker {
        resource_type: cfn::CLOUDWATCH_ALARM,
        paths: &["AlarmActions/*", "OKActions/*", "InsufficientDataActions/*"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: cfn::CLOUDWATCH_COMPOSITE_ALARM,
        paths: &["AlarmActions/*", "OKActions/*", "InsufficientDataActions/*"],
        action: Action::Reference,
    },
    // `ActionGroupExecutor.Lambda`'s pattern ends in `(:(\$LATEST|[a-zA-Z0-9-_]+))?`.
    Invoker {
        resource_type: "AWS::Bedrock::Agent",
        paths: &["ActionGroups/*/ActionGroupExecutor/Lambda"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::S3ObjectLambda::AccessPoint",
        paths: &["ObjectLambdaConfiguration/TransformationConfigurations/*/ContentTransformation/AwsLambda/FunctionArn"],
        action: Action::Reference,
    },
    // The authorizer's function and its permission move together: IoT invokes what this ARN names.
    Invoker { resource_type: "AWS::IoT::Authorizer", paths: &["AuthorizerFunctionArn"], action: Action::Reference },
    // Role-based invokers (docs/rewiring.md).
    Invoker {
        resource_type: cfn::IAM_ROLE,
        paths: &["Policies/*/PolicyDocument/Statement"],
        action: Action::GrantAlias,
    },
    Invoker {
        resource_type: cfn::IAM_POLICY,
        paths: &["PolicyDocument/Statement"],
        action: Action::GrantAlias,
    },
    Invoker {
        resource_type: "AWS::IAM::ManagedPolicy",
        paths: &["PolicyDocument/Statement"],
        action: Action::GrantAlias,
    },
    // Us-first templates: SAM has not yet turned these into APIs. A `DefinitionBody` the user wrote
    // keeps its integrations (SAM adds only the paths it lacks), and SAM builds each Lambda
    // authorizer (and its permission) from `Auth.Authorizers.*.FunctionArn`, so they move here; SAM
    // hashes the body into the deployment it generates, so no deployment needs renaming. A
    // definition in a file (`DefinitionUri`) is out of sight.
    Invoker {
        resource_type: "AWS::Serverless::Api",
        paths: SAM_OPENAPI_URIS,
        action: Action::ApiDefinition { api: Api::Rest, unseen: &["DefinitionUri"] },
    },
    // Us-first: SAM turns each `{Statement: …}` of a function's `Policies` into an inline policy of
    // the role it generates, so those statements gain the alias as IAM statements do.
    // A `Type: Lambda` destination of its `EventInvokeConfig` becomes the destination of the
    // `AWS::Lambda::EventInvokeConfig` SAM generates, as written.
    Invoker {
        resource_type: cfn::SERVERLESS_FUNCTION,
        paths: &[
            "Policies/*/Statement",
            "Policies/Statement",
            "EventInvokeConfig/DestinationConfig/OnSuccess/Destination",
            "EventInvokeConfig/DestinationConfig/OnFailure/Destination",
        ],
        action: Action::GrantAliasElseReference { grants: &["Policies/*/Statement", "Policies/Statement"] },
    },
    // Us-first: SAM copies the substitutions onto the `AWS::StepFunctions::StateMachine` it generates,
    // and turns each intrinsic of an inline `Definition` into one more substitution.
    Invoker {
        resource_type: "AWS::Serverless::StateMachine",
        paths: &[
            "DefinitionSubstitutions/*",
            "Definition/**/Resource",
            "Definition/**/Parameters/FunctionName",
            "Definition/**/Arguments/FunctionName",
        ],
        action: Action::UnseenDefinitionReference { unseen: &["DefinitionUri"] },
    },
    // Us-first: SAM builds an `AWS::AppSync::DataSource` (and its role) from each of these.
    Invoker {
        resource_type: "AWS::Serverless::GraphQLApi",
        paths: &["DataSources/Lambda/*/FunctionArn"],
        action: Action::Reference,
    },
    Invoker {
        resource_type: "AWS::Serverless::HttpApi",
        paths: SAM_OPENAPI_URIS,
        action: Action::ApiDefinition { api: Api::V2, unseen: &["DefinitionUri"] },
    },
];

/// The invokers each service principal stands for in an `AWS::Lambda::Permission` (the principal
/// each service's documentation gives to `lambda add-permission`). A permission without `SourceArn`
/// serves the invokers of its principal's types; one whose principal is not listed here, any.
const PRINCIPALS: &[(&str, &[&str])] = &[
    ("s3.amazonaws.com", &["AWS::S3::Bucket"]),
    ("sns.amazonaws.com", &[cfn::SNS_TOPIC, "AWS::SNS::Subscription"]),
    ("events.amazonaws.com", &["AWS::Events::Rule"]),
    ("logs.amazonaws.com", &["AWS::Logs::SubscriptionFilter"]),
    ("iot.amazonaws.com", &["AWS::IoT::TopicRule", "AWS::IoT::Authorizer"]),
    (
        "apigateway.amazonaws.com",
        &[
            "AWS::ApiGateway::Method",
            "AWS::ApiGateway::Authorizer",
            "AWS::ApiGateway::RestApi",
            "AWS::ApiGatewayV2::Api",
            "AWS::ApiGatewayV2::Integration",
            "AWS::ApiGatewayV2::Authorizer",
        ],
    ),
    ("appsync.amazonaws.com", &["AWS::AppSync::GraphQLApi"]),
    ("cognito-idp.amazonaws.com", &["AWS::Cognito::UserPool"]),
    ("elasticloadbalancing.amazonaws.com", &["AWS::ElasticLoadBalancingV2::TargetGroup"]),
    ("secretsmanager.amazonaws.com", &["AWS::SecretsManager::RotationSchedule"]),
    ("config.amazonaws.com", &["AWS::Config::ConfigRule"]),
    ("ses.amazonaws.com", &["AWS::SES::ReceiptRule"]),
    ("lambda.alarms.cloudwatch.amazonaws.com", &[cfn::CLOUDWATCH_ALARM, cfn::CLOUDWATCH_COMPOSITE_ALARM]),
    ("bedrock.amazonaws.com", &["AWS::Bedrock::Agent"]),
    ("lexv2.amazonaws.com", &["AWS::Lex::Bot", "AWS::Lex::BotAlias"]),
    // A skill's endpoint is configured in the Alexa console (or a skill package), never at a position
    // the macro moves: no invoker of the template serves its permission.
    ("alexa-appkit.amazon.com", &[]),
];

/// The invoker types `principal` stands for; `None` for a principal not listed.
pub fn invokers_of_principal(principal: &str) -> Option<&'static [&'static str]> {
    PRINCIPALS.iter().find(|(p, _)| *p == principal).map(|(_, types)| *types)
}

/// One step of a parsed table path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    /// Every list item or map value.
    Each,
    /// Any depth, including none.
    AnyDepth,
    /// Every list item whose `key` is the string `value`.
    EachWhere {
        key: &'a str,
        value: &'a str,
    },
}

/// Parses a table path; the table is constant, so a malformed path is a bug a unit test catches.
pub fn steps(path: &str) -> Vec<Step<'_>> {
    path.split('/')
        .map(|seg| match seg {
            "*" => Step::Each,
            "**" => Step::AnyDepth,
            _ => {
                match seg.strip_prefix("*[").and_then(|s| s.strip_suffix(']')).and_then(|s| s.split_once('='))
                {
                    Some((key, value)) => Step::EachWhere { key, value },
                    None => Step::Key(seg),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_parses_and_types_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for row in INVOKERS {
            assert!(seen.insert(row.resource_type), "{} has two rows", row.resource_type);
            for path in row.paths {
                for step in steps(path) {
                    if let Step::Key(k) = step {
                        assert!(!k.is_empty() && !k.contains(['*', '[', ']']), "bad step {k:?} in {path}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_principal_stands_for_invokers_of_the_table() {
        for (principal, types) in PRINCIPALS {
            for t in *types {
                assert!(INVOKERS.iter().any(|row| row.resource_type == *t), "{principal}: {t} has no row");
            }
        }
        assert_eq!(invokers_of_principal("s3.amazonaws.com"), Some(&["AWS::S3::Bucket"][..]));
        assert_eq!(invokers_of_principal("example.com"), None);
    }

    #[test]
    fn filter_step_parses() {
        assert_eq!(
            steps("a/*[ParameterName=LambdaArn]/b"),
            vec![
                Step::Key("a"),
                Step::EachWhere { key: "ParameterName", value: "LambdaArn" },
                Step::Key("b")
            ]
        );
    }
}
