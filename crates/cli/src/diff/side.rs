//! One side of a diff: the template CloudFormation deploys, and what each marked function deploys in it.
//!
//! A source is expanded by the engine, with SAM's translator before or after it as the `Transform`
//! list orders them (what CloudFormation runs); a processed template is read as it is. Each function's
//! alias, deployment group, traffic shape, hooks and alarms are then read from the deployable template
//! alone, the same way for both sides, so a difference is a difference in what is deployed.

use std::collections::{HashMap, HashSet};

use canary_engine::cfn::{self, SAM_TRANSFORM, SETTING_KEY, TRANSFORM_NAME};
use canary_engine::json::{Map, Value};
use canary_engine::{Context, Expansion, FunctionPlan};

use super::DiffError;
use crate::sam::{self, Refused};

/// How a template was written, which decides how it becomes what CloudFormation deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `Transform: CanaryDeployments` (or a marked template without one, which the engine refuses).
    Raw,
    /// SAM's transform only: a stack before it used the macro.
    Sam,
    /// `[AWS::Serverless-2016-10-31, CanaryDeployments]`.
    SamFirst,
    /// `[CanaryDeployments, AWS::Serverless-2016-10-31]`.
    MacroFirst,
    /// No `Transform` and no setting: the processed template CloudFormation keeps, transforms applied.
    Processed,
}

impl Form {
    pub fn describe(self) -> &'static str {
        match self {
            Form::Raw => "source",
            Form::Sam => "SAM source",
            Form::SamFirst => "source, SAM first",
            Form::MacroFirst => "source, macro first",
            Form::Processed => "processed template",
        }
    }
}

pub fn form(template: &Value) -> Form {
    let transforms = transforms(template);
    let sam = transforms.iter().position(|t| t == SAM_TRANSFORM);
    let ours = transforms.iter().position(|t| t == TRANSFORM_NAME);
    match (sam, ours) {
        (Some(s), Some(o)) if s < o => Form::SamFirst,
        (Some(_), Some(_)) => Form::MacroFirst,
        (Some(_), None) => Form::Sam,
        _ if transforms.is_empty() && !has_setting(template) => Form::Processed,
        _ => Form::Raw,
    }
}

fn transforms(template: &Value) -> Vec<String> {
    let name = |t: &Value| t.as_str().or_else(|| t.get("Name").and_then(Value::as_str)).map(str::to_owned);
    match template.get("Transform") {
        Some(Value::Array(list)) => list.iter().filter_map(name).collect(),
        Some(one) => name(one).into_iter().collect(),
        None => Vec::new(),
    }
}

fn has_setting(template: &Value) -> bool {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return false };
    resources.values().any(|r| {
        ["Properties", "Metadata"]
            .iter()
            .any(|place| r.get(*place).and_then(|p| p.get(SETTING_KEY)).is_some())
    })
}

/// A template reduced to what CloudFormation deploys.
pub struct Side {
    pub name: String,
    pub form: Form,
    /// The deployable template.
    pub template: Value,
    /// Per marked function and alias, what it deploys.
    pub deployments: Vec<Deployment>,
    /// Logical IDs of the `AWS::Lambda::Version`s the input itself declares.
    pub declared_versions: HashSet<String>,
    /// The expansion's warnings, each naming the template.
    pub warnings: Vec<String>,
}

/// What one alias of a function deploys.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub function: String,
    pub alias: String,
    /// The version the alias points at (the plan's, else the alias's `FunctionVersion`).
    pub version: Option<String>,
    /// What that version snapshots, as the engine resolves it (`Value::Null` when unknown).
    pub versioned: Value,
    /// The deployment group of the alias's `UpdatePolicy`: `None` when the alias moves at once.
    pub group: Option<String>,
    pub traffic: Option<Traffic>,
    pub pre_hook: Option<String>,
    pub post_hook: Option<String>,
    pub alarms: Vec<String>,
}

/// A deployment config as a user reads it, with its steps when they are known offline.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub label: String,
    /// `(minute, percent on the new version)` from the start of the traffic shift.
    pub steps: Option<Vec<(u64, u64)>>,
}

