//! Updates: a marked function gets a new version logical ID (so CloudFormation publishes a version)
//! exactly when what Lambda snapshots into a version changes. Each test expands a template, changes
//! one thing as a second deploy would, expands again and compares the version IDs.
//! The property lists and their sources are in `docs/versions.md`.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use canary_engine::json::{Map, Value};
use canary_engine::{expand, json, Context};
use common::ids_of_type;

fn context(parameter_values: Value) -> Context {
    Context {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        parameter_values: parameter_values.as_object().cloned().unwrap_or_else(Map::new),
        smoke_hook_code: None,
    }
}

/// A template with one marked function `Fn` whose properties are `properties` plus a minimal zip
/// function, and `extra` merged into the template's top level (Parameters, Mappings, …) and
/// `Resources`.
fn template(properties: Value, extra: Value) -> Value {
    let mut props = json!({
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        "Code": {"ZipFile": "def handler(e, c): return 1"},
    });
    for (k, v) in properties.as_object().unwrap() {
        props[k.as_str()] = v.clone();
    }
    let mut template = json!({
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Fn": {"Type": "AWS::Lambda::Function",
                   "Metadata": {"CanaryDeployment": {"Type": "Canary10Percent5Minutes"}},
                   "Properties": props},
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        if k == "Resources" {
            for (id, resource) in v.as_object().unwrap() {
                template["Resources"][id.as_str()] = resource.clone();
            }
        } else {
            template[k.as_str()] = v.clone();
        }
    }
    template
}

/// The logical ID of the version the expansion generates for `Fn`; the expansion must succeed.
fn version_id(template: Value, parameter_values: Value) -> String {
    let expansion = expand(template, &context(parameter_values));
    assert!(!expansion.has_errors(), "{:?}", expansion.diagnostics);
    let ids = ids_of_type(&expansion.template, "AWS::Lambda::Version");
    let [id] = ids.as_slice() else { panic!("one version expected, found {ids:?}") };
    assert!(id.starts_with("FnVersion"), "{id}");
    id.to_string()
}

