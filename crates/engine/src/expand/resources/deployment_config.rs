//! `AWS::CodeDeploy::DeploymentConfig` `CanaryDeploymentsConfig<Shape>`: one per traffic shape that
//! CodeDeploy does not predefine, shared by every function that uses the shape.

use crate::json;
use crate::json::Map;

use super::resource;
use crate::cfn;
use crate::settings::{Shape, ShapeKind};

pub fn deployment_config(shape: &Shape, condition: Option<&str>) -> Map {
    let routing = match shape.kind {
        ShapeKind::Canary => json!({
            "Type": "TimeBasedCanary",
            "TimeBasedCanary": {
                "CanaryPercentage": shape.percentage,
                "CanaryInterval": shape.interval_minutes,
            },
        }),
        ShapeKind::Linear => json!({
            "Type": "TimeBasedLinear",
            "TimeBasedLinear": {
                "LinearPercentage": shape.percentage,
                "LinearInterval": shape.interval_minutes,
            },
        }),
    };
    let mut props = Map::new();
    props.insert("ComputePlatform", "Lambda".into());
    props.insert("TrafficRoutingConfig", routing);
    resource(cfn::CODEDEPLOY_DEPLOYMENT_CONFIG, condition, props)
}