impl Side {
    pub fn prepare(name: &str, template: Value, ctx: &Context, form: Form) -> Result<Side, DiffError> {
        let declared_versions = declared_versions(&template);
        let mut warnings = Vec::new();
        let mut expand = |template: Value| {
            let expansion = expand(name, template, ctx)?;
            warnings.extend(expansion.diagnostics.iter().map(|d| format!("{name}: {d}")));
            Ok::<_, DiffError>(expansion)
        };
        let (deployable, plan) = match form {
            Form::Processed => (template, Vec::new()),
            Form::Raw => {
                let expansion = expand(template)?;
                (expansion.template, expansion.plan)
            }
            Form::Sam => (translate(name, &template, ctx)?, Vec::new()),
            Form::SamFirst => {
                let rest: Vec<Value> = transforms(&template)
                    .into_iter()
                    .filter(|t| t != SAM_TRANSFORM)
                    .map(Value::from)
                    .collect();
                let mut translated = translate(name, &template, ctx)?;
                if let Some(root) = translated.as_object_mut() {
                    root.insert("Transform", Value::Array(rest));
                }
                let expansion = expand(translated)?;
                (expansion.template, expansion.plan)
            }
            Form::MacroFirst => {
                let expansion = expand(template)?;
                (translate(name, &expansion.template, ctx)?, expansion.plan)
            }
        };
        let mut deployments: Vec<Deployment> = if plan.is_empty() {
            aliases(&deployable)
                .into_iter()
                .map(|(function, alias)| read(&deployable, &function, &alias, ctx, None))
                .collect()
        } else {
            plan.iter().map(|p| read(&deployable, &p.function, &p.alias_logical_id, ctx, Some(p))).collect()
        };
        let unknown: Vec<(&str, Option<&str>)> = deployments
            .iter()
            .filter(|d| d.versioned.is_null())
            .map(|d| (d.function.as_str(), d.version.as_deref()))
            .collect();
        let resolved = versioned_configurations(&deployable, &unknown, ctx);
        for d in deployments.iter_mut().filter(|d| d.versioned.is_null()) {
            if let Some(v) = resolved.get(&d.function) {
                d.versioned = v.clone();
            }
        }
        Ok(Side {
            name: name.to_owned(),
            form,
            template: deployable,
            deployments,
            declared_versions,
            warnings,
        })
    }

    pub fn resources(&self) -> Option<&Map> {
        self.template.get("Resources").and_then(Value::as_object)
    }

    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.resources()?.get(logical_id)
    }

    pub fn deployment(&self, function: &str) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.function == function)
    }
}

/// The versions the input writes by hand: an `AWS::Lambda::Version` not named `<Fn>Version<10 hex>`
/// (the name this macro and SAM give the versions they publish per content).
fn declared_versions(template: &Value) -> HashSet<String> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return HashSet::new() };
    let published = |id: &str, r: &Value| {
        let function = r.pointer("/Properties/FunctionName").and_then(target).unwrap_or_default();
        id.strip_prefix(function).and_then(|rest| rest.strip_prefix("Version")).is_some_and(|hash| {
            hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
    };
    resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(cfn::LAMBDA_VERSION))
        .filter(|(id, r)| !published(id, r))
        .map(|(id, _)| id.to_string())
        .collect()
}

fn expand(name: &str, template: Value, ctx: &Context) -> Result<Expansion, DiffError> {
    let expansion = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        canary_engine::expand_source(template, ctx)
    }))
    .map_err(|payload| {
        let what = canary_engine::diag::panic_message(&*payload).unwrap_or_default();
        DiffError::Usage(format!("internal error in the expansion engine, please report it: {what}"))
    })?;
    if expansion.has_errors() {
        let errors = expansion.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{name}: {d}"));
        return Err(DiffError::Template(errors.collect()));
    }
    Ok(expansion)
}

fn translate(name: &str, template: &Value, ctx: &Context) -> Result<Value, DiffError> {
    sam::translate(template, &ctx.parameter_values, &ctx.region).map(|(translated, _)| translated).map_err(|e| match e {
        Refused::Unavailable(why) => DiffError::Usage(format!(
            "{name} uses SAM's transform ({SAM_TRANSFORM}), and what it deploys is what SAM makes of it: diff \
             runs aws-sam-translator for that, which is not available ({why}); install it with \
             `pip install aws-sam-translator`"
        )),
        Refused::Template(messages) => {
            DiffError::Template(messages.into_iter().map(|m| format!("{name}: SAM refuses the template: {m}")).collect())
        }
    })
}

/// Every alias of a function of the template, in template order: the functions a processed template
/// deploys through an alias.
fn aliases(template: &Value) -> Vec<(String, String)> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return Vec::new() };
    let is = |id: &str, ty: &str| {
        resources.get(id).and_then(|r| r.get("Type")).and_then(Value::as_str) == Some(ty)
    };
    resources
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(cfn::LAMBDA_ALIAS))
        .filter_map(|(id, r)| {
            let function = target(r.pointer("/Properties/FunctionName")?)?;
            is(function, cfn::LAMBDA_FUNCTION).then(|| (function.to_owned(), id.to_string()))
        })
        .collect()
}

