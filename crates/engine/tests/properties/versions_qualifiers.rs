//! Property tests of version IDs and of qualified references, over generated templates.
//!
//! Versions: a marked function whose versioned properties reach their values through a layer of the
//! template, `Fn::FindInMap`, `Fn::If` over a parameter, and `Ref`s to parameters, beside
//! function-level properties; the template is then changed as a second deploy would change it, and
//! the version ID must change exactly when what Lambda stores in a version changed.
//! Qualifiers: invokers that reference a marked function in every form, some with a qualifier
//! already written; a qualified reference stays exactly as written, an unqualified one moves to the
//! alias. Aliases: an alias the template declares, naming its function in any form, is adopted, and
//! the function ends with that one alias of the name.

use canary_engine::json;
use canary_engine::json::{Map, Value};
use canary_engine::{expand, Context};
use proptest::prelude::*;

use crate::common::ids_of_type;
use proptest::sample::select;

/// How a versioned property of the function gets its value.
#[derive(Debug, Clone)]
struct VersionSpec {
    /// `MemorySize` is `Fn::If [IsProd, prod, other]`.
    memory: (u16, u16),
    prod: bool,
    /// The image tag comes from `Fn::FindInMap [Images, <Stage>, Tag]` when set, else a literal.
    tag_from_mapping: bool,
    tags: (String, String),
    /// The function names a layer of the template.
    layer: bool,
    layer_key: String,
    /// `Environment.Variables.LEVEL` is `{Ref: Level}`.
    level: String,
    /// Function-level properties set on the function.
    reserved: Option<u16>,
    recursive: Option<&'static str>,
    team: Option<String>,
    mutation: Mutation,
}

/// What the second deploy changes.
#[derive(Debug, Clone, Copy)]
enum Mutation {
    /// A function-level property: the ID stays.
    ReservedConcurrency,
    RecursiveLoop,
    Tags,
    CodeSigning,
    /// The parameter deciding the condition: the ID changes exactly when the chosen memory differs.
    FlipStage,
    /// The mapping entry the function reads: changes the ID when the tag comes from the mapping.
    MappingValue,
    /// A mapping entry nobody reads: the ID stays.
    UnusedMapping,
    /// The layer's content: changes the ID when the function uses the layer.
    LayerContent,
    /// A parameter the function references: the ID changes.
    Level,
    /// The code: the ID changes.
    Code,
}

fn version_spec() -> impl Strategy<Value = VersionSpec> {
    let word = || "[a-z]{1,4}";
    struct_strategy!(VersionSpec {
        memory: (select(vec![128u16, 256, 512]), select(vec![128u16, 512, 1024])),
        prod: any::<bool>(),
        tag_from_mapping: any::<bool>(),
        tags: (word(), word()),
        layer: any::<bool>(),
        layer_key: word(),
        level: word(),
        reserved: proptest::option::of(1u16..50),
        recursive: proptest::option::of(select(vec!["Allow", "Terminate"])),
        team: proptest::option::of(word()),
        mutation: select(vec![
            Mutation::ReservedConcurrency,
            Mutation::RecursiveLoop,
            Mutation::Tags,
            Mutation::CodeSigning,
            Mutation::FlipStage,
            Mutation::MappingValue,
            Mutation::UnusedMapping,
            Mutation::LayerContent,
            Mutation::Level,
            Mutation::Code,
        ]),
    })
}

