//! `AWS::CodeDeploy::Application` `CanaryDeploymentsApplication`: one per template, `ComputePlatform: Lambda`.

use serde_json::{Map, Value};

use super::resource;

pub fn application(condition: Option<&str>) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("ComputePlatform".into(), "Lambda".into());
    resource("AWS::CodeDeploy::Application", condition, props)
}