/// The logical ID a `Ref` or `Fn::GetAtt` names.
pub fn target(value: &Value) -> Option<&str> {
    let (key, arg) = cfn::single_key(value)?;
    cfn::ref_or_get_att_target(key, arg)
}

/// A value as a user reads it: a string as is, a reference by the logical ID it names, else JSON.
pub fn label(value: &Value) -> String {
    match (value.as_str(), target(value)) {
        (Some(s), _) => s.to_owned(),
        (None, Some(id)) => id.to_owned(),
        _ => value.to_string(),
    }
}

fn read(
    template: &Value,
    function: &str,
    alias: &str,
    ctx: &Context,
    plan: Option<&FunctionPlan>,
) -> Deployment {
    let resources = template.get("Resources").and_then(Value::as_object);
    let get = |id: &str| resources.and_then(|r| r.get(id));
    let alias_resource = get(alias);
    let version = plan.and_then(|p| p.version_logical_id.clone()).or_else(|| {
        alias_resource
            .and_then(|a| a.pointer("/Properties/FunctionVersion"))
            .and_then(target)
            .map(str::to_owned)
    });
    // Filled by `versioned_configurations` for every function at once when the plan lacks it.
    let versioned = plan.map_or(Value::Null, |p| p.versioned_configuration.clone());
    let update = alias_resource.and_then(|a| a.pointer("/UpdatePolicy/CodeDeployLambdaAliasUpdate"));
    let group = update.and_then(|u| u.get("DeploymentGroupName")).and_then(target).map(str::to_owned);
    let group_props = group.as_deref().and_then(get).and_then(|g| g.get("Properties"));
    let traffic = group_props.and_then(|g| g.get("DeploymentConfigName")).map(|c| traffic(c, template, ctx));
    let hook = |key: &str| update.and_then(|u| u.get(key)).map(label);
    let alarms = group_props
        .and_then(|g| g.pointer("/AlarmConfiguration/Alarms"))
        .and_then(Value::as_array)
        .map(|alarms| alarms.iter().map(|a| label(a.get("Name").unwrap_or(a))).collect())
        .unwrap_or_default();
    Deployment {
        function: function.to_owned(),
        alias: alias.to_owned(),
        version,
        versioned,
        group,
        traffic,
        pre_hook: hook("BeforeAllowTrafficHook"),
        post_hook: hook("AfterAllowTrafficHook"),
        alarms,
    }
}

/// What the version of each of `functions` (with the version its alias names) snapshots, as the engine
/// resolves it for this deploy. The engine computes it for marked functions, so the functions are
/// expanded together, without the rest of the template (but with the sections and layers their
/// properties may resolve through), each marked with the shortest settings: its rule, not a copy.
///
/// The macro wrote each version's hash into the deployed function's `Description` (`<description>
/// <hash>`, or the hash alone; docs/versions.md): that is taken off first, as the expansion adds it.
fn versioned_configurations(
    template: &Value,
    functions: &[(&str, Option<&str>)],
    ctx: &Context,
) -> HashMap<String, Value> {
    let (Some(root), false) = (template.as_object(), functions.is_empty()) else { return HashMap::new() };
    let Some(resources) = root.get("Resources").and_then(Value::as_object) else { return HashMap::new() };
    let mut alone = Map::new();
    for (id, r) in resources {
        if r.get("Type").and_then(Value::as_str) == Some(cfn::LAMBDA_LAYER_VERSION) {
            alone.insert(id.clone(), r.clone());
        }
    }
    for &(function, version) in functions {
        let Some(Value::Object(mut resource)) = resources.get(function).cloned() else { continue };
        let hash = version.and_then(|v| v.strip_prefix(function)).and_then(|v| v.strip_prefix("Version"));
        let props = resource.entry("Properties").or_insert_with(|| Value::Object(Map::new()));
        let Some(props) = props.as_object_mut() else { continue };
        if let Some(hash) = hash {
            let described = props.get("Description").and_then(Value::as_str).map(str::to_owned);
            match described
                .as_deref()
                .map(|d| (d == hash, d.strip_suffix(hash).and_then(|d| d.strip_suffix(' '))))
            {
                Some((true, _)) => {
                    props.shift_remove("Description");
                }
                Some((false, Some(own))) => {
                    props.insert("Description", Value::from(own));
                }
                _ => {}
            }
        }
        let mut settings = Map::new();
        settings.insert("Type", Value::from("AllAtOnce"));
        props.insert(SETTING_KEY, Value::Object(settings));
        resource.shift_remove("Metadata");
        resource.shift_remove("DependsOn");
        alone.insert(function, Value::Object(resource));
    }
    let mut fragment = Map::new();
    for section in ["Parameters", "Conditions", "Mappings"] {
        if let Some(v) = root.get(section) {
            fragment.insert(section, v.clone());
        }
    }
    let alone = Value::Object(alone);
    fragment.insert("Resources", alone);
    let expansion = canary_engine::expand(Value::Object(fragment), ctx);
    expansion.plan.into_iter().map(|p| (p.function, p.versioned_configuration)).collect()
}