/// The template and the parameter values of one deploy.
fn deploy(s: &VersionSpec, second: bool) -> (Value, Map) {
    let m = |mutation: fn(Mutation) -> bool| second && mutation(s.mutation);
    let prod = s.prod != m(|x| matches!(x, Mutation::FlipStage));
    let stage = if prod { "prod" } else { "dev" };
    let (dev_tag, prod_tag) = &s.tags;
    let mut mapped = json!({"dev": {"Tag": dev_tag}, "prod": {"Tag": prod_tag}, "unused": {"Tag": "x"}});
    if m(|x| matches!(x, Mutation::MappingValue)) {
        mapped[stage]["Tag"] = json!(format!("{}-changed", mapped[stage]["Tag"].as_str().unwrap()));
    }
    if m(|x| matches!(x, Mutation::UnusedMapping)) {
        mapped["unused"]["Tag"] = json!("y");
    }
    let image_tag = if s.tag_from_mapping {
        json!({"Fn::FindInMap": ["Images", {"Ref": "Stage"}, "Tag"]})
    } else {
        json!("fixed")
    };
    let code = if m(|x| matches!(x, Mutation::Code)) { "return 2" } else { "return 1" };
    let mut props = json!({
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Code": {"ZipFile": format!("def handler(e, c): {code}")},
        "MemorySize": {"Fn::If": ["IsProd", s.memory.1, s.memory.0]},
        "Environment": {"Variables": {"LEVEL": {"Ref": "Level"}, "IMAGE_TAG": image_tag}},
    });
    if s.layer {
        props["Layers"] = json!([{"Ref": "Layer"}]);
    }
    let reserved =
        s.reserved.map(|n| if m(|x| matches!(x, Mutation::ReservedConcurrency)) { n + 1 } else { n });
    if let Some(n) = reserved.or(m(|x| matches!(x, Mutation::ReservedConcurrency)).then_some(3)) {
        props["ReservedConcurrentExecutions"] = json!(n);
    }
    let recursive = match (s.recursive, m(|x| matches!(x, Mutation::RecursiveLoop))) {
        (Some("Allow"), true) => Some("Terminate"),
        (_, true) => Some("Allow"),
        (r, false) => r,
    };
    if let Some(r) = recursive {
        props["RecursiveLoop"] = json!(r);
    }
    let team = match (&s.team, m(|x| matches!(x, Mutation::Tags))) {
        (Some(t), true) => Some(format!("{t}-2")),
        (None, true) => Some("new".to_owned()),
        (t, false) => t.clone(),
    };
    if let Some(t) = team {
        props["Tags"] = json!([{"Key": "team", "Value": t}]);
    }
    if m(|x| matches!(x, Mutation::CodeSigning)) {
        props["CodeSigningConfigArn"] =
            json!("arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0");
    }
    let layer_key = if m(|x| matches!(x, Mutation::LayerContent)) {
        format!("{}-v2.zip", s.layer_key)
    } else {
        format!("{}.zip", s.layer_key)
    };
    let level = if m(|x| matches!(x, Mutation::Level)) { format!("{}-2", s.level) } else { s.level.clone() };
    let template = json!({
        "Parameters": {
            "Stage": {"Type": "String", "Default": "dev"},
            "Level": {"Type": "String"},
        },
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Mappings": {"Images": mapped},
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {"Content": {"S3Bucket": "artifacts", "S3Key": layer_key}}},
            "Fn": {"Type": "AWS::Lambda::Function",
                   "Metadata": {"CanaryDeployment": {"Type": "Canary10Percent5Minutes"}},
                   "Properties": props},
        },
    });
    let mut values = Map::new();
    values.insert("Stage", json!(stage));
    values.insert("Level", json!(level));
    (template, values)
}

fn version_id(template: Value, values: Map) -> Result<String, TestCaseError> {
    let ctx = Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values: values,
        smoke_hook_code: None,
    };
    let expansion = expand(template, &ctx);
    prop_assert!(!expansion.has_errors(), "{:?}", expansion.diagnostics);
    let ids = ids_of_type(&expansion.template, "AWS::Lambda::Version");
    prop_assert_eq!(ids.len(), 1, "{:?}", ids);
    Ok(ids[0].to_owned())
}

