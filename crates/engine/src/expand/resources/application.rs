//! `AWS::CodeDeploy::Application` `CanaryDeploymentsApplication`: one per template, `ComputePlatform: Lambda`.

use crate::json::Map;

use super::resource;

pub fn application(condition: Option<&str>) -> Map {
    let mut props = Map::new();
    props.insert("ComputePlatform", "Lambda".into());
    resource("AWS::CodeDeploy::Application", condition, props)
}
