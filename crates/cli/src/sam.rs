//! aws-sam-translator (python3's `samtranslator`), run in a subprocess: the only place a shipped crate
//! runs another program; the engine itself never runs anything.
//!
//! Two commands need it. `--sam-translator` runs it before the engine for a SAM-first template, as
//! CloudFormation runs SAM before the macro, so that `expand`, `plan` and `validate` show what the
//! macro will really receive and return (opt-in: without it, a SAM-first template is expanded as
//! written, which deploys the same canaries). `diff` compares what CloudFormation deploys, which for a
//! SAM template only SAM knows (its version names, aliases, API deployments), so it runs SAM where
//! the `Transform` list puts it, and says so and stops when the translator is missing.

use std::io::Write;
use std::process::{Command, Stdio};

use canary_engine::cfn::{SAM_TRANSFORM, TRANSFORM_NAME};
use canary_engine::json::{self, Map, Value};

/// Translates `template` with SAM, offline: the template, the parameter values and the region go in
/// on stdin, `{"template"|"error", "version"}` comes out on stdout. AWS managed policy names are
/// resolved from the list bundled with the translator (SAM asks IAM when online).
const TRANSLATE: &str = r#"
import json, os, sys
request = json.load(sys.stdin)
os.environ["AWS_DEFAULT_REGION"] = request["region"]
try:
    import samtranslator
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
except ImportError as e:
    json.dump({"missing": str(e)}, sys.stdout)
    sys.exit(0)
try:
    from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
    policies = get_bundled_managed_policy_map("aws") or {}
except ImportError:
    policies = {}
try:
    out = Translator(None, Parser()).translate(
        request["template"], parameter_values=request["parameters"], get_managed_policy_map=lambda: policies
    )
    json.dump({"template": out, "version": samtranslator.__version__}, sys.stdout)
except InvalidDocumentException as e:
    json.dump({"error": "; ".join(str(c) for c in e.causes) or str(e)}, sys.stdout)
"#;

/// What happened to the template before the engine saw it.
pub enum Translated {
    /// SAM ran first; the template is its output, with the transforms after SAM's.
    Ran { template: Value, note: String },
    /// SAM does not run before the macro, so there was nothing to run first.
    NotSamFirst(Value),
}

/// Why the translator could not give a template.
pub enum Refused {
    /// python3 or samtranslator is missing, or did not answer: a usage error.
    Unavailable(String),
    /// SAM refused the template, as CloudFormation would: a template error, one message per cause.
    Template(Vec<String>),
}

/// The transforms listed after SAM's, when SAM is listed before this macro.
fn after_sam(template: &Value) -> Option<Vec<Value>> {
    let name =
        |t: &Value| t.as_str().map(str::to_owned).or_else(|| t.get("Name")?.as_str().map(str::to_owned));
    let list: Vec<Value> = match template.get("Transform")? {
        Value::Array(list) => list.clone(),
        one => vec![one.clone()],
    };
    let sam = list.iter().position(|t| name(t).as_deref() == Some(SAM_TRANSFORM))?;
    let ours = list.iter().position(|t| name(t).is_some_and(|n| n.starts_with(TRANSFORM_NAME)))?;
    (sam < ours).then(|| list[sam + 1..].to_vec())
}

/// SAM's translation of `template` for `region` and the stack's parameter values, offline: the
/// template, the parameter values and the region go in on stdin, `{"template"|"error", "version"}`
/// comes out on stdout. Returns the translated template and the translator's version.
pub fn translate(template: &Value, parameters: &Map, region: &str) -> Result<(Value, String), Refused> {
    let request = serde_json::json!({"template": template, "parameters": parameters, "region": region});
    let unavailable =
        |why: String| Refused::Unavailable(format!("python3 with aws-sam-translator is needed: {why}"));
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(TRANSLATE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(format!("cannot run python3: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(request.to_string().as_bytes()).map_err(|e| unavailable(e.to_string()))?;
    }
    let output = child.wait_with_output().map_err(|e| unavailable(e.to_string()))?;
    let answer: Value = json::from_str_strict(&String::from_utf8_lossy(&output.stdout))
        .map_err(|_| unavailable(format!("the translator gave no answer (exit status {})", output.status)))?;
    if let Some(missing) = answer.get("missing").and_then(Value::as_str) {
        return Err(unavailable(missing.to_owned()));
    }
    if let Some(error) = answer.get("error").and_then(Value::as_str) {
        return Err(Refused::Template(vec![error.to_owned()]));
    }
    let version = answer.get("version").and_then(Value::as_str).unwrap_or("?").to_owned();
    match answer.get("template") {
        Some(translated @ Value::Object(_)) => Ok((translated.clone(), version)),
        _ => Err(unavailable("the translator returned no template".to_owned())),
    }
}

/// Runs SAM first when the template lists it before this macro.
pub fn translate_first(template: Value, parameters: &Map, region: &str) -> Result<Translated, Refused> {
    let Some(rest) = after_sam(&template) else { return Ok(Translated::NotSamFirst(template)) };
    let (translated, version) =
        translate(&template, parameters, region).map_err(|refused| match refused {
            Refused::Unavailable(why) => Refused::Unavailable(format!(
            "--sam-translator needs python3 with aws-sam-translator (`pip install aws-sam-translator`): {why}"
        )),
            Refused::Template(causes) => Refused::Template(
                causes.into_iter().map(|c| format!("SAM refuses the template: {c}")).collect(),
            ),
        })?;
    let Value::Object(mut translated) = translated else {
        return Err(Refused::Unavailable("the translator returned no template".to_owned()));
    };
    // CloudFormation hands the macro SAM's output; the transforms after SAM's are still to run.
    translated.shift_remove("Transform");
    let transform = if rest.len() == 1 { rest[0].clone() } else { Value::Array(rest) };
    let mut template = Map::new();
    template.insert("Transform", transform);
    for (key, value) in translated {
        template.insert(key, value);
    }
    Ok(Translated::Ran {
        template: Value::Object(template),
        note: format!(
            "ran aws-sam-translator {version} first, as CloudFormation does with SAM listed before \
             CanaryDeployments: what follows is the macro's expansion of SAM's output"
        ),
    })
}
