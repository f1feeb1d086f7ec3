//! `AWS::Serverless::Function` in us-first templates (docs/settings.md):
//! `Transform: [CanaryDeployments, AWS::Serverless-2016-10-31]` with `Properties.CanaryDeployment`.
//!
//! SAM runs after us, so we do not generate the version, alias, application and deployment group:
//! we write SAM's own `AutoPublishAlias` and `DeploymentPreference` onto the function and let SAM
//! generate them, under the same logical IDs we would use (`<Fn>Alias<Name>`, `<Fn>DeploymentGroup`).
//! We generate only what SAM cannot express: custom traffic shapes (a `DeploymentConfig` the
//! preference's `Type` references), `RollbackOn` alarms on the version SAM publishes (SAM resolves
//! `<Fn>.Version` in `Fn::GetAtt`), the least-privilege CodeDeploy role (passed as `Role`, so SAM
//! creates none of its own), and the hook's permission to report its status.
//!
//! Analysis reconciles our settings with what the template already asks of SAM (`AutoPublishAlias`,
//! `DeploymentPreference`, `ProvisionedConcurrencyConfig`, their `Globals`) and refuses what SAM's
//! preference cannot carry; generation only writes. SAM-first templates never reach this file: SAM
//! has already turned their functions into `AWS::Lambda::Function`s, which the main path expands.

use crate::json;
use crate::json::{Map, Value};

use super::index::TemplateIndex;
use super::resources::policy;
use super::MovedInvoker;
use crate::cfn::{self, SERVERLESS_FUNCTION};
use crate::diag::{Diagnostic, Path};
use crate::settings::{RollbackEvent, Settings};

/// The CodeDeploy application SAM generates for every template with a deployment preference.
pub const APPLICATION: &str = "ServerlessDeploymentApplication";

/// `<Fn>.Version`: SAM resolves `Ref` and `Fn::GetAtt` of it to the version it publishes for a
/// function with `AutoPublishAlias`, whose logical ID carries SAM's own hash.
pub fn version_reference(function: &str) -> String {
    format!("{function}.Version")
}

/// Template-level checks, once, when some `AWS::Serverless::Function` is marked.
pub fn check_template(root: &Map, diagnostics: &mut Vec<Diagnostic>) {
    let globals = root.get("Globals").and_then(|g| g.get("Function"));
    if globals.and_then(|g| g.get("DeploymentPreference")).is_some() {
        diagnostics.push(
            Diagnostic::error(
                Path::root().key("Globals").key("Function").key("DeploymentPreference"),
                "Globals.Function.DeploymentPreference applies to every function, including those marked with \
                 CanaryDeployment, and SAM would merge it into the DeploymentPreference written for them",
            )
            .with_help(
                "move the shared settings to Metadata.CanaryDeployments, or set DeploymentPreference on each \
                 unmarked function",
            ),
        );
    }
}

/// Whether the settings (or the template defaults) name the alias; otherwise SAM's
/// `AutoPublishAlias` of the function or of `Globals` names it.
pub fn alias_given(raw: &Value, defaults: &Map) -> bool {
    raw.get("Alias").is_some() || defaults.contains_key("Alias")
}

/// SAM-first: a function SAM generated (it carries SAM's `lambda:createdBy: SAM` tag) with one
/// alias already has the alias of its `AutoPublishAlias`, and SAM pointed every event source at it.
/// Settings that name no alias adopt it; settings that name another one would add a second alias
/// that nothing invokes, which is an error.
pub fn adopt_published_alias(
    resource: &Value,
    function: &str,
    template_index: &TemplateIndex,
    alias_given: bool,
    settings: &mut Settings,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let tags = resource.get("Properties").and_then(|p| p.get("Tags")).and_then(Value::as_array);
    let by_sam = tags
        .into_iter()
        .flatten()
        .any(|t| t.get("Key") == Some(&json!("lambda:createdBy")) && t.get("Value") == Some(&json!("SAM")));
    let mut names = template_index.aliases.keys().filter(|(f, _)| f == function).map(|(_, name)| name);
    let (true, Some(name), None) = (by_sam, names.next(), names.next()) else { return };
    if !alias_given {
        settings.alias = name.clone();
    } else if *name != settings.alias {
        diagnostics.push(
            Diagnostic::error(
                path.key("Alias"),
                format!(
                    "SAM published alias {name:?} of {function} (AutoPublishAlias) and points its event sources \
                     at it; Alias {:?} would add a second alias that nothing invokes",
                    settings.alias
                ),
            )
            .with_help(format!("set Alias to {name:?}, or leave it out to use SAM's")),
        );
    }
}