/// Whether the second deploy changes what Lambda stores in a version.
fn changes_the_version(s: &VersionSpec) -> bool {
    match s.mutation {
        Mutation::ReservedConcurrency
        | Mutation::RecursiveLoop
        | Mutation::Tags
        | Mutation::CodeSigning
        | Mutation::UnusedMapping => false,
        Mutation::FlipStage => s.memory.0 != s.memory.1 || (s.tag_from_mapping && s.tags.0 != s.tags.1),
        Mutation::MappingValue => s.tag_from_mapping,
        Mutation::LayerContent => s.layer,
        Mutation::Level | Mutation::Code => true,
    }
}

/// One invoker's reference to `Fn`, and whether a qualifier is already written in it.
#[derive(Debug, Clone, Copy)]
enum QualifiedForm {
    SubArn,
    SubName,
    JoinWithDelimiter,
    JoinWithText,
    SubVariable,
    Plain,
}

fn qualified_value(form: QualifiedForm, qualifier: &str) -> Value {
    match form {
        QualifiedForm::SubArn => json!({"Fn::Sub": format!("${{Fn.Arn}}:{qualifier}")}),
        QualifiedForm::SubName => json!({"Fn::Sub": format!("${{Fn}}:{qualifier}")}),
        QualifiedForm::JoinWithDelimiter => {
            json!({"Fn::Join": [":", [{"Fn::GetAtt": ["Fn", "Arn"]}, qualifier]]})
        }
        QualifiedForm::JoinWithText => {
            json!({"Fn::Join": ["", [{"Fn::GetAtt": ["Fn", "Arn"]}, format!(":{qualifier}")]]})
        }
        QualifiedForm::SubVariable => {
            json!({"Fn::Sub": [format!("${{Target}}:{qualifier}"), {"Target": {"Fn::GetAtt": ["Fn", "Arn"]}}]})
        }
        QualifiedForm::Plain => json!({"Fn::GetAtt": ["Fn", "Arn"]}),
    }
}

fn qualified_forms() -> impl Strategy<Value = Vec<(QualifiedForm, &'static str)>> {
    proptest::collection::vec(
        (
            select(vec![
                QualifiedForm::SubArn,
                QualifiedForm::SubName,
                QualifiedForm::JoinWithDelimiter,
                QualifiedForm::JoinWithText,
                QualifiedForm::SubVariable,
                QualifiedForm::Plain,
            ]),
            select(vec!["$LATEST", "Blue", "7", "live"]),
        ),
        1..6,
    )
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn version_id_changes_exactly_with_versioned_content(s in version_spec()) {
        let (first, first_values) = deploy(&s, false);
        let (second, second_values) = deploy(&s, true);
        let a = version_id(first.clone(), first_values.clone())?;
        prop_assert_eq!(&a, &version_id(first, first_values)?, "the same deploy keeps its version");
        let b = version_id(second, second_values)?;
        if changes_the_version(&s) {
            prop_assert_ne!(a, b, "{:?} changes what a version stores", s.mutation);
        } else {
            prop_assert_eq!(a, b, "{:?} changes nothing a version stores", s.mutation);
        }
    }

    #[test]
    fn qualified_references_stay_as_written(forms in qualified_forms()) {
        let targets: Vec<Value> = forms
            .iter()
            .enumerate()
            .map(|(i, (form, q))| json!({"Id": format!("T{i}"), "Arn": qualified_value(*form, q)}))
            .collect();
        let template = json!({"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Fn": {"Type": "AWS::Lambda::Function",
                   "Metadata": {"CanaryDeployment": {"Type": "Canary10Percent5Minutes"}},
                   "Properties": {"Runtime": "python3.12", "Handler": "index.handler",
                                  "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "def handler(e, c): return 1"}}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 hour)", "Targets": targets}},
        }});
        let ctx = Context { region: "us-east-1".into(), account_id: "123456789012".into(), parameter_values: Map::new(), smoke_hook_code: None };
        let expansion = expand(template.clone(), &ctx);
        prop_assert!(!expansion.has_errors(), "{:?}", expansion.diagnostics);
        let out = &expansion.template["Resources"]["Rule"]["Properties"]["Targets"];
        for (i, (form, _)) in forms.iter().enumerate() {
            let before = &template["Resources"]["Rule"]["Properties"]["Targets"][i]["Arn"];
            let after = &out[i]["Arn"];
            match form {
                QualifiedForm::Plain => prop_assert_eq!(after, &json!({"Ref": "FnAliasLive"}), "an unqualified ARN moves"),
                _ => prop_assert_eq!(after, before, "a written qualifier stays"),
            }
        }
    }
}