/// Each property Lambda stores in a published version, with a value before and after a deploy.
/// Source: the fields `CreateFunction`, `UpdateFunctionCode` and `UpdateFunctionConfiguration` set,
/// which `PublishVersion` snapshots (Lambda API reference).
fn versioned() -> Vec<(&'static str, Value, Value)> {
    vec![
        ("Architectures", json!(["x86_64"]), json!(["arm64"])),
        (
            "Code",
            json!({"ZipFile": "def handler(e, c): return 1"}),
            json!({"ZipFile": "def handler(e, c): return 2"}),
        ),
        (
            "DeadLetterConfig",
            json!({"TargetArn": "arn:aws:sqs:us-east-1:123456789012:a"}),
            json!({"TargetArn": "arn:aws:sqs:us-east-1:123456789012:b"}),
        ),
        ("Description", json!("one"), json!("two")),
        ("Environment", json!({"Variables": {"A": "1"}}), json!({"Variables": {"A": "2"}})),
        ("EphemeralStorage", json!({"Size": 512}), json!({"Size": 1024})),
        (
            "FileSystemConfigs",
            json!([{"Arn": "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1", "LocalMountPath": "/mnt/a"}]),
            json!([{"Arn": "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1", "LocalMountPath": "/mnt/b"}]),
        ),
        ("FunctionName", json!("fn-one"), json!("fn-two")),
        ("Handler", json!("index.handler"), json!("index.other")),
        ("ImageConfig", json!({"Command": ["a"]}), json!({"Command": ["b"]})),
        (
            "KmsKeyArn",
            json!("arn:aws:kms:us-east-1:123456789012:key/a"),
            json!("arn:aws:kms:us-east-1:123456789012:key/b"),
        ),
        (
            "Layers",
            json!(["arn:aws:lambda:us-east-1:123456789012:layer:l:1"]),
            json!(["arn:aws:lambda:us-east-1:123456789012:layer:l:2"]),
        ),
        ("LoggingConfig", json!({"LogFormat": "Text"}), json!({"LogFormat": "JSON"})),
        ("MemorySize", json!(128), json!(256)),
        ("PackageType", json!("Zip"), json!("Image")),
        ("Role", json!({"Fn::GetAtt": ["Role", "Arn"]}), json!("arn:aws:iam::123456789012:role/other")),
        ("Runtime", json!("python3.12"), json!("python3.13")),
        (
            "RuntimeManagementConfig",
            json!({"UpdateRuntimeOn": "Auto"}),
            json!({"UpdateRuntimeOn": "FunctionUpdate"}),
        ),
        ("SnapStart", json!({"ApplyOn": "None"}), json!({"ApplyOn": "PublishedVersions"})),
        ("Timeout", json!(3), json!(30)),
        ("TracingConfig", json!({"Mode": "PassThrough"}), json!({"Mode": "Active"})),
        (
            "VpcConfig",
            json!({"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}),
            json!({"SubnetIds": ["subnet-2"], "SecurityGroupIds": ["sg-1"]}),
        ),
    ]
}

/// Each property Lambda keeps per function, set by an API without a qualifier.
fn unversioned() -> Vec<(&'static str, Value, Value)> {
    vec![
        ("Tags", json!([{"Key": "team", "Value": "a"}]), json!([{"Key": "team", "Value": "b"}])),
        ("ReservedConcurrentExecutions", json!(5), json!(10)),
        ("RecursiveLoop", json!("Terminate"), json!("Allow")),
        (
            "CodeSigningConfigArn",
            json!("arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"),
            json!("arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef1"),
        ),
        ("TenancyConfig", json!({"TenancyIsolationMode": "PER_TENANT"}), json!(null)),
    ]
}

#[test]
fn every_versioned_property_publishes_a_version_when_it_changes() {
    for (property, before, after) in versioned() {
        let a = version_id(template(json!({ property: before.clone() }), json!({})), json!({}));
        let again = version_id(template(json!({ property: before }), json!({})), json!({}));
        let b = version_id(template(json!({ property: after }), json!({})), json!({}));
        assert_eq!(a, again, "{property}: the same template must keep its version");
        assert_ne!(a, b, "{property} is stored per version: a change must publish one");
    }
}

#[test]
fn no_function_level_property_publishes_a_version() {
    let base = version_id(template(json!({}), json!({})), json!({}));
    for (property, before, after) in unversioned() {
        let a = version_id(template(json!({ property: before }), json!({})), json!({}));
        let mut changed = template(json!({}), json!({}));
        if !after.is_null() {
            changed["Resources"]["Fn"]["Properties"][property] = after;
        }
        let b = version_id(changed, json!({}));
        assert_eq!(a, b, "{property} is function-level: Lambda refuses to publish an unchanged version");
        assert_eq!(a, base, "{property} is function-level: adding it must not publish a version");
    }
}

#[test]
fn recursive_loop_change_keeps_the_version() {
    // Deploy, then change only RecursiveLoop: the version must stay, or the update fails.
    let first = version_id(template(json!({"RecursiveLoop": "Terminate"}), json!({})), json!({}));
    let second = version_id(template(json!({"RecursiveLoop": "Allow"}), json!({})), json!({}));
    assert_eq!(first, second);
}

#[test]
fn a_layer_of_the_template_publishes_a_version_when_its_content_changes() {
    let with_layer = |key: &str| {
        template(
            json!({"Layers": [{"Ref": "Layer"}]}),
            json!({"Resources": {"Layer": {"Type": "AWS::Lambda::LayerVersion",
                "Properties": {"Content": {"S3Bucket": "my-artifacts", "S3Key": key}}}}}),
        )
    };
    let v1 = version_id(with_layer("layer-v1.zip"), json!({}));
    assert_eq!(v1, version_id(with_layer("layer-v1.zip"), json!({})));
    assert_ne!(v1, version_id(with_layer("layer-v2.zip"), json!({})));
}

#[test]
fn conditions_and_mappings_in_versioned_properties_are_resolved() {
    let with = |uri: &str| {
        template(
            json!({"PackageType": "Image", "MemorySize": {"Fn::If": ["IsProd", 1024, 128]},
                   "Code": {"ImageUri": {"Fn::FindInMap": ["Images", "all", "Uri"]}}}),
            json!({
                "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
                "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
                "Mappings": {"Images": {"all": {"Uri": uri}}},
            }),
        )
    };
    let dev = version_id(with("repo/app:v1"), json!({}));
    assert_eq!(dev, version_id(with("repo/app:v1"), json!({"Stage": "dev"})));
    assert_ne!(dev, version_id(with("repo/app:v1"), json!({"Stage": "prod"})), "Fn::If decided by Stage");
    assert_ne!(dev, version_id(with("repo/app:v2"), json!({})), "Fn::FindInMap value");
}

#[test]
fn an_unknowable_value_is_hashed_as_written() {
    let with = |export: &str| {
        template(json!({"Code": {"S3Bucket": "b", "S3Key": {"Fn::ImportValue": export}}}), json!({}))
    };
    assert_ne!(version_id(with("key-a"), json!({})), version_id(with("key-b"), json!({})));
}

#[test]
fn a_hand_written_version_is_kept_and_named_in_a_warning() {
    let mut t = template(json!({}), json!({}));
    t["Resources"]["LegacyVersion"] =
        json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}});
    t["Resources"]["LegacyAlias"] = json!({"Type": "AWS::Lambda::Alias", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "FunctionVersion": {"Fn::GetAtt": ["LegacyVersion", "Version"]}, "Name": "Live"}});
    let expansion = expand(t.clone(), &context(json!({})));
    assert!(!expansion.has_errors(), "{:?}", expansion.diagnostics);
    let warning = expansion
        .diagnostics
        .iter()
        .find(|d| d.path.to_string() == "Resources/LegacyVersion")
        .unwrap_or_else(|| panic!("no warning on LegacyVersion: {:?}", expansion.diagnostics));
    assert!(warning.to_string().contains("remove LegacyVersion"), "{warning}");
    assert_eq!(
        expansion.template["Resources"]["LegacyAlias"]["Properties"]["FunctionVersion"],
        json!({"Fn::GetAtt": ["LegacyVersion", "Version"]})
    );

    // The fix: the version removed, the alias takes the version the macro publishes.
    t["Resources"].as_object_mut().unwrap().shift_remove("LegacyVersion");
    let expansion = expand(t, &context(json!({})));
    assert!(!expansion.has_errors(), "{:?}", expansion.diagnostics);
    let published = version_id(expansion.template.clone(), json!({}));
    assert_eq!(
        expansion.template["Resources"]["LegacyAlias"]["Properties"]["FunctionVersion"],
        json!({"Fn::GetAtt": [published, "Version"]})
    );
}