/// Reconciles one marked SAM function's settings with SAM's own properties, and reports what SAM's
/// `DeploymentPreference` cannot express. May replace `settings.alias` with the `AutoPublishAlias`
/// the template already gives, so marking a function does not rename (and replace) its alias.
pub fn reconcile(
    function: &str,
    resource: &Value,
    root: &Map,
    alias_given: bool,
    settings: &mut Settings,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let props = Path::resource(function).key("Properties");
    let own = resource.get("Properties");
    if own.and_then(|p| p.get("DeploymentPreference")).is_some() {
        diagnostics.push(
            Diagnostic::error(
                props.key("DeploymentPreference"),
                format!(
                    "{function} has both CanaryDeployment and SAM's DeploymentPreference; a function takes one"
                ),
            )
            .with_help(
                "remove DeploymentPreference (CanaryDeployment writes it for SAM), or remove CanaryDeployment to \
                 keep SAM's own",
            ),
        );
    }
    let global = root.get("Globals").and_then(|g| g.get("Function")).and_then(|g| g.get("AutoPublishAlias"));
    let (sam_alias, sam_alias_path) = match own.and_then(|p| p.get("AutoPublishAlias")) {
        Some(name) => (Some(name), props.key("AutoPublishAlias")),
        None => (global, Path::root().key("Globals").key("Function").key("AutoPublishAlias")),
    };
    match sam_alias {
        Some(Value::String(name)) if alias_given && *name != settings.alias => diagnostics.push(
            Diagnostic::error(
                sam_alias_path,
                format!(
                    "AutoPublishAlias {name:?} disagrees with the CanaryDeployment Alias {:?} of {function}",
                    settings.alias
                ),
            )
            .with_help("keep one name: remove Alias from CanaryDeployment, or AutoPublishAlias"),
        ),
        Some(Value::String(name)) => settings.alias = name.to_string(),
        Some(other) if !alias_given => diagnostics.push(
            Diagnostic::error(
                sam_alias_path,
                format!(
                    "AutoPublishAlias is {other}, not a plain alias name, so the alias of {function} is unknown \
                     before SAM runs"
                ),
            )
            .with_help("set Alias in the CanaryDeployment of the function"),
        ),
        // The function's own intrinsic would be overwritten by the Alias written for SAM.
        Some(other) if own.and_then(|p| p.get("AutoPublishAlias")).is_some() => diagnostics.push(
            Diagnostic::error(
                sam_alias_path,
                format!(
                    "AutoPublishAlias is {other} and the CanaryDeployment of {function} sets Alias {:?}; a function \
                     takes one",
                    settings.alias
                ),
            )
            .with_help("remove AutoPublishAlias: CanaryDeployment writes it from Alias"),
        ),
        _ => {}
    }
    // SAM targets the function URL at the alias once the function publishes one: a new URL.
    if sam_alias.is_none() && own.and_then(|p| p.get("FunctionUrlConfig")).is_some() {
        diagnostics.push(
            Diagnostic::warning(
                props.key("FunctionUrlConfig"),
                format!(
                    "the function URL of {function} moves to alias `{}`: CloudFormation replaces the URL, so it \
                     gets a new address",
                    settings.alias
                ),
            )
            .with_help(format!(
                "update the clients of the old address; `Fn::GetAtt: [{function}Url, FunctionUrl]` gives the new one"
            )),
        );
    }
    if settings.provisioned_concurrency.is_some()
        && own.and_then(|p| p.get("ProvisionedConcurrencyConfig")).is_some()
    {
        diagnostics.push(
            Diagnostic::error(
                props.key("ProvisionedConcurrencyConfig"),
                format!("{function} sets both ProvisionedConcurrencyConfig and CanaryDeployment ProvisionedConcurrency"),
            )
            .with_help("keep one of them"),
        );
    }
    let unsupported = |key: &str| {
        Diagnostic::error(
            path.key(key),
            format!(
                "{key} cannot be expressed through SAM's DeploymentPreference, which us-first templates use"
            ),
        )
        .with_help(
            "list AWS::Serverless-2016-10-31 before CanaryDeployments and put the settings in \
             Metadata.CanaryDeployment: the macro then expands what SAM generates, with every setting",
        )
    };
    if settings.deployment_group_name.is_some() {
        diagnostics.push(unsupported("DeploymentGroupName"));
    }
    if settings.auto_rollback != RollbackEvent::ALL {
        diagnostics.push(unsupported("AutoRollback"));
    }
    if settings.ignore_poll_alarm_failure {
        diagnostics.push(unsupported("IgnorePollAlarmFailure"));
    }
    if let Err(why) = alarm_names(&settings.alarms) {
        diagnostics.push(Diagnostic::error(path.key("Alarms"), why).with_help(
            "give both branches of each Fn::If an alarm, or put every conditional alarm under one condition",
        ));
    }
}