/// A deployment group's `DeploymentConfigName`, with its steps: a predefined or generated shape by
/// name, a config of the template by its `TrafficRoutingConfig`, a parameter by its value.
fn traffic(config: &Value, template: &Value, ctx: &Context) -> Traffic {
    if let Some(name) = config.as_str() {
        return Traffic { label: name.to_owned(), steps: steps_of_name(name) };
    }
    let Some(id) = target(config) else { return Traffic { label: config.to_string(), steps: None } };
    let parameter = ctx
        .parameter_values
        .get(id)
        .or_else(|| template.get("Parameters").and_then(|p| p.get(id)).and_then(|p| p.get("Default")));
    if let Some(name) = parameter.and_then(Value::as_str) {
        return Traffic { label: name.to_owned(), steps: steps_of_name(name) };
    }
    let resource = template.get("Resources").and_then(|r| r.get(id));
    let routing = resource.and_then(|r| r.pointer("/Properties/TrafficRoutingConfig"));
    Traffic { label: id.to_owned(), steps: routing.and_then(steps_of_routing) }
}

/// `CodeDeployDefault.LambdaCanary10Percent5Minutes`, `…Linear10PercentEvery1Minute`, `…AllAtOnce`,
/// and this macro's generated `Canary<P>Percent<M>Minutes` names.
fn steps_of_name(name: &str) -> Option<Vec<(u64, u64)>> {
    let shape = name.rsplit('.').next().unwrap_or(name);
    let shape = shape.strip_prefix("Lambda").unwrap_or(shape);
    let shape = shape.strip_prefix("CanaryDeploymentsConfig").unwrap_or(shape);
    if shape == "AllAtOnce" {
        return Some(vec![(0, 100)]);
    }
    let minutes =
        |s: &str| s.strip_suffix("Minutes").or_else(|| s.strip_suffix("Minute"))?.parse::<u64>().ok();
    if let Some(rest) = shape.strip_prefix("Canary") {
        let (percent, interval) = rest.split_once("Percent")?;
        return Some(canary(percent.parse().ok()?, minutes(interval)?));
    }
    let rest = shape.strip_prefix("Linear")?;
    let (percent, interval) = rest.split_once("PercentEvery")?;
    Some(linear(percent.parse().ok()?, minutes(interval)?))
}

fn steps_of_routing(routing: &Value) -> Option<Vec<(u64, u64)>> {
    let number = |v: Option<&Value>| v.and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
    match routing.get("Type")?.as_str()? {
        "AllAtOnce" => Some(vec![(0, 100)]),
        "TimeBasedCanary" => {
            let c = routing.get("TimeBasedCanary")?;
            Some(canary(number(c.get("CanaryPercentage"))?, number(c.get("CanaryInterval"))?))
        }
        "TimeBasedLinear" => {
            let l = routing.get("TimeBasedLinear")?;
            Some(linear(number(l.get("LinearPercentage"))?, number(l.get("LinearInterval"))?))
        }
        _ => None,
    }
}

/// CodeDeploy's `TimeBasedCanary`: the percentage first, the rest after the interval.
fn canary(percent: u64, minutes: u64) -> Vec<(u64, u64)> {
    vec![(0, percent.min(100)), (minutes, 100)]
}

/// CodeDeploy's `TimeBasedLinear`: the percentage "shifted at the start of each increment", with the
/// interval between increments, so 100% is reached at the start of the last one.
fn linear(percent: u64, minutes: u64) -> Vec<(u64, u64)> {
    let percent = percent.clamp(1, 100);
    let n = 100_u64.div_ceil(percent);
    (0..n).map(|k| (k * minutes, ((k + 1) * percent).min(100))).collect()
}
