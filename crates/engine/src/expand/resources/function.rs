//! `AWS::Lambda::Function` `<Fn>SmokeTest`: the built-in pre-traffic hook of a function with
//! `SmokeTest` (docs/smoke-test.md).
//!
//! The code is the install's `canary-smoke-hook` zip (`Context::smoke_hook_code`); the cases travel
//! in one environment variable, checked by the settings to fit Lambda's 4 KB. The timeout is
//! Lambda's most, since each case waits for the invoked version, and the hook keeps back time of its
//! own to report before it; CodeDeploy waits up to an hour for the report.

use crate::json::{Map, Value};

use super::{object, resource};
use crate::cfn;
use crate::expand::CodeLocation;
use crate::settings::{SmokeCase, SMOKE_TEST_VARIABLE};

pub struct SmokeTestInputs<'a> {
    pub function: &'a str,
    pub code: &'a CodeLocation,
    pub cases: &'a [SmokeCase],
    pub role: &'a str,
    pub log_group: &'a str,
    pub condition: Option<&'a str>,
}

pub fn smoke_test(inputs: SmokeTestInputs<'_>) -> Map {
    let mut props = Map::with_capacity(10);
    props.insert(
        "Description",
        format!("Smoke test of {} before traffic moves (CanaryDeployments)", inputs.function).into(),
    );
    props.insert(
        "Code",
        object([
            ("S3Bucket", inputs.code.bucket.as_str().into()),
            ("S3Key", inputs.code.key.as_str().into()),
        ]),
    );
    props.insert("Handler", "bootstrap".into());
    props.insert("Runtime", "provided.al2023".into());
    props.insert("Architectures", Value::Array(vec!["arm64".into()]));
    props.insert("MemorySize", 128.into());
    props.insert("Timeout", 900.into());
    props.insert("Role", cfn::get_att(inputs.role, "Arn"));
    let mut variables = Map::with_capacity(1);
    variables.insert(SMOKE_TEST_VARIABLE, SmokeCase::environment_value(inputs.cases).into());
    props.insert("Environment", object([("Variables", Value::Object(variables))]));
    props.insert(
        "LoggingConfig",
        object([("LogFormat", "JSON".into()), ("LogGroup", cfn::ref_to(inputs.log_group))]),
    );
    resource(cfn::LAMBDA_FUNCTION, inputs.condition, props)
}