/// The invokers SAM will generate for a function and point at its alias, as the plan lists them:
/// each entry of `Events`, the `FunctionUrlConfig` and the `EventInvokeConfig`. The events of `kept`
/// are the macro's: their permission stays on the function, and the alias gets one too.
pub fn event_sources(resource: &Value, function: &str, kept: &[&str]) -> Vec<MovedInvoker> {
    let props = Path::resource(function).key("Properties");
    let Some(own) = resource.get("Properties").and_then(Value::as_object) else { return Vec::new() };
    let by_sam =
        |label: String, path: Path| MovedInvoker { resource: function.to_owned(), path, label: Some(label) };
    let mut out = Vec::new();
    for (name, event) in own.get("Events").and_then(Value::as_object).into_iter().flatten() {
        let kind = event.get("Type").and_then(Value::as_str).unwrap_or("event");
        let label = if kept.contains(&name.as_str()) {
            format!("{function} {kind} event: a permission for the alias beside the function's")
        } else {
            format!("{function} {kind} event, by SAM")
        };
        out.push(by_sam(label, props.key("Events").key(name)));
    }
    for key in ["FunctionUrlConfig", "EventInvokeConfig"] {
        if own.contains_key(key) {
            out.push(by_sam(format!("{function} {key}, by SAM"), props.key(key)));
        }
    }
    out
}

/// Takes the events of `kept` out of the function's `Events` (`Events` itself when none is left):
/// the macro writes their permissions instead of SAM.
pub fn remove_events(function: &mut Value, kept: &[&str]) {
    if kept.is_empty() {
        return;
    }
    let Some(props) = function.get_mut("Properties").and_then(Value::as_object_mut) else { return };
    let Some(events) = props.get_mut("Events").and_then(Value::as_object_mut) else { return };
    for event in kept {
        events.shift_remove(event);
    }
    if events.is_empty() {
        props.shift_remove("Events");
    }
}

/// What one function's `DeploymentPreference` says, decided by the caller.
pub struct Preference<'a> {
    pub settings: &'a Settings,
    /// The hash of the version rule (docs/versions.md), which SAM then names the version by and
    /// appends to the function's `Description`.
    pub code_sha256: Option<&'a str>,
    pub condition: Option<&'a str>,
    /// The preference's `Type`: a config name, or a `Ref` to a `DeploymentConfig`.
    pub deployment_config: Value,
    /// The CodeDeploy role's ARN.
    pub role: Value,
    /// Items of `AlarmConfiguration.Alarms` (`{Name: …}`), the generated alarms included.
    pub alarms: Vec<Value>,
    pub pre_traffic_hook: Option<Value>,
    pub post_traffic_hook: Option<Value>,
}

/// Writes `AutoPublishAlias`, `DeploymentPreference` and (when asked) `ProvisionedConcurrencyConfig`
/// onto the function's `Properties`.
pub fn write_preference(function: &mut Value, preference: Preference<'_>) {
    let Some(props) = function.get_mut("Properties").and_then(Value::as_object_mut) else { return };
    props.insert("AutoPublishAlias", preference.settings.alias.as_str().into());
    if let Some(hash) = preference.code_sha256 {
        props.insert("AutoPublishCodeSha256", hash.into());
    }
    let mut deployment_preference = Map::new();
    if preference.settings.enabled {
        deployment_preference.insert("Type", preference.deployment_config);
        // `reconcile` reported alarms SAM cannot take; none reach here.
        if let Ok(Some(alarms)) = alarm_names(&preference.alarms) {
            deployment_preference.insert("Alarms", alarms);
        }
        let mut hooks = Map::new();
        if let Some(hook) = preference.pre_traffic_hook {
            hooks.insert("PreTraffic", hook);
        }
        if let Some(hook) = preference.post_traffic_hook {
            hooks.insert("PostTraffic", hook);
        }
        if !hooks.is_empty() {
            deployment_preference.insert("Hooks", Value::Object(hooks));
        }
        if !preference.settings.triggers.is_empty() {
            deployment_preference
                .insert("TriggerConfigurations", Value::Array(preference.settings.triggers.clone()));
        }
        deployment_preference.insert("Role", preference.role);
        // SAM leaves the deployment group unconditional unless told; every generated resource carries the function's condition (docs/generated-resources.md).
        if preference.condition.is_some() {
            deployment_preference.insert("PassthroughCondition", true.into());
        }
    } else {
        deployment_preference.insert("Enabled", false.into());
    }
    props.insert("DeploymentPreference", Value::Object(deployment_preference));
    if let Some(n) = preference.settings.provisioned_concurrency {
        props.insert("ProvisionedConcurrencyConfig", json!({"ProvisionedConcurrentExecutions": n}));
    }
}

