//! What rewiring must never touch (docs/rewiring.md), and why. The exclusions hold because only the
//! positions in `table.rs` are ever rewritten, and the test below keeps the table clear of these
//! resource types; the list itself only spares these types the warning about unknown references to
//! a marked function (`is_known`). Properties of listed invokers that must stay (the
//! `EventInvokeConfig`'s `FunctionName`, IAM statements' existing resources) are kept by their `Action`.

use crate::cfn;

/// Resource types (a trailing `*` is a prefix) that reference functions without being rewired, and
/// without a warning: none of them invokes the function it names.
pub const NEVER: &[(&str, &str)] = &[
    ("AWS::CloudFormation::CustomResource", "CloudFormation refuses a changed ServiceToken"),
    ("Custom::*", "CloudFormation refuses a changed ServiceToken"),
    ("AWS::CloudFront::Distribution", "Lambda@Edge associations need a version, never an alias"),
    ("AWS::Logs::LogGroup", "the function's log group is named after the function, not the alias"),
    (cfn::LAMBDA_FUNCTION, "the function itself and hook functions stay as they are"),
    (cfn::LAMBDA_VERSION, "versions are published from the function"),
    (cfn::LAMBDA_ALIAS, "aliases point at versions of the function"),
    (cfn::CODEDEPLOY_DEPLOYMENT_GROUP, "generated; names the function and alias it shifts"),
    ("AWS::Logs::MetricFilter", "filters the function's log group, named after the function"),
    ("AWS::CloudWatch::Dashboard", "a dashboard shows the function's metrics and invokes nothing"),
    ("AWS::CloudWatch::AnomalyDetector", "watches the function's metrics with its own dimensions"),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "scales a qualifier it names itself"),
    ("AWS::ApplicationAutoScaling::ScalingPolicy", "scales a qualifier its target names"),
    ("AWS::SQS::QueuePolicy", "a resource policy names the function as a caller, not a target"),
    ("AWS::SNS::TopicPolicy", "a resource policy names the function as a caller, not a target"),
    ("AWS::S3::BucketPolicy", "a resource policy names the function as a caller, not a target"),
    ("AWS::Events::EventBusPolicy", "a resource policy names the function as a caller, not a target"),
];

/// Whether `resource_type` is one of [`NEVER`]'s types.
pub fn is_never(resource_type: &str) -> bool {
    NEVER.iter().any(|(never, _)| match never.strip_suffix('*') {
        Some(prefix) => resource_type.starts_with(prefix),
        None => resource_type == *never,
    })
}

#[cfg(test)]
mod tests {
    use super::is_never;
    use crate::rewire::table::INVOKERS;

    #[test]
    fn no_invoker_row_for_a_never_rewired_type() {
        for row in INVOKERS {
            assert!(
                !is_never(row.resource_type),
                "{} is in the table but must never be rewired",
                row.resource_type
            );
        }
    }

    #[test]
    fn a_star_is_a_prefix() {
        assert!(is_never("Custom::Anything"));
        assert!(is_never("AWS::Logs::LogGroup"));
        assert!(!is_never("AWS::Logs::LogGroupX"));
        assert!(!is_never("AWS::SNS::Topic"));
    }
}
