//! CloudFormation's names, typed once.

// Intrinsic functions.
pub const REF: &str = "Ref";
pub const GET_ATT: &str = "Fn::GetAtt";
pub const SUB: &str = "Fn::Sub";
pub const JOIN: &str = "Fn::Join";
pub const IF: &str = "Fn::If";
pub const FIND_IN_MAP: &str = "Fn::FindInMap";
pub const IMPORT_VALUE: &str = "Fn::ImportValue";
pub const SELECT: &str = "Fn::Select";
pub const EQUALS: &str = "Fn::Equals";
pub const NOT: &str = "Fn::Not";
pub const AND: &str = "Fn::And";
pub const OR: &str = "Fn::Or";
pub const SPLIT: &str = "Fn::Split";
pub const BASE64: &str = "Fn::Base64";
pub const CIDR: &str = "Fn::Cidr";
pub const GET_AZS: &str = "Fn::GetAZs";
// Functions of `AWS::LanguageExtensions`.
pub const LENGTH: &str = "Fn::Length";
pub const TO_JSON_STRING: &str = "Fn::ToJsonString";
/// A snippet transform, which sits beside the keys it processes.
pub const TRANSFORM: &str = "Fn::Transform";
/// The prefix of every intrinsic function's key but `Ref`.
pub const FN_PREFIX: &str = "Fn::";
/// The prefix of `AWS::LanguageExtensions`' loops among logical IDs.
pub const FOR_EACH_PREFIX: &str = "Fn::ForEach::";
/// `{Condition: Name}`, a named condition inside a condition.
pub const CONDITION: &str = "Condition";

// Rule functions, valid in a template's `Rules` section.
pub const CONTAINS: &str = "Fn::Contains";
pub const EACH_MEMBER_EQUALS: &str = "Fn::EachMemberEquals";
pub const EACH_MEMBER_IN: &str = "Fn::EachMemberIn";
pub const REF_ALL: &str = "Fn::RefAll";
pub const VALUE_OF: &str = "Fn::ValueOf";
pub const VALUE_OF_ALL: &str = "Fn::ValueOfAll";

// Pseudo parameters.
pub const ACCOUNT_ID: &str = "AWS::AccountId";
pub const NOTIFICATION_ARNS: &str = "AWS::NotificationARNs";
pub const NO_VALUE: &str = "AWS::NoValue";
pub const PARTITION: &str = "AWS::Partition";
pub const REGION: &str = "AWS::Region";
pub const STACK_ID: &str = "AWS::StackId";
pub const STACK_NAME: &str = "AWS::StackName";
pub const URL_SUFFIX: &str = "AWS::URLSuffix";
/// Every pseudo parameter, which `Ref` and `Fn::Sub` may name without declaring it; sorted.
pub const PSEUDO_PARAMETERS: &[&str] =
    &[ACCOUNT_ID, NOTIFICATION_ARNS, NO_VALUE, PARTITION, REGION, STACK_ID, STACK_NAME, URL_SUFFIX];
/// The prefix of the pseudo parameters, and of AWS's resource types and transforms.
pub const AWS_PREFIX: &str = "AWS::";

// Resource types the expansion reads or writes.
pub const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";
pub const LAMBDA_VERSION: &str = "AWS::Lambda::Version";
pub const LAMBDA_ALIAS: &str = "AWS::Lambda::Alias";
pub const LAMBDA_LAYER_VERSION: &str = "AWS::Lambda::LayerVersion";
pub const SERVERLESS_FUNCTION: &str = "AWS::Serverless::Function";
pub const SERVERLESS_CONNECTOR: &str = "AWS::Serverless::Connector";
pub const SERVERLESS_TYPE_PREFIX: &str = "AWS::Serverless::";
pub const CODEDEPLOY_APPLICATION: &str = "AWS::CodeDeploy::Application";
pub const CODEDEPLOY_DEPLOYMENT_GROUP: &str = "AWS::CodeDeploy::DeploymentGroup";
pub const CODEDEPLOY_DEPLOYMENT_CONFIG: &str = "AWS::CodeDeploy::DeploymentConfig";
pub const CLOUDWATCH_ALARM: &str = "AWS::CloudWatch::Alarm";
pub const CLOUDWATCH_COMPOSITE_ALARM: &str = "AWS::CloudWatch::CompositeAlarm";
pub const IAM_ROLE: &str = "AWS::IAM::Role";
pub const IAM_POLICY: &str = "AWS::IAM::Policy";
pub const LOGS_LOG_GROUP: &str = "AWS::Logs::LogGroup";
pub const SNS_TOPIC: &str = "AWS::SNS::Topic";
pub const S3_BUCKET: &str = "AWS::S3::Bucket";
pub const LAMBDA_PERMISSION: &str = "AWS::Lambda::Permission";
pub const API_GATEWAY_DEPLOYMENT: &str = "AWS::ApiGateway::Deployment";
pub const API_GATEWAY_V2_DEPLOYMENT: &str = "AWS::ApiGatewayV2::Deployment";
pub const REST_API: &str = "AWS::ApiGateway::RestApi";
pub const HTTP_API: &str = "AWS::ApiGatewayV2::Api";
pub const REST_API_STAGE: &str = "AWS::ApiGateway::Stage";
pub const HTTP_API_STAGE: &str = "AWS::ApiGatewayV2::Stage";
pub const SERVERLESS_API: &str = "AWS::Serverless::Api";
pub const SERVERLESS_HTTP_API: &str = "AWS::Serverless::HttpApi";

// Transforms.
/// The name under which templates list this macro in `Transform`.
pub const TRANSFORM_NAME: &str = "CanaryDeployments";
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

// This macro's keys in a template.
/// A function's setting, in its `Metadata` or `Properties`.
pub const SETTING_KEY: &str = "CanaryDeployment";
/// The template's defaults, in its own `Metadata`.
pub const DEFAULTS_KEY: &str = "CanaryDeployments";
