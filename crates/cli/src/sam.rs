//! SAM's own translation of a template, for `diff`, which compares what CloudFormation deploys.
//!
//! A template with `Transform: AWS::Serverless-2016-10-31` deploys what SAM's translator makes of it,
//! and only SAM knows that (its version names, aliases, API deployments). So `diff` runs the real
//! translator, aws-sam-translator (`pip install aws-sam-translator`), in one `python3` process per
//! template, as CloudFormation's SAM transform runs it: the template and the parameter values in, the
//! translated template out. Without it `diff` says so and stops: guessing SAM's output would show
//! changes that do not happen.

use std::io::Write as _;
use std::process::{Command, Stdio};

use canary_engine::json::{Map, Value};

/// What SAM's transform does per request: `transform(template, parameter_values, policy loader)`. The
/// managed-policy map is what SAM asks IAM for when a function names a managed policy; offline it is
/// empty, so SAM keeps such a name as written, which changes nothing a diff compares.
const TRANSLATE: &str = r#"
import json, sys
try:
    from samtranslator.translator.transform import transform
    from samtranslator.model.exceptions import InvalidDocumentException
except ImportError as e:
    print(json.dumps({"missing": str(e)}))
    sys.exit(0)

class NoManagedPolicies:
    def load(self):
        return {}

request = json.load(sys.stdin)
try:
    out = transform(request["template"], request["parameters"], NoManagedPolicies())
except InvalidDocumentException as e:
    print(json.dumps({"errors": [str(c) for c in e.causes] or [str(e)]}))
    sys.exit(0)
except Exception as e:
    print(json.dumps({"errors": [f"{type(e).__name__}: {e}"]}))
    sys.exit(0)
print(json.dumps({"template": out}))
"#;

/// Why a translation did not happen.
pub enum SamError {
    /// python3 or aws-sam-translator is not installed.
    Missing(String),
    /// SAM refused the template.
    Refused(Vec<String>),
}

/// SAM's translation of `template` for `region` and the stack's `parameter_values`.
pub fn translate(template: &Value, parameter_values: &Map, region: &str) -> Result<Value, SamError> {
    let mut request = Map::new();
    request.insert("template", template.clone());
    request.insert("parameters", Value::Object(parameter_values.clone()));
    let request = Value::Object(request).to_string();
    let child = Command::new("python3")
        .args(["-c", TRANSLATE])
        // SAM builds ARNs from the session's region and asks for one even when none is needed.
        .env("AWS_DEFAULT_REGION", region)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.map_err(|e| SamError::Missing(format!("cannot run python3: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A failed write shows up as the child's own error below.
        let _ = stdin.write_all(request.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| SamError::Missing(format!("python3 failed: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let reply: Value = serde_json::from_str(text.trim()).map_err(|_| {
        SamError::Missing(format!(
            "python3 did not run the SAM translator ({})",
            String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap_or("no output")
        ))
    })?;
    if let Some(missing) = reply.get("missing").and_then(Value::as_str) {
        return Err(SamError::Missing(missing.to_owned()));
    }
    if let Some(errors) = reply.get("errors").and_then(Value::as_array) {
        return Err(SamError::Refused(
            errors.iter().map(|e| e.as_str().unwrap_or_default().to_owned()).collect(),
        ));
    }
    reply
        .get("template")
        .cloned()
        .ok_or_else(|| SamError::Missing("the SAM translator returned no template".to_owned()))
}
