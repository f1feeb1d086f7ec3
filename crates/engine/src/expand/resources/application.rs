//! `AWS::CodeDeploy::Application` `CanaryDeploymentsApplication`: one per template, `ComputePlatform: Lambda`.

use crate::json::Map;

use super::resource;
use crate::cfn;

pub fn application(condition: Option<&str>) -> Map {
    let mut props = Map::new();
    props.insert("ComputePlatform", "Lambda".into());
    resource(cfn::CODEDEPLOY_APPLICATION, condition, props)
}