/// How an alias the template already declares names its function.
#[derive(Debug, Clone, Copy)]
enum AliasNaming {
    Ref,
    GetAttArn,
    SubName,
    SubArn,
    /// The function's literal `FunctionName`.
    LiteralName,
    /// An unqualified ARN ending in the function's literal `FunctionName`.
    LiteralArn,
    /// The same `Fn::Sub` string as the function's own `FunctionName`.
    SameSub,
}

fn alias_naming() -> impl Strategy<Value = (AliasNaming, bool, &'static str)> {
    (
        select(vec![
            AliasNaming::Ref,
            AliasNaming::GetAttArn,
            AliasNaming::SubName,
            AliasNaming::SubArn,
            AliasNaming::LiteralName,
            AliasNaming::LiteralArn,
            AliasNaming::SameSub,
        ]),
        // Whether the alias comes before the function in the template.
        any::<bool>(),
        select(vec!["Live", "live", "blue-green"]),
    )
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn an_existing_alias_is_adopted_whatever_names_its_function((naming, alias_first, name) in alias_naming()) {
        let function_name = match naming {
            AliasNaming::SameSub => json!({"Fn::Sub": "${AWS::StackName}-orders"}),
            _ => json!("orders-handler"),
        };
        let named_by = match naming {
            AliasNaming::Ref => json!({"Ref": "Fn"}),
            AliasNaming::GetAttArn => json!({"Fn::GetAtt": ["Fn", "Arn"]}),
            AliasNaming::SubName => json!({"Fn::Sub": "${Fn}"}),
            AliasNaming::SubArn => json!({"Fn::Sub": "${Fn.Arn}"}),
            AliasNaming::LiteralName => json!("orders-handler"),
            AliasNaming::LiteralArn => json!("arn:aws:lambda:us-east-1:123456789012:function:orders-handler"),
            AliasNaming::SameSub => function_name.clone(),
        };
        let function = json!({"Type": "AWS::Lambda::Function",
            "Metadata": {"CanaryDeployment": {"Type": "Canary10Percent5Minutes", "Alias": name}},
            "Properties": {"FunctionName": function_name, "Runtime": "python3.12", "Handler": "index.handler",
                           "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "def handler(e, c): return 1"}}});
        let alias = json!({"Type": "AWS::Lambda::Alias",
            "Properties": {"FunctionName": named_by, "FunctionVersion": "$LATEST", "Name": name}});
        let role = json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}});
        let mut resources = Map::new();
        resources.insert("Role", role);
        if alias_first {
            resources.insert("ExistingAlias", alias);
            resources.insert("Fn", function);
        } else {
            resources.insert("Fn", function);
            resources.insert("ExistingAlias", alias);
        }
        let mut root = Map::new();
        root.insert("Resources", Value::Object(resources));
        let ctx = Context { region: "us-east-1".into(), account_id: "123456789012".into(), parameter_values: Map::new(), smoke_hook_code: None };
        let expansion = expand(Value::Object(root), &ctx);
        prop_assert!(!expansion.has_errors(), "{:?}", expansion.diagnostics);
        let aliases = ids_of_type(&expansion.template, "AWS::Lambda::Alias");
        prop_assert_eq!(aliases, vec!["ExistingAlias"], "one alias of that name, the existing one");
        let adopted = &expansion.template["Resources"]["ExistingAlias"];
        prop_assert!(adopted.pointer("/UpdatePolicy/CodeDeployLambdaAliasUpdate").is_some(), "{adopted}");
    }
}
