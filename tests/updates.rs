//! The update model: pairs of deploys (before, after, parameter values) of one marked function,
//! each run through every transform order with the real aws-sam-translator, and the version each
//! order publishes compared with what Lambda does.
//!
//! Lambda publishes a version only when the function's code or version-level configuration changed
//! since the last one (`PublishVersion`, Lambda API reference); CloudFormation creates an
//! `AWS::Lambda::Version` only when its logical ID is new. So an order is right for a pair when the
//! version's logical ID changes exactly when what Lambda stores changes: a change of a versioned
//! property must reach callers through a new version (and a canary), and an edit Lambda does not
//! store must not make CloudFormation publish (Lambda would refuse: "A version for this Lambda
//! function exists"). Each pair says which, and why, in its `why`.
//!
//! Beside that, in every order the function's `Description` (which carries the version's hash,
//! docs/versions.md) changes whenever the version ID does: Lambda then always has a new
//! configuration to publish, even when a version ID changes for a reason Lambda does not see.
//!
//! The reproductions of `tests/updates/` (`macro-first-timeout.v1/v2`, `novalue-branch.v1/v2`,
//! `sam-first-autopublishalias.v1/v2`, and the older `03-…`, `05-…`, `06-…`) run in the order each
//! names; `previous_rule.json` holds what the macro's previous version rule published for them and
//! for the expansion goldens, for the upgrade test.

// A test reports by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use canary_engine::json::{Map, Value};
use canary_engine::{expand, expand_source, json, Context};
use canary_system_tests::repo_root;
use canary_test_support::{cfn_lint, sam, sam::Op};

const SAM: &str = "AWS::Serverless-2016-10-31";
const OURS: &str = "CanaryDeployments";

/// Where the function lands after every transform ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Order {
    /// `Transform: CanaryDeployments` over an `AWS::Lambda::Function`.
    Raw,
    /// SAM first, no `AutoPublishAlias`.
    SamFirst,
    /// SAM first, `Globals.Function.AutoPublishAlias`.
    SamFirstGlobalAlias,
    /// SAM first, the function's own `AutoPublishAlias`.
    SamFirstOwnAlias,
    /// `Transform: [CanaryDeployments, AWS::Serverless-2016-10-31]`.
    MacroFirst,
}

const ORDERS: [Order; 5] =
    [Order::Raw, Order::SamFirst, Order::SamFirstGlobalAlias, Order::SamFirstOwnAlias, Order::MacroFirst];

/// One pair of deploys. `before` and `after` are the function's properties in SAM's spelling (the raw
/// order spells `CodeUri`, `Tracing` and `Tags` as `AWS::Lambda::Function` does); `sections` are the
/// template's other sections (`Parameters`, `Conditions`, `Mappings`, more `Resources`) in both.
struct Pair {
    name: &'static str,
    publishes: bool,
    why: &'static str,
    before: Value,
    after: Value,
    sections: Value,
    sections_after: Option<Value>,
    parameters: (Value, Value),
}

fn pair(name: &'static str, publishes: bool, why: &'static str, before: Value, after: Value) -> Pair {
    Pair {
        name,
        publishes,
        why,
        before,
        after,
        sections: json!({}),
        sections_after: None,
        parameters: (json!({}), json!({})),
    }
}

fn with_sections(mut p: Pair, sections: Value) -> Pair {
    p.sections = sections;
    p
}

fn with_parameters(mut p: Pair, before: Value, after: Value) -> Pair {
    p.parameters = (before, after);
    p
}

const STORED: &str = "UpdateFunctionConfiguration/UpdateFunctionCode set it, and PublishVersion snapshots it";

fn base() -> Value {
    json!({"CodeUri": "s3://bucket/app-v1.zip", "Handler": "app.handler", "Runtime": "python3.12"})
}

fn edit(changes: Value) -> Value {
    let mut props = base();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            props.as_object_mut().unwrap().shift_remove(k.as_str());
        } else {
            props[k.as_str()] = v.clone();
        }
    }
    props
}

