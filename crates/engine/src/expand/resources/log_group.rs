//! `AWS::Logs::LogGroup` `<Fn>SmokeTestLogs`: where the smoke test hook writes one line per case.
//!
//! Named by CloudFormation and handed to the hook through its `LoggingConfig`, so the hook's role can
//! grant writing to exactly this group without naming the hook (which would close a cycle: role, log
//! group, function, role). Kept a month, as the macro's own logs are by default.

use crate::json::Map;

use super::resource;
use crate::cfn;

pub fn smoke_test_logs(condition: Option<&str>) -> Map {
    let mut props = Map::with_capacity(1);
    props.insert("RetentionInDays", 30.into());
    resource(cfn::LOGS_LOG_GROUP, condition, props)
}
