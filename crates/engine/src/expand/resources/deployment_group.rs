//! `AWS::CodeDeploy::DeploymentGroup` `<Fn>DeploymentGroup`: blue/green with traffic control, the
//! traffic shape, alarms, automatic rollback and triggers of one function.

use crate::json::{Map, Value};

use super::{object, resource};
use crate::cfn;
use crate::settings::{RollbackEvent, Settings};

pub struct DeploymentGroupInputs<'a> {
    pub settings: &'a Settings,
    pub application: &'a str,
    pub service_role_arn: Value,
    pub deployment_config_name: Value,
    /// User alarms and generated `RollbackOn` alarms, as `AlarmConfiguration.Alarms` items.
    pub alarms: Vec<Value>,
    pub condition: Option<&'a str>,
}

pub fn deployment_group(inputs: DeploymentGroupInputs<'_>) -> Map {
    let settings = inputs.settings;
    let mut props = Map::with_capacity(8);
    props.insert("ApplicationName", cfn::ref_to(inputs.application));
    if let Some(name) = &settings.deployment_group_name {
        props.insert("DeploymentGroupName", name.clone());
    }
    props.insert("ServiceRoleArn", inputs.service_role_arn);
    props.insert("DeploymentConfigName", inputs.deployment_config_name);
    props.insert(
        "DeploymentStyle",
        object([
            ("DeploymentType", "BLUE_GREEN".into()),
            ("DeploymentOption", "WITH_TRAFFIC_CONTROL".into()),
        ]),
    );
    if !inputs.alarms.is_empty() {
        props.insert(
            "AlarmConfiguration",
            object([
                ("Enabled", true.into()),
                ("IgnorePollAlarmFailure", settings.ignore_poll_alarm_failure.into()),
                ("Alarms", Value::Array(inputs.alarms)),
            ]),
        );
    }
    let rollback = if settings.auto_rollback.is_empty() {
        object([("Enabled", false.into())])
    } else {
        let events =
            settings.auto_rollback.iter().map(|event: &RollbackEvent| event.as_str().into()).collect();
        object([("Enabled", true.into()), ("Events", Value::Array(events))])
    };
    props.insert("AutoRollbackConfiguration", rollback);
    if !settings.triggers.is_empty() {
        props.insert("TriggerConfigurations", Value::Array(settings.triggers.clone()));
    }
    resource(cfn::CODEDEPLOY_DEPLOYMENT_GROUP, inputs.condition, props)
}