/// SAM's `Alarms` takes alarm names and wraps each in `{Name: …}` itself. Our items are `{Name: x}`,
/// or `Fn::If` whose branches are such items or `AWS::NoValue`. Both branches named: one `Fn::If` of
/// names. A branch that drops the alarm cannot be a list item for SAM (it would become `{}`), so the
/// whole list becomes `Fn::If [c, with, without]`, which SAM accepts, when all such items share `c`.
fn alarm_names(items: &[Value]) -> Result<Option<Value>, String> {
    if items.is_empty() {
        return Ok(None);
    }
    let name = |item: &Value| item.get("Name").cloned();
    let mut with = Vec::new();
    let mut without = Vec::new();
    let mut condition: Option<&Value> = None;
    for item in items {
        if let Some(n) = name(item) {
            with.push(n.clone());
            without.push(n);
            continue;
        }
        let parts = item.get(cfn::IF).and_then(Value::as_array).filter(|p| p.len() == 3);
        let Some([c, yes, no]) = parts.map(Vec::as_slice) else {
            return Err(format!("the alarm {item} is neither {{Name: …}} nor Fn::If of alarms"));
        };
        match (name(yes), name(no)) {
            (Some(a), Some(b)) => {
                let both = cfn::if_(c.clone(), a, b);
                with.push(both.clone());
                without.push(both);
            }
            (a, b) if (a.is_some() && cfn::is_no_value(no)) || (b.is_some() && cfn::is_no_value(yes)) => {
                if condition.is_some_and(|known| known != c) {
                    return Err(
                        "conditional alarms under different conditions cannot be expressed through SAM's \
                         DeploymentPreference"
                            .into(),
                    );
                }
                condition = Some(c);
                // `with` is the list when the condition holds.
                match (a, b) {
                    (Some(a), _) => with.push(a),
                    (_, Some(b)) => without.push(b),
                    _ => unreachable!("one branch names an alarm"),
                }
            }
            _ => return Err(format!("the alarm {item} is neither {{Name: …}} nor Fn::If of alarms")),
        }
    }
    Ok(Some(match condition {
        None => Value::Array(with),
        Some(c) => cfn::if_(c.clone(), Value::Array(with), Value::Array(without)),
    }))
}

/// An `AWS::Serverless::Connector` whose destination is a marked function (`Id: <Fn>`) grants its
/// source the function's ARN only, and the source now invokes the alias. As IAM statements do
/// (docs/rewiring.md), the connector gains the alias beside the function (a destination list, which SAM
/// turns into one policy per destination); nothing is removed. `alias_of` gives the alias logical ID
/// of a marked us-first function.
pub fn grant_connector_alias(connector: &mut Value, alias_of: &dyn Fn(&str) -> Option<String>) {
    if crate::json::get_str(connector, "Type") != Some(cfn::SERVERLESS_CONNECTOR) {
        return;
    }
    let Some(props) = connector.get_mut("Properties").and_then(Value::as_object_mut) else { return };
    let Some(destination) = props.get_mut("Destination") else { return };
    let items = match destination.take() {
        Value::Array(items) => items,
        one => vec![one],
    };
    let mut out = Vec::with_capacity(items.len());
    // Every destination by its JSON text, hashed: searching the list per destination would cost the
    // square of its length.
    let mut present: std::collections::HashSet<String> = items.iter().map(Value::to_string).collect();
    for item in &items {
        out.push(item.clone());
        let alias = item.get("Id").and_then(Value::as_str).and_then(alias_of);
        if let Some(alias) = alias {
            let grant = super::resources::object([
                ("Type", cfn::LAMBDA_FUNCTION.into()),
                ("Arn", cfn::ref_to(&alias)),
            ]);
            // Already granted (the template was expanded before, or written so): nothing to add.
            if present.insert(grant.to_string()) {
                out.push(grant);
            }
        }
    }
    *destination = if out.len() == 1 { out.remove(0) } else { Value::Array(out) };
}