fn stage_sections() -> Value {
    json!({
        "Parameters": {
            "Stage": {"Type": "String", "Default": "dev"},
            "Level": {"Type": "String", "Default": "info"},
            "HandlerName": {"Type": "String", "Default": "app.handler"},
            "Memory": {"Type": "Number", "Default": "256"},
            "Unused": {"Type": "String", "Default": "a"},
        },
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Mappings": {"Sizes": {"dev": {"Memory": "256"}, "prod": {"Memory": "1024"}}},
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {"Content": {"S3Bucket": "bucket", "S3Key": "layer-v1.zip"}}},
        },
    })
}

/// The pairs: every versioned property class, every function-level one, every rewrite that changes
/// nothing Lambda stores.
fn pairs() -> Vec<Pair> {
    let s = stage_sections;
    let mut pairs = vec![
        pair("timeout", true, STORED, edit(json!({"Timeout": 3})), edit(json!({"Timeout": 30}))),
        pair("runtime", true, STORED, base(), edit(json!({"Runtime": "python3.13"}))),
        pair("handler", true, STORED, base(), edit(json!({"Handler": "app.handler_v2"}))),
        pair("memory", true, STORED, base(), edit(json!({"MemorySize": 256}))),
        pair(
            "code",
            true,
            "UpdateFunctionCode: new code",
            base(),
            edit(json!({"CodeUri": "s3://bucket/app-v2.zip"})),
        ),
        pair("description", true, STORED, base(), edit(json!({"Description": "orders"}))),
        pair("architectures", true, STORED, base(), edit(json!({"Architectures": ["arm64"]}))),
        pair("ephemeral storage", true, STORED, base(), edit(json!({"EphemeralStorage": {"Size": 1024}}))),
        pair("tracing", true, STORED, base(), edit(json!({"Tracing": "Active"}))),
        pair(
            "environment value",
            true,
            STORED,
            edit(json!({"Environment": {"Variables": {"LEVEL": "1"}}})),
            edit(json!({"Environment": {"Variables": {"LEVEL": "2"}}})),
        ),
        pair(
            "layer ARN",
            true,
            STORED,
            base(),
            edit(json!({"Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:shared:3"]})),
        ),
        pair("logging format", true, STORED, base(), edit(json!({"LoggingConfig": {"LogFormat": "JSON"}}))),
        pair(
            "kms key",
            true,
            STORED,
            base(),
            edit(json!({"KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"})),
        ),
        // Function-level: set by APIs that take no qualifier, so a version never holds them.
        pair(
            "tags",
            false,
            "TagResource tags the function's ARN, not a version",
            base(),
            edit(json!({"Tags": {"team": "a"}})),
        ),
        pair(
            "reserved concurrency",
            false,
            "PutFunctionConcurrency takes no qualifier",
            base(),
            edit(json!({"ReservedConcurrentExecutions": 5})),
        ),
        pair(
            "recursive loop",
            false,
            "PutFunctionRecursionConfig takes no qualifier",
            edit(json!({"RecursiveLoop": "Terminate"})),
            edit(json!({"RecursiveLoop": "Allow"})),
        ),
        pair(
            "code signing",
            false,
            "PutFunctionCodeSigningConfig takes no qualifier",
            base(),
            edit(
                json!({"CodeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"}),
            ),
        ),
        pair("canary setting", false, "consumed by the macro; Lambda never sees it", base(), base()),
        // Rewrites: Lambda stores the same configuration.
        pair(
            "explicit default timeout",
            false,
            "Lambda's default Timeout is 3 (CreateFunction)",
            base(),
            edit(json!({"Timeout": 3})),
        ),
        pair(
            "explicit default memory",
            false,
            "Lambda's default MemorySize is 128 (CreateFunction)",
            base(),
            edit(json!({"MemorySize": 128})),
        ),
        pair(
            "explicit default architecture",
            false,
            "Lambda's default Architectures is x86_64",
            base(),
            edit(json!({"Architectures": ["x86_64"]})),
        ),
        pair(
            "explicit default storage",
            false,
            "Lambda's default EphemeralStorage is 512 MB",
            base(),
            edit(json!({"EphemeralStorage": {"Size": 512}})),
        ),
        pair(
            "number as string",
            false,
            "CloudFormation converts \"256\" to the integer 256",
            edit(json!({"MemorySize": 256})),
            edit(json!({"MemorySize": "256"})),
        ),
        pair(
            "empty environment",
            false,
            "an empty Environment sets no variable",
            base(),
            edit(json!({"Environment": {}})),
        ),
        pair(
            "empty variables",
            false,
            "an empty Variables sets no variable",
            base(),
            edit(json!({"Environment": {"Variables": {}}})),
        ),
    ];
    pairs.extend([
        with_sections(
            pair(
                "tracing only in prod, deployed to dev",
                false,
                "Fn::If gives AWS::NoValue in dev: CloudFormation drops the property",
                base(),
                edit(json!({"Tracing": {"Fn::If": ["IsProd", "Active", {"Ref": "AWS::NoValue"}]}})),
            ),
            s(),
        ),
        with_sections(
            pair(
                "GetAtt spelled as a string",
                false,
                "both spellings give the queue's ARN",
                edit(json!({"Environment": {"Variables": {"QUEUE": {"Fn::GetAtt": ["Queue", "Arn"]}}}})),
                edit(json!({"Environment": {"Variables": {"QUEUE": {"Fn::GetAtt": "Queue.Arn"}}}})),
            ),
            s(),
        ),
        with_sections(
            pair(
                "GetAtt spelled as Sub",
                false,
                "Fn::Sub of one attribute gives the attribute",
                edit(json!({"Environment": {"Variables": {"QUEUE": {"Fn::GetAtt": ["Queue", "Arn"]}}}})),
                edit(json!({"Environment": {"Variables": {"QUEUE": {"Fn::Sub": "${Queue.Arn}"}}}})),
            ),
            s(),
        ),
        with_sections(
            pair(
                "literal as an equal parameter",
                false,
                "the parameter's value is the literal",
                base(),
                edit(json!({"Handler": {"Ref": "HandlerName"}})),
            ),
            s(),
        ),
        with_sections(
            pair(
                "literal as an equal mapping",
                false,
                "FindInMap gives the literal",
                edit(json!({"MemorySize": 256})),
                edit(json!({"MemorySize": {"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}})),
            ),
            s(),
        ),
        with_sections(
            pair(
                "number parameter",
                false,
                "a Number parameter's text is the number",
                edit(json!({"MemorySize": 256})),
                edit(json!({"MemorySize": {"Ref": "Memory"}})),
            ),
            s(),
        ),
        with_sections(
            pair(
                "literal as Join",
                false,
                "Fn::Join of known parts gives the literal",
                base(),
                edit(json!({"Handler": {"Fn::Join": [".", ["app", "handler"]]}})),
            ),
            s(),
        ),
        with_parameters(
            with_sections(
                pair("unused parameter changes", false, "the function reads nothing of it", base(), base()),
                s(),
            ),
            json!({"Unused": "a"}),
            json!({"Unused": "b"}),
        ),
        with_parameters(
            with_sections(
                pair(
                    "environment from a parameter",
                    true,
                    STORED,
                    edit(json!({"Environment": {"Variables": {"LEVEL": {"Ref": "Level"}}}})),
                    edit(json!({"Environment": {"Variables": {"LEVEL": {"Ref": "Level"}}}})),
                ),
                s(),
            ),
            json!({}),
            json!({"Level": "debug"}),
        ),
        with_parameters(
            with_sections(
                pair(
                    "memory by condition",
                    true,
                    STORED,
                    edit(json!({"MemorySize": {"Fn::If": ["IsProd", 1024, 128]}})),
                    edit(json!({"MemorySize": {"Fn::If": ["IsProd", 1024, 128]}})),
                ),
                s(),
            ),
            json!({}),
            json!({"Stage": "prod"}),
        ),
        with_parameters(
            with_sections(
                pair(
                    "memory by mapping",
                    true,
                    STORED,
                    edit(json!({"MemorySize": {"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}})),
                    edit(json!({"MemorySize": {"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}})),
                ),
                s(),
            ),
            json!({}),
            json!({"Stage": "prod"}),
        ),
        with_sections(
            pair(
                "layer of the template",
                true,
                "a new layer version is a new ARN in Layers",
                edit(json!({"Layers": [{"Ref": "Layer"}]})),
                edit(json!({"Layers": [{"Ref": "Layer"}]})),
            ),
            s(),
        ),
    ]);
    // The layer's content changes between the deploys.
    let last = pairs.last_mut().unwrap();
    let mut after = stage_sections();
    after["Resources"]["Layer"]["Properties"]["Content"]["S3Key"] = json!("layer-v2.zip");
    last.sections_after = Some(after);
    pairs
}

/// The function's properties as `AWS::Lambda::Function` spells them.
fn raw_properties(sam_props: &Value) -> Value {
    let mut out = Map::new();
    for (k, v) in sam_props.as_object().unwrap() {
        match k.as_str() {
            "CodeUri" => {
                let (bucket, key) =
                    v.as_str().unwrap().strip_prefix("s3://").unwrap().split_once('/').unwrap();
                out.insert("Code", json!({"S3Bucket": bucket, "S3Key": key}));
            }
            "Tracing" => {
                out.insert("TracingConfig", json!({"Mode": v}));
            }
            "Tags" => {
                let tags: Vec<Value> = v
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| json!({"Key": k.as_str(), "Value": v}))
                    .collect();
                out.insert("Tags", Value::Array(tags));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out.insert("Role", json!("arn:aws:iam::123456789012:role/fn"));
    Value::Object(out)
}

/// The template one order deploys; `canary` is the function's `CanaryDeployment`.
fn template(order: Order, props: &Value, sections: &Value, canary: &Value) -> Value {
    let mut template = sections.clone();
    let root = template.as_object_mut().unwrap();
    let mut resources = root.get("Resources").cloned().unwrap_or_else(|| json!({}));
    let function = match order {
        Order::Raw => {
            json!({"Type": "AWS::Lambda::Function", "Metadata": {"CanaryDeployment": canary}, "Properties": raw_properties(props)})
        }
        Order::MacroFirst => {
            let mut props = props.clone();
            props["CanaryDeployment"] = canary.clone();
            json!({"Type": "AWS::Serverless::Function", "Properties": props})
        }
        _ => {
            let mut props = props.clone();
            if order == Order::SamFirstOwnAlias {
                props["AutoPublishAlias"] = json!("live");
            }
            json!({"Type": "AWS::Serverless::Function", "Metadata": {"CanaryDeployment": canary}, "Properties": props})
        }
    };
    resources["Fn"] = function;
    root.insert("Resources", resources);
    let transform = match order {
        Order::Raw => json!(OURS),
        Order::MacroFirst => json!([OURS, SAM]),
        _ => json!([SAM, OURS]),
    };
    root.insert("Transform", transform);
    if order == Order::SamFirstGlobalAlias {
        root.insert("Globals", json!({"Function": {"AutoPublishAlias": "live"}}));
    }
    template
}

fn context(parameter_values: &Value) -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values: parameter_values.as_object().cloned().unwrap_or_default(),
        smoke_hook_code: None,
    }
}

/// The macro's run as CloudFormation makes it: over the template without its `Transform`. Returns
/// the output and the plan's version ID of `Fn`.
fn run_macro(mut template: Value, parameters: &Value, label: &str) -> (Value, Option<String>) {
    template.as_object_mut().unwrap().shift_remove("Transform");
    let expansion = expand(template, &context(parameters));
    let errors: Vec<String> =
        expansion.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "{label}: {errors:?}");
    let plan = expansion
        .plan
        .iter()
        .find(|p| p.function == "Fn")
        .unwrap_or_else(|| panic!("{label}: Fn not planned"));
    assert!(plan.versioned_configuration.is_object(), "{label}: no versioned configuration");
    (expansion.template, plan.version_logical_id.clone())
}

/// What the deployed template publishes for `Fn`: the version the alias points at, and the
/// function's `Description` (which Lambda stores in the version).
fn published(template: &Value, label: &str) -> (String, Value) {
    let resources = template["Resources"].as_object().unwrap_or_else(|| panic!("{label}: {template}"));
    let aliases: Vec<&Value> = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::Lambda::Alias" && r["Properties"]["FunctionName"] == json!({"Ref": "Fn"})
        })
        .collect();
    let [alias] = aliases.as_slice() else {
        panic!("{label}: one alias of Fn expected, found {}", aliases.len())
    };
    let version = &alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0];
    let version =
        version.as_str().unwrap_or_else(|| panic!("{label}: FunctionVersion {}", alias["Properties"]));
    assert_eq!(resources[version]["Type"], "AWS::Lambda::Version", "{label}");
    let description = resources["Fn"]["Properties"].get("Description").cloned().unwrap_or(Value::Null);
    (version.to_owned(), description)
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("updates").join(name);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_json(path: &Path, value: &Value) {
    fs::write(path, value.to_string()).unwrap();
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.into()
}

/// One deploy of one template in one order, run with the other deploys so that the SAM translator
/// and cfn-lint each start once.
struct Deploy {
    label: String,
    order: Order,
    template: Value,
    parameters: Value,
}

/// What each deploy published: `(version ID, Description)`, in `deploys`' order. Lints the final
/// templates of the deploys `lint` picks (cfn-lint takes a second or so a template).
fn deploy_all(
    deploys: &[Deploy],
    dir: &Path,
    lint: impl Fn(&Deploy) -> bool,
) -> Option<Vec<(String, Value)>> {
    // SAM first: the translator sees the template as written.
    let mut steps = Vec::new();
    for (i, d) in deploys.iter().enumerate() {
        if matches!(d.order, Order::SamFirst | Order::SamFirstGlobalAlias | Order::SamFirstOwnAlias) {
            write_json(&dir.join(format!("{i}.source.json")), &d.template);
            steps.push((
                Op::Translate,
                dir.join(format!("{i}.source.json")),
                dir.join(format!("{i}.translated.json")),
            ));
        }
    }
    if !sam::translate(&steps) {
        return None;
    }
    let mut steps = Vec::new();
    let mut planned = Vec::new();
    for (i, d) in deploys.iter().enumerate() {
        let (output, plan_id) = match d.order {
            Order::Raw => run_macro(d.template.clone(), &d.parameters, &d.label),
            Order::MacroFirst => {
                let (out, id) = run_macro(d.template.clone(), &d.parameters, &d.label);
                write_json(&dir.join(format!("{i}.expanded.json")), &out);
                steps.push((
                    Op::Translate,
                    dir.join(format!("{i}.expanded.json")),
                    dir.join(format!("{i}.json")),
                ));
                planned.push(id);
                continue;
            }
            _ => {
                let translated = read_json(&dir.join(format!("{i}.translated.json")));
                assert!(translated.get("SamError").is_none(), "{}: {translated}", d.label);
                run_macro(translated, &d.parameters, &d.label)
            }
        };
        write_json(&dir.join(format!("{i}.json")), &output);
        planned.push(plan_id);
    }
    // Macro first: the translator sees what the macro returned.
    assert!(sam::translate(&steps), "the translator was there for the first step");
    let finals: Vec<PathBuf> = (0..deploys.len()).map(|i| dir.join(format!("{i}.json"))).collect();
    let linted: Vec<&PathBuf> = finals.iter().zip(deploys).filter(|(_, d)| lint(d)).map(|(f, _)| f).collect();
    cfn_lint::assert_no_errors(&linted, "the update model's deployed templates");
    let mut out = Vec::new();
    for ((d, path), plan_id) in deploys.iter().zip(&finals).zip(planned) {
        let template = read_json(path);
        assert!(template.get("SamError").is_none(), "{}: {template}", d.label);
        let (version, description) = published(&template, &d.label);
        // The plan names the version that is deployed (SAM's, macro first).
        assert_eq!(plan_id.as_deref(), Some(version.as_str()), "{}: the plan's version ID", d.label);
        out.push((version, description));
    }
    Some(out)
}

#[test]
fn every_order_publishes_exactly_when_lambda_stores_a_change() {
    let canary = json!({"Type": "Canary10Percent5Minutes"});
    let other_canary = json!({"Type": "Linear10PercentEvery1Minute"});
    let pairs = pairs();
    let mut deploys = Vec::new();
    for p in &pairs {
        for order in ORDERS {
            let after_sections = p.sections_after.as_ref().unwrap_or(&p.sections);
            let after_canary = if p.name == "canary setting" { &other_canary } else { &canary };
            deploys.push(Deploy {
                label: format!("{} ({order:?}, before)", p.name),
                order,
                template: template(order, &p.before, &p.sections, &canary),
                parameters: p.parameters.0.clone(),
            });
            deploys.push(Deploy {
                label: format!("{} ({order:?}, after)", p.name),
                order,
                template: template(order, &p.after, after_sections, after_canary),
                parameters: p.parameters.1.clone(),
            });
        }
    }
    // Every order of the pairs whose templates differ in shape: each other pair changes one value.
    let shapes = ["timeout", "tracing only in prod", "layer of the template"];
    let lint = |d: &Deploy| shapes.iter().any(|s| d.label.starts_with(s));
    let Some(published) = deploy_all(&deploys, &scratch("pairs"), lint) else { return };
    let mut wrong = Vec::new();
    let mut counts: BTreeMap<Order, usize> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        for (j, order) in ORDERS.iter().enumerate() {
            let k = 2 * (i * ORDERS.len() + j);
            let ((v1, d1), (v2, d2)) = (&published[k], &published[k + 1]);
            *counts.entry(*order).or_default() += 1;
            if (v1 != v2) != p.publishes {
                let did = if v1 == v2 { "publishes nothing" } else { "publishes" };
                wrong.push(format!(
                    "{} ({order:?}): {did} ({v1} -> {v2}); expected otherwise: {}",
                    p.name, p.why
                ));
            }
            // Lambda has a new configuration to publish whenever CloudFormation asks it to.
            if (v1 != v2) != (d1 != d2) {
                wrong.push(format!(
                    "{} ({order:?}): version {v1} -> {v2} but Description {d1} -> {d2}",
                    p.name
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} pairs wrong:\n{}", wrong.len(), deploys.len() / 2, wrong.join("\n"));
    assert_eq!(counts.values().copied().collect::<Vec<_>>(), vec![pairs.len(); ORDERS.len()]);
}

fn case_dir() -> PathBuf {
    repo_root().join("tests/updates")
}

/// Each reproduction of `tests/updates/`, as its comment describes, in the order it names.
#[test]
fn reproductions_publish_in_the_order_each_names() {
    let dir = scratch("cases");
    let files = [
        "macro-first-timeout.v1.yaml",
        "macro-first-timeout.v2.yaml",
        "novalue-branch.v1.yaml",
        "novalue-branch.v2.yaml",
        "sam-first-autopublishalias.v1.yaml",
        "sam-first-autopublishalias.v2.yaml",
        "03-function-level-property-forces-new-version.yaml",
        "05-layer-change-no-new-version.yaml",
        "06-condition-and-mapping-not-hashed.yaml",
    ];
    let steps: Vec<_> =
        files.iter().map(|f| (Op::Parse, case_dir().join(f), dir.join(format!("{f}.json")))).collect();
    if !sam::translate(&steps) {
        return;
    }
    let read = |f: &str| read_json(&dir.join(format!("{f}.json")));
    let order_of = |t: &Value| match &t["Transform"] {
        Value::String(_) => Order::Raw,
        Value::Array(list) if list[0] == SAM => Order::SamFirstGlobalAlias,
        _ => Order::MacroFirst,
    };
    let deploy = |label: &str, template: Value, parameters: Value| Deploy {
        label: label.into(),
        order: order_of(&template),
        template,
        parameters,
    };
    // 03: RecursiveLoop Terminate -> Allow. 05: the layer's S3Key. 06: Stage dev -> prod, then a
    // mapping value.
    let mut recursive = read(files[6]);
    recursive["Resources"]["Fn"]["Properties"]["RecursiveLoop"] = json!("Allow");
    let mut layer = read(files[7]);
    layer["Resources"]["Layer"]["Properties"]["Content"]["S3Key"] = json!("layer-v2.zip");
    let mut mapping = read(files[8]);
    mapping["Mappings"]["Images"]["all"]["Uri"] =
        json!("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2");
    let expected = [
        ("macro-first-timeout.v1 -> v2: Timeout 3 -> 30", true),
        ("novalue-branch.v1 -> v2: TracingConfig only in prod, deployed to dev", false),
        ("sam-first-autopublishalias.v1 -> v2: Runtime, Handler, Timeout", true),
        ("03-function-level-property: RecursiveLoop", false),
        ("05-layer-change: the layer's content", true),
        ("06-condition-and-mapping: Stage dev -> prod", true),
        ("06-condition-and-mapping: the mapping's image", true),
    ];
    let deploys = vec![
        deploy(expected[0].0, read(files[0]), json!({})),
        deploy(expected[0].0, read(files[1]), json!({})),
        deploy(expected[1].0, read(files[2]), json!({"Stage": "dev"})),
        deploy(expected[1].0, read(files[3]), json!({"Stage": "dev"})),
        deploy(expected[2].0, read(files[4]), json!({})),
        deploy(expected[2].0, read(files[5]), json!({})),
        deploy(expected[3].0, read(files[6]), json!({})),
        deploy(expected[3].0, recursive, json!({})),
        deploy(expected[4].0, read(files[7]), json!({})),
        deploy(expected[4].0, layer, json!({})),
        deploy(expected[5].0, read(files[8]), json!({})),
        deploy(expected[5].0, read(files[8]), json!({"Stage": "prod"})),
        deploy(expected[6].0, read(files[8]), json!({})),
        deploy(expected[6].0, mapping, json!({})),
    ];
    let published = deploy_all(&deploys, &dir, |_| true).expect("the translator ran for the parse step");
    for (i, (label, publishes)) in expected.iter().enumerate() {
        let ((v1, d1), (v2, d2)) = (&published[2 * i], &published[2 * i + 1]);
        assert_eq!(v1 != v2, *publishes, "{label}: {v1} -> {v2}");
        assert_eq!(d1 != d2, *publishes, "{label}: Description {d1} -> {d2}");
    }
}

/// Upgrading the macro under an unchanged stack: the previous rule published the version named in
/// `previous_rule.json`. Wherever the new rule names another version, the function's `Description`
/// differs from the one the previous rule deployed, so Lambda publishes (an unchanged
/// configuration would fail with "A version for this Lambda function exists").
#[test]
fn an_unchanged_stack_deploys_after_the_rule_changed() {
    let previous = read_json(&case_dir().join("previous_rule.json"));
    let golden = repo_root().join("crates/engine/tests/golden/ok");
    let mut checked = 0;
    let mut renamed = 0;
    for (case, functions) in previous.as_object().unwrap() {
        let Some(name) = case.strip_prefix("golden/") else { continue };
        let input = read_json(&golden.join(name).join("input.json"));
        let ctx_path = golden.join(name).join("context.json");
        let ctx = if ctx_path.exists() { read_json(&ctx_path) } else { json!({}) };
        let parameters = ctx.get("parameterValues").cloned().unwrap_or_else(|| json!({}));
        let expansion = if ctx.get("source") == Some(&json!(true)) {
            expand_source(input, &context(&parameters))
        } else {
            let mut template = input;
            template.as_object_mut().unwrap().shift_remove("Transform");
            expand(template, &context(&parameters))
        };
        let resources = expansion.template["Resources"].as_object().unwrap();
        for (function, before) in functions.as_object().unwrap() {
            let Some(plan) = expansion.plan.iter().find(|p| p.function == function.as_str()) else {
                continue;
            };
            let now = plan.version_logical_id.clone().unwrap();
            let description = resources[function.as_str()]["Properties"].get("Description").cloned();
            let old_description = Some(before["description"].clone()).filter(|d| !d.is_null());
            checked += 1;
            if now != before["version"].as_str().unwrap() {
                renamed += 1;
                assert_ne!(description, old_description, "{case} {function}: the version is renamed ({} -> {now}) but Lambda's configuration is the same", before["version"]);
            }
        }
    }
    assert!(checked >= 20 && renamed > 0, "checked {checked}, renamed {renamed}");
}