/// Whether a hook gets its status permission through its `Policies` (SAM builds its role): an
/// `AWS::Serverless::Function` without its own `Role`.
pub fn takes_policies(resources: &Map, hook: &str) -> bool {
    resources.get(hook).is_some_and(|h| {
        h.get("Type").and_then(Value::as_str) == Some(SERVERLESS_FUNCTION)
            && h.get("Properties").and_then(|p| p.get("Role")).is_none()
    })
}

/// Adds to a SAM hook's `Policies` the right to report its status to the deployment groups of
/// `applications`. The statement names each application's groups by wildcard, not one by one: a
/// `Ref` to a deployment group from the hook's role would close a dependency cycle (group → CodeDeploy
/// role → hook function → hook role → group), and the application holds only this template's groups.
pub fn add_hook_statement(hook: &mut Value, applications: &[&str], condition: Option<&str>) {
    let Some(props) = hook.as_object_mut().and_then(|r| {
        r.entry("Properties").or_insert_with(|| json!({}));
        r.get_mut("Properties").and_then(Value::as_object_mut)
    }) else {
        return;
    };
    let resources: Vec<Value> =
        applications.iter().map(|app| policy::any_deployment_group_arn(app)).collect();
    let statement = json!({"Statement": [{"Effect": "Allow", "Action": policy::HOOK_STATUS_ACTION, "Resource": resources}]});
    let item = super::resources::only_if(condition, statement);
    match props.get_mut("Policies") {
        Some(Value::Array(list)) => list.push(item),
        // SAM also takes one policy (a managed policy name, or a document) on its own.
        Some(one) => {
            let one = one.take();
            props.insert("Policies", json!([one, item]));
        }
        None => {
            props.insert("Policies", json!([item]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_names_unwraps_items_and_lifts_one_condition() {
        let items = vec![
            json!({"Name": {"Ref": "A"}}),
            json!({"Fn::If": ["Prod", {"Name": "p"}, {"Name": "q"}]}),
            json!({"Fn::If": ["Big", {"Name": "b"}, {"Ref": "AWS::NoValue"}]}),
        ];
        assert_eq!(
            alarm_names(&items).unwrap(),
            Some(json!({"Fn::If": ["Big",
                [{"Ref": "A"}, {"Fn::If": ["Prod", "p", "q"]}, "b"],
                [{"Ref": "A"}, {"Fn::If": ["Prod", "p", "q"]}]]}))
        );
        assert_eq!(alarm_names(&[]).unwrap(), None);
        let two_conditions = vec![
            json!({"Fn::If": ["Big", {"Name": "b"}, {"Ref": "AWS::NoValue"}]}),
            json!({"Fn::If": ["Prod", {"Ref": "AWS::NoValue"}, {"Name": "c"}]}),
        ];
        assert!(alarm_names(&two_conditions).is_err());
    }

    #[test]
    fn connector_to_a_marked_function_gains_its_alias_once() {
        let alias_of = |id: &str| (id == "Fn").then(|| "FnAliasLive".to_owned());
        let mut one =
            json!({"Type": "AWS::Serverless::Connector", "Properties": {"Destination": {"Id": "Fn"}}});
        grant_connector_alias(&mut one, &alias_of);
        let expected =
            json!([{"Id": "Fn"}, {"Type": "AWS::Lambda::Function", "Arn": {"Ref": "FnAliasLive"}}]);
        assert_eq!(one["Properties"]["Destination"], expected);
        grant_connector_alias(&mut one, &alias_of);
        assert_eq!(one["Properties"]["Destination"], expected, "a second pass adds nothing");
        let mut other =
            json!({"Type": "AWS::Serverless::Connector", "Properties": {"Destination": {"Id": "Table"}}});
        grant_connector_alias(&mut other, &alias_of);
        assert_eq!(other["Properties"]["Destination"], json!({"Id": "Table"}));
    }

    #[test]
    fn hook_statement_joins_existing_policies() {
        let mut hook =
            json!({"Type": SERVERLESS_FUNCTION, "Properties": {"Policies": "AWSLambdaBasicExecutionRole"}});
        add_hook_statement(&mut hook, &[APPLICATION], None);
        let policies = hook["Properties"]["Policies"].as_array().unwrap();
        assert_eq!(policies[0], "AWSLambdaBasicExecutionRole");
        assert_eq!(policies[1]["Statement"][0]["Action"], policy::HOOK_STATUS_ACTION);
        assert_eq!(
            policies[1]["Statement"][0]["Resource"][0]["Fn::Sub"],
            "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${ServerlessDeploymentApplication}/*"
        );
    }
}
