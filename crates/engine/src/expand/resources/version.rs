//! `AWS::Lambda::Version` `<Fn>Version<10 hex>` and the rule that names it (docs/versions.md).
//!
//! The hash covers what Lambda's `PublishVersion` snapshots into a version: the function's code and
//! the configuration `CreateFunction`, `UpdateFunctionCode` and `UpdateFunctionConfiguration` set.
//! Properties Lambda keeps per function, set through their own unqualified APIs, are left out
//! ([`NOT_VERSIONED`]). Each value is resolved as CloudFormation will resolve it for this deploy
//! ([`Resolver`]): parameters by their values, `Fn::If` by its condition, `AWS::NoValue` removed,
//! `Fn::FindInMap`, `Fn::Select`, `Fn::Join` and `Fn::Sub` over known values computed, every way of
//! writing a reference written one way, scalars as the text CloudFormation passes, and Lambda's
//! defaults dropped. What cannot be known before the deploy (a resource attribute, an import, a
//! dynamic reference) is hashed as written; a layer of the template stands for its resolved
//! properties, which decide its version ARN. So the ID changes exactly when the configuration a
//! version stores changes, as far as the macro can know it, whichever way the template spells it.
//!
//! The hash also goes into the function's `Description` ([`stamp`]), as SAM's
//! `AutoPublishCodeSha256` puts it there: whenever the ID changes the configuration changes too, so
//! Lambda always has something to publish, even when the rule itself changed.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::json::{Map, Str, Value};
use sha2::{Digest, Sha256};

use super::resource;
use crate::cfn::{
    self, ACCOUNT_ID, FIND_IN_MAP, FN_PREFIX, GET_ATT, IF, JOIN, LAMBDA_LAYER_VERSION, NO_VALUE, PARTITION,
    REF, REGION, SELECT, SUB, URL_SUFFIX,
};
use crate::diag::Path;
use crate::ids;
use crate::limits::MAX_DEPTH;
use crate::settings::{partition_for_region, url_suffix_for_region, Scope};

/// Properties of `AWS::Lambda::Function` that do not belong to a published version: each is set
/// by an API that takes no qualifier (`TagResource`, `PutFunctionConcurrency`,
/// `PutFunctionRecursionConfig`, `PutFunctionCodeSigningConfig`), or only when the function is
/// created (`TenancyConfig`); and our own setting.
pub const NOT_VERSIONED: &[&str] = &[
    "Tags",
    "ReservedConcurrentExecutions",
    "RecursiveLoop",
    "CodeSigningConfigArn",
    "TenancyConfig",
    cfn::SETTING_KEY,
];

/// Properties of `AWS::Serverless::Function` that SAM turns into other resources or into function-level
/// settings, never into the configuration a version stores (`AutoPublishCodeSha256` stays: SAM
/// writes it into `Description`).
const SAM_NOT_VERSIONED: &[&str] = &[
    "Events",
    "Policies",
    "PermissionsBoundary",
    "AssumeRolePolicyDocument",
    "RolePath",
    "PropagateTags",
    "DeploymentPreference",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "VersionDescription",
    "VersionDeletionPolicy",
    "ProvisionedConcurrencyConfig",
    "EventInvokeConfig",
    "FunctionUrlConfig",
];

/// Lambda's value for a property the template leaves out, as scalars are hashed (text): the same
/// configuration whether the template states the default or not (Lambda API reference,
/// `CreateFunction` and `FunctionConfiguration`).
const DEFAULTS: &[(&str, &str)] = &[
    ("Timeout", r#""3""#),
    ("MemorySize", r#""128""#),
    ("EphemeralStorage", r#"{"Size":"512"}"#),
    ("Architectures", r#"["x86_64"]"#),
    ("PackageType", r#""Zip""#),
    ("TracingConfig", r#"{"Mode":"PassThrough"}"#),
    ("SnapStart", r#"{"ApplyOn":"None"}"#),
    ("RuntimeManagementConfig", r#"{"UpdateRuntimeOn":"Auto"}"#),
    ("Description", r#""""#),
    ("Layers", "[]"),
    ("FileSystemConfigs", "[]"),
    ("Environment", "{}"),
    ("DeadLetterConfig", "{}"),
    ("ImageConfig", "{}"),
    ("LoggingConfig", "{}"),
    ("TracingConfig", "{}"),
    ("SnapStart", "{}"),
    ("VpcConfig", "{}"),
];

/// A string longer than this, and a list or object from a parameter, mapping or layer whose JSON is
/// longer, stands in the configuration as its digest ([`digest`]), computed once per value.
pub const INLINE_BYTES: usize = 128;

/// Bytes of resolved values an expansion copies into the configurations of their references (a
/// template CloudFormation accepts, 1 MB, copies at most a few); past it each reference takes the
/// value's digest, which is stored inline, so references fanning out to one value stay linear in
/// memory as well as time (docs/limits.md).
pub const COPY_BUDGET: usize = 4 << 20;

/// What a version is named by: the 10 hex digits and the configuration they hash.
pub struct Versioned {
    pub hash: String,
    pub configuration: Value,
}

/// Resolves values as CloudFormation will for this deploy; one per expansion, so that a parameter,
/// mapping entry or layer referenced many times is resolved once.
pub struct Resolver<'s, 'a> {
    scope: &'s Scope<'a>,
    /// Resolved referents by address (parameters, mapping entries) or layer logical ID, with the
    /// length of their JSON and their digest.
    memo: RefCell<HashMap<Key, (Value, usize, Value)>>,
    /// What is left of [`COPY_BUDGET`].
    budget: std::cell::Cell<usize>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(usize),
    Layer(String),
}

#[cfg(test)]
pub fn content_hash(properties: &Map, scope: &Scope<'_>) -> String {
    Resolver::new(scope).versioned(properties, None).hash
}

impl<'s, 'a> Resolver<'s, 'a> {
    pub fn new(scope: &'s Scope<'a>) -> Self {
        Resolver { scope, memo: RefCell::default(), budget: std::cell::Cell::new(COPY_BUDGET) }
    }

    /// The version of a function with `properties`: of an `AWS::Lambda::Function`, or, given
    /// `serverless` (its logical ID and the template's `Globals.Function`), of the
    /// `AWS::Serverless::Function` SAM will turn into one.
    pub fn versioned(&self, properties: &Map, serverless: Option<(&str, Option<&Map>)>) -> Versioned {
        let merged;
        let properties = match serverless {
            Some((function, globals)) => {
                merged = sam_function_properties(function, properties, globals);
                &merged
            }
            None => properties,
        };
        let mut configuration = Map::with_capacity(properties.len());
        for (key, value) in properties {
            if NOT_VERSIONED.contains(&key.as_str()) {
                continue;
            }
            if let Some(resolved) = self.resolve(value, 0) {
                configuration.insert(key.clone(), resolved);
            }
        }
        drop_defaults(&mut configuration);
        let configuration = Value::Object(configuration);
        let mut hashing = Hashing { hasher: Sha256::new(), buf: Vec::with_capacity(HASHED_CHUNK + 1024) };
        hashing.buf.extend_from_slice(b"{\"Properties\":");
        write_canonical(&configuration, &mut hashing);
        hashing.buf.push(b'}');
        hashing.hasher.update(&hashing.buf);
        Versioned { hash: ids::hex_prefix(&hashing.hasher.finalize(), 10), configuration }
    }

    /// `value` as CloudFormation will pass it to Lambda, `None` for `AWS::NoValue`.
    fn resolve(&self, value: &Value, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return Some(value.clone());
        }
        match value {
            Value::Object(obj) => {
                if obj.len() == 1 {
                    if let Some(resolved) = self.resolve_intrinsic(obj, depth) {
                        return resolved;
                    }
                }
                let mut out = Map::with_capacity(obj.len());
                for (key, v) in obj {
                    if let Some(v) = self.resolve(v, depth + 1) {
                        out.insert(key.clone(), v);
                    }
                }
                Some(Value::Object(out))
            }
            Value::Array(items) => {
                Some(Value::Array(items.iter().filter_map(|v| self.resolve(v, depth + 1)).collect()))
            }
            Value::String(s) if s.len() > INLINE_BYTES => Some(digest_of_text(s)),
            other => Some(scalar_text(other)),
        }
    }

    /// `Some(resolved)` for an intrinsic function; `None` when `obj` is not one.
    fn resolve_intrinsic(&self, obj: &Map, depth: usize) -> Option<Option<Value>> {
        let (key, arg) = obj.iter().next()?;
        let key = key.as_str();
        if !(key == REF || key.starts_with(FN_PREFIX)) {
            return None;
        }
        let resolved = match key {
            REF => match arg.as_str() {
                Some(name) => self.reference(name, None, depth),
                None => Some(self.as_written(key, arg, depth)),
            },
            GET_ATT => match cfn::get_att_parts(arg) {
                Some((id, attribute)) => self.reference(id, Some(attribute), depth),
                None => Some(self.as_written(key, arg, depth)),
            },
            IF => self.choose(arg, depth),
            FIND_IN_MAP => match self.scope.conditions.find_in_map(arg) {
                Some(found) => Some(self.referent(Key::Address(address(found)), found, depth)),
                None => Some(self.as_written(key, arg, depth)),
            },
            SELECT => Some(self.select(arg, depth).unwrap_or_else(|| self.as_written(key, arg, depth))),
            JOIN => Some(self.join(arg, depth).unwrap_or_else(|| self.as_written(key, arg, depth))),
            SUB => Some(self.sub(arg, depth).unwrap_or_else(|| self.as_written(key, arg, depth))),
            _ => Some(self.as_written(key, arg, depth)),
        };
        Some(resolved)
    }

    /// An intrinsic the macro cannot compute: kept, with its arguments resolved.
    fn as_written(&self, key: &str, arg: &Value, depth: usize) -> Value {
        let arg = self.resolve(arg, depth + 1).unwrap_or_else(cfn::no_value);
        let mut out = Map::with_capacity(1);
        out.insert(key, arg);
        Value::Object(out)
    }

    /// `Ref` (no attribute) or `Fn::GetAtt` of `name`, written one way: `{Fn::GetAtt: [Id, Attr]}` or
    /// `{Ref: Id}` when unknown.
    fn reference(&self, name: &str, attribute: Option<&str>, depth: usize) -> Option<Value> {
        let scope = self.scope;
        if attribute.is_none() {
            let region = scope.conditions.region;
            let known = match name {
                NO_VALUE => return None,
                REGION => Some(region.to_owned()),
                ACCOUNT_ID => Some(scope.conditions.account_id.to_owned()),
                PARTITION => Some(partition_for_region(region).to_owned()),
                URL_SUFFIX => Some(url_suffix_for_region(region).to_owned()),
                _ => None,
            };
            if let Some(known) = known {
                return Some(known.into());
            }
            if let Some(declared) = scope.parameters.get(name) {
                if let Some(value) = scope.parameter_value(name) {
                    let list = declared.get("Type").and_then(Value::as_str).is_some_and(is_list_type);
                    let key = Key::Address(address(value));
                    return Some(match (list, value) {
                        (true, Value::String(text)) => self.remembered(key, || {
                            bounded(Value::Array(text.split(',').map(Value::from).collect()))
                        }),
                        _ => self.referent(key, value, depth),
                    });
                }
            }
        }
        let is_layer = |id: &str| {
            scope.resources.get(id).and_then(|r| r.get("Type")).and_then(Value::as_str)
                == Some(LAMBDA_LAYER_VERSION)
        };
        // `Ref` of a layer version is its ARN, as is its `LayerVersionArn`.
        if is_layer(name) && attribute.is_none_or(|a| a == "LayerVersionArn") {
            return Some(self.layer(name, depth));
        }
        Some(match attribute {
            Some(attribute) => cfn::get_att(name, attribute),
            None => cfn::ref_to(name),
        })
    }

    /// A layer of the template: its version ARN changes exactly when its properties do (each
    /// replaces the layer version), so it stands for its resolved properties.
    fn layer(&self, id: &str, depth: usize) -> Value {
        self.remembered(Key::Layer(id.to_owned()), || {
            let properties = self.scope.resources.get(id).and_then(|r| r.get("Properties"));
            let resolved = properties.and_then(|p| self.resolve(p, depth + 1)).unwrap_or(Value::Null);
            let mut out = Map::with_capacity(2);
            out.insert(LAMBDA_LAYER_VERSION, id.into());
            out.insert("Properties", bounded(resolved));
            Value::Object(out)
        })
    }

    /// A referent resolved once, and copied only while it is small.
    fn referent(&self, key: Key, value: &Value, depth: usize) -> Value {
        self.remembered(key, || bounded(self.resolve(value, depth + 1).unwrap_or_else(cfn::no_value)))
    }

    /// The referent `key`, made once; each reference copies it while the budget lasts, and takes
    /// its digest after.
    fn remembered(&self, key: Key, make: impl FnOnce() -> Value) -> Value {
        if !self.memo.borrow().contains_key(&key) {
            let made = make();
            let mut canonical = Vec::new();
            write_canonical(&made, &mut canonical);
            let entry = (made, canonical.len(), digest(&canonical));
            self.memo.borrow_mut().insert(key.clone(), entry);
        }
        let memo = self.memo.borrow();
        let Some((value, length, digest)) = memo.get(&key) else { return Value::Null };
        if let Value::String(s) = value {
            // Inline already: copying it costs nothing more than its digest would.
            if s.len() <= DIGEST_LENGTH {
                return value.clone();
            }
        }
        match self.budget.get().checked_sub(*length) {
            Some(left) => {
                self.budget.set(left);
                value.clone()
            }
            None => digest.clone(),
        }
    }

    fn choose(&self, arg: &Value, depth: usize) -> Option<Value> {
        let Some([condition, yes, no]) = arg.as_array().map(Vec::as_slice) else {
            return Some(self.as_written(IF, arg, depth));
        };
        let decided =
            condition.as_str().and_then(|c| self.scope.conditions.eval_named(c, &Path::root()).ok());
        match decided {
            Some(true) => self.resolve(yes, depth + 1),
            Some(false) => self.resolve(no, depth + 1),
            None => Some(self.as_written(IF, arg, depth)),
        }
    }

    fn select(&self, arg: &Value, depth: usize) -> Option<Value> {
        let [index, list] = arg.as_array()?.as_slice() else { return None };
        let index: usize = self.resolve(index, depth + 1)?.as_str()?.parse().ok()?;
        match self.resolve(list, depth + 1)? {
            Value::Array(items) => items.into_iter().nth(index),
            _ => None,
        }
    }

    fn join(&self, arg: &Value, depth: usize) -> Option<Value> {
        let [delimiter, list] = arg.as_array()?.as_slice() else { return None };
        let delimiter = delimiter.as_str()?;
        let Value::Array(items) = self.resolve(list, depth + 1)? else { return None };
        let mut pieces = Pieces::default();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                pieces.text(delimiter);
            }
            pieces.value(item);
        }
        Some(pieces.finish())
    }

    /// `Fn::Sub` as the text it gives, or as the one `Fn::Join` of its known text and unknown
    /// references that `Fn::Join` written any way also gives.
    fn sub(&self, arg: &Value, depth: usize) -> Option<Value> {
        let (text, vars) = cfn::sub_parts(arg)?;
        let mut pieces = Pieces::default();
        let mut at = 0;
        for placeholder in cfn::placeholders(text) {
            pieces.text(&unescape(&text[at..placeholder.start]));
            at = placeholder.end;
            let value = match vars.and_then(|vars| vars.get(placeholder.name)) {
                Some(var) => self.resolve(var, depth + 1)?,
                None => self.reference(placeholder.target(), placeholder.attribute(), depth)?,
            };
            pieces.value(value);
        }
        pieces.text(&unescape(&text[at..]));
        Some(pieces.finish())
    }
}

/// The pieces of a string CloudFormation builds: adjacent text merged, so that every spelling of
/// the same string gives the same pieces.
#[derive(Default)]
struct Pieces {
    items: Vec<Value>,
    /// The text since the last reference.
    text: String,
}

impl Pieces {
    fn text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn value(&mut self, value: Value) {
        match value {
            Value::String(s) => self.text(&s),
            Value::Object(obj) if obj.len() == 1 && obj.contains_key(JOIN) => {
                // A nested join of the canonical form (`["", pieces]`): its pieces are ours.
                match obj.get(JOIN).and_then(Value::as_array).map(Vec::as_slice) {
                    Some([Value::String(d), Value::Array(inner)]) if d.is_empty() => {
                        inner.iter().cloned().for_each(|v| self.value(v));
                    }
                    _ => self.reference(Value::Object(obj)),
                }
            }
            other => self.reference(other),
        }
    }

    fn reference(&mut self, value: Value) {
        self.flush();
        self.items.push(value);
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            self.items.push(if text.len() > INLINE_BYTES { digest_of_text(&text) } else { text.into() });
        }
    }

    fn finish(mut self) -> Value {
        self.flush();
        match self.items.len() {
            0 => Value::from(""),
            // A join of one reference is that reference.
            1 => self.items.remove(0),
            _ => cfn::join("", self.items),
        }
    }
}

/// `${!Literal}` in `Fn::Sub` text is the literal `${Literal}`.
fn unescape(text: &str) -> String {
    text.replace("${!", "${")
}

fn is_list_type(parameter_type: &str) -> bool {
    parameter_type == "CommaDelimitedList" || parameter_type.starts_with("List<")
}

fn address(value: &Value) -> usize {
    std::ptr::from_ref(value) as usize
}

/// A scalar as the text CloudFormation passes for it: `128` and `"128"`, `true` and `"true"` give
/// Lambda the same configuration.
fn scalar_text(value: &Value) -> Value {
    match value {
        Value::Number(n) => n.to_string().into(),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        other => other.clone(),
    }
}

/// `value`, or its SHA-256 when its canonical JSON is longer than [`INLINE_BYTES`].
fn bounded(value: Value) -> Value {
    if let Value::String(_) = value {
        return value;
    }
    let mut canonical = Vec::new();
    write_canonical(&value, &mut canonical);
    if canonical.len() <= INLINE_BYTES {
        return value;
    }
    digest(&canonical)
}

fn digest_of_text(text: &str) -> Value {
    let mut canonical = Vec::with_capacity(text.len() + 2);
    write_string(text, &mut canonical);
    digest(&canonical)
}

/// The length of [`digest`]'s text, short enough for a string stored inline.
const DIGEST_LENGTH: usize = 23;

/// `sha256:` and 16 hex digits of the SHA-256 of a value's canonical JSON: 64 bits tell two
/// configurations of one function apart, and the text is stored without an allocation.
fn digest(canonical: &[u8]) -> Value {
    format!("sha256:{}", ids::hex_prefix(&Sha256::digest(canonical), DIGEST_LENGTH - 7)).into()
}

/// Removes what states Lambda's default, as Lambda stores the same configuration without it.
fn drop_defaults(configuration: &mut Map) {
    if let Some(Value::Object(logging)) = configuration.get_mut("LoggingConfig") {
        if logging.get("LogFormat").and_then(Value::as_str) == Some("Text") {
            logging.remove("LogFormat");
        }
    }
    if let Some(Value::Object(environment)) = configuration.get_mut("Environment") {
        if environment.get("Variables").and_then(Value::as_object).is_some_and(Map::is_empty) {
            environment.remove("Variables");
        }
    }
    if let Some(Value::Object(vpc)) = configuration.get_mut("VpcConfig") {
        for key in ["SubnetIds", "SecurityGroupIds"] {
            if vpc.get(key).and_then(Value::as_array).is_some_and(Vec::is_empty) {
                vpc.remove(key);
            }
        }
        if vpc.get("Ipv6AllowedForDualStack").and_then(Value::as_str) == Some("false") {
            vpc.remove("Ipv6AllowedForDualStack");
        }
    }
    for (key, default) in DEFAULTS {
        let Some(value) = configuration.get(key) else { continue };
        // Every default is a scalar, an empty object or list, or a one-member one.
        let small = match value {
            Value::Object(obj) => obj.len() <= 1,
            Value::Array(items) => items.len() <= 1,
            _ => true,
        };
        if !small {
            continue;
        }
        let mut written = Vec::new();
        write_canonical(value, &mut written);
        if written == default.as_bytes() {
            configuration.remove(key);
        }
    }
}

/// What SAM turns an `AWS::Serverless::Function`'s properties into on the `AWS::Lambda::Function`,
/// for the properties a version stores: `Globals.Function` merged as SAM merges it (the function's
/// scalars win, maps merge, lists are the global items then the function's), `CodeUri`,
/// `InlineCode` and `ImageUri` as `Code`, `Tracing` as `TracingConfig`, `DeadLetterQueue` as
/// `DeadLetterConfig`, and the execution role SAM generates when none is given.
fn sam_function_properties(function: &str, own: &Map, globals: Option<&Map>) -> Map {
    let mut merged = match globals {
        Some(globals) => {
            let mut merged = globals.clone();
            for (key, value) in own {
                let value = match merged.get(key.as_str()) {
                    Some(global) => merge_global(global, value),
                    None => value.clone(),
                };
                merged.insert(key.clone(), value);
            }
            merged
        }
        None => own.clone(),
    };
    for key in SAM_NOT_VERSIONED {
        merged.remove(key);
    }
    let mut code = Map::new();
    if let Some(uri) = merged.remove("CodeUri") {
        match &uri {
            Value::String(s) => {
                let location = s.strip_prefix("s3://").unwrap_or(s);
                let (bucket, key) = location.split_once('/').unwrap_or((location, ""));
                code.insert("S3Bucket", bucket.into());
                code.insert("S3Key", key.into());
            }
            Value::Object(obj) if obj.contains_key("Bucket") => {
                for (from, to) in [("Bucket", "S3Bucket"), ("Key", "S3Key"), ("Version", "S3ObjectVersion")] {
                    if let Some(v) = obj.get(from) {
                        code.insert(to, v.clone());
                    }
                }
            }
            other => {
                code.insert("CodeUri", other.clone());
            }
        }
    }
    if let Some(inline) = merged.remove("InlineCode") {
        code.insert("ZipFile", inline);
    }
    if let Some(image) = merged.remove("ImageUri") {
        code.insert("ImageUri", image);
    }
    if let Some(key) = merged.remove("SourceKMSKeyArn") {
        code.insert("SourceKMSKeyArn", key);
    }
    if !code.is_empty() {
        merged.insert("Code", Value::Object(code));
    }
    if let Some(mode) = merged.remove("Tracing") {
        merged.insert("TracingConfig", Value::Object(Map::from_iter([("Mode", mode)])));
    }
    if let Some(queue) = merged.remove("DeadLetterQueue") {
        if let Some(target) = queue.get("TargetArn") {
            merged.insert("DeadLetterConfig", Value::Object(Map::from_iter([("TargetArn", target.clone())])));
        }
    }
    if !merged.contains_key("Role") {
        merged.insert("Role", cfn::get_att(&format!("{function}Role"), "Arn"));
    }
    merged
}

fn merge_global(global: &Value, own: &Value) -> Value {
    match (global, own) {
        (Value::Object(g), Value::Object(o)) if cfn::single_key(own).is_none() => {
            let mut merged = g.clone();
            for (key, value) in o {
                let value = match merged.get(key.as_str()) {
                    Some(inner) => merge_global(inner, value),
                    None => value.clone(),
                };
                merged.insert(key.clone(), value);
            }
            Value::Object(merged)
        }
        (Value::Array(g), Value::Array(o)) => Value::Array(g.iter().chain(o).cloned().collect()),
        _ => own.clone(),
    }
}

/// The function's `Description` with the version's hash after it, as SAM's `AutoPublishCodeSha256`
/// writes it: `<description> <hash>`, or the hash alone. `resolved` is the description this deploy
/// gives Lambda (from the versioned configuration); `written` is the template's. Errs with the
/// length when the result would pass Lambda's 256 characters.
pub fn stamp(written: Option<&Value>, resolved: Option<&Value>, hash: &str) -> Result<Value, usize> {
    let text = match (written, resolved) {
        // None for this deploy (absent, empty, or `AWS::NoValue`).
        (_, None) => return Ok(hash.into()),
        (Some(Value::String(w)), _) => w.to_string(),
        (_, Some(Value::String(s))) if !is_digest(s) => s.to_string(),
        (Some(written), _) => return Ok(cfn::join(" ", vec![written.clone(), hash.into()])),
        (None, Some(_)) => return Ok(hash.into()),
    };
    if text.is_empty() {
        return Ok(hash.into());
    }
    let text = format!("{text} {hash}");
    let length = text.chars().count();
    if length > MAX_DESCRIPTION {
        return Err(length);
    }
    Ok(text.into())
}

fn is_digest(text: &str) -> bool {
    text.len() == DIGEST_LENGTH && text.starts_with("sha256:")
}

/// Lambda's limit on a function's `Description`.
pub const MAX_DESCRIPTION: usize = 256;

pub fn version(function: &str, condition: Option<&str>) -> Map {
    let mut props = Map::with_capacity(1);
    props.insert("FunctionName", cfn::ref_to(function));
    let mut version = resource(cfn::LAMBDA_VERSION, condition, props);
    // A replaced version must stay published: the alias (and any traffic still on it) points there
    // until CodeDeploy has moved it.
    version.insert("DeletionPolicy", "Retain".into());
    version.insert("UpdateReplacePolicy", "Retain".into());
    version
}

/// Where canonical JSON goes: a buffer, or a hash fed in chunks, so that hashing a large
/// configuration never holds a second copy of it.
pub trait Canonical {
    fn buf(&mut self) -> &mut Vec<u8>;
    /// Called between members and items: a chance to hand the buffer on.
    fn settle(&mut self) {}
}

impl Canonical for Vec<u8> {
    fn buf(&mut self) -> &mut Vec<u8> {
        self
    }
}

/// The hash is fed this many bytes at a time.
const HASHED_CHUNK: usize = 64 * 1024;

struct Hashing {
    hasher: Sha256,
    buf: Vec<u8>,
}

impl Canonical for Hashing {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    fn settle(&mut self) {
        if self.buf.len() >= HASHED_CHUNK {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
    }
}

/// JSON with object keys sorted, so the hash does not depend on how the template orders them.
pub fn write_canonical(value: &Value, out: &mut impl Canonical) {
    match value {
        Value::Object(obj) => write_object(obj.iter(), out),
        Value::Array(items) => {
            out.buf().push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.buf().push(b',');
                }
                write_canonical(item, out);
                out.settle();
            }
            out.buf().push(b']');
        }
        Value::String(s) => write_string(s, out.buf()),
        Value::Null => out.buf().extend_from_slice(b"null"),
        Value::Bool(b) => out.buf().extend_from_slice(if *b { &b"true"[..] } else { &b"false"[..] }),
        // Writing into a `Vec` cannot fail.
        Value::Number(n) => {
            let _ = serde_json::to_writer(out.buf(), n);
        }
    }
}

fn write_object<'a>(members: impl Iterator<Item = (&'a Str, &'a Value)>, out: &mut impl Canonical) {
    let mut members: Vec<(&Str, &Value)> = members.collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    out.buf().push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.buf().push(b',');
        }
        write_string(key, out.buf());
        out.buf().push(b':');
        write_canonical(value, out);
        out.settle();
    }
    out.buf().push(b'}');
}

/// A string as serde_json writes it, quotes and escapes included.
fn write_string(s: &str, out: &mut Vec<u8>) {
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

#[cfg(test)]
mod tests {
    use crate::json;
    use crate::settings::ConditionEvaluator;

    use super::*;

    /// The hash of `props` in a template with `template`'s other sections and these parameter values.
    fn hash(props: Value, template: Value, values: Value) -> String {
        let template = template.as_object().unwrap();
        let values = values.as_object().unwrap();
        let empty = Map::new();
        let section = |name: &str| template.get(name).and_then(Value::as_object).unwrap_or(&empty);
        let scope = Scope {
            resources: section("Resources"),
            parameters: section("Parameters"),
            parameter_values: values,
            conditions: ConditionEvaluator::new(template, values, "us-east-1", "123456789012"),
        };
        content_hash(props.as_object().unwrap(), &scope)
    }

    #[test]
    fn hash_ignores_key_order_and_function_level_properties() {
        let a = hash(json!({"Runtime": "python3.12", "Handler": "a.h"}), json!({}), json!({}));
        let b = hash(
            json!({"Handler": "a.h", "Tags": [{"Key": "k", "Value": "v"}], "Runtime": "python3.12",
                   "ReservedConcurrentExecutions": 5, "RecursiveLoop": "Allow",
                   "CodeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1"}),
            json!({}),
            json!({}),
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 10);
        let c = hash(json!({"Runtime": "python3.13", "Handler": "a.h"}), json!({}), json!({}));
        assert_ne!(a, c);
    }

    #[test]
    fn hash_is_over_the_resolved_configuration() {
        let props = json!({"Runtime": "python3.12", "Handler": "a.h", "Code": {"S3Key": {"Ref": "Key"}}});
        let template = json!({"Parameters": {"Key": {"Type": "String", "Default": "v1.zip"}}});
        let canonical =
            r#"{"Properties":{"Code":{"S3Key":"v1.zip"},"Handler":"a.h","Runtime":"python3.12"}}"#;
        assert_eq!(hash(props, template, json!({})), ids::short_hash(canonical.as_bytes(), 10));
    }

    /// Each rewrite gives Lambda the same configuration, so the same version ID.
    #[test]
    fn rewrites_that_change_nothing_lambda_stores_keep_the_hash() {
        let template = json!({
            "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Mem": {"Type": "Number", "Default": "256"},
                           "Name": {"Type": "String", "Default": "app.handler"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
            "Mappings": {"M": {"dev": {"Handler": "app.handler"}}},
            "Resources": {"Role": {"Type": "AWS::IAM::Role"}},
        });
        let base = json!({"Handler": "app.handler", "Runtime": "python3.12", "MemorySize": 256,
                          "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"S3Bucket": "b", "S3Key": "k"}});
        let h = hash(base.clone(), template.clone(), json!({}));
        let same = |edit: &dyn Fn(&mut Value)| {
            let mut props = base.clone();
            edit(&mut props);
            assert_eq!(hash(props.clone(), template.clone(), json!({})), h, "{props}");
        };
        same(&|p| {
            p["TracingConfig"] = json!({"Fn::If": ["IsProd", {"Mode": "Active"}, {"Ref": "AWS::NoValue"}]})
        });
        same(&|p| p["Timeout"] = json!(3));
        same(&|p| p["Timeout"] = json!("3"));
        same(&|p| p["MemorySize"] = json!("256"));
        same(&|p| p["MemorySize"] = json!({"Ref": "Mem"}));
        same(&|p| p["Environment"] = json!({}));
        same(&|p| p["Environment"] = json!({"Variables": {}}));
        same(&|p| p["Role"] = json!({"Fn::GetAtt": "Role.Arn"}));
        same(&|p| p["Role"] = json!({"Fn::Sub": "${Role.Arn}"}));
        same(&|p| p["Handler"] = json!({"Ref": "Name"}));
        same(&|p| p["Handler"] = json!({"Fn::FindInMap": ["M", {"Ref": "Stage"}, "Handler"]}));
        same(&|p| p["Handler"] = json!({"Fn::Join": [".", ["app", "handler"]]}));
        same(&|p| p["Handler"] = json!({"Fn::Sub": ["app.${X}", {"X": "handler"}]}));
        same(&|p| p["Handler"] = json!({"Fn::Select": [1, ["x", "app.handler"]]}));
        same(&|p| p["Architectures"] = json!(["x86_64"]));
        same(&|p| p["EphemeralStorage"] = json!({"Size": 512}));
        same(&|p| p["PackageType"] = json!("Zip"));
        same(&|p| p["Layers"] = json!([]));
        same(&|p| p["Description"] = json!(""));
        same(&|p| p["LoggingConfig"] = json!({"LogFormat": "Text"}));
        same(&|p| p["Tags"] = json!([{"Key": "a", "Value": "b"}]));
    }

    #[test]
    fn joins_and_subs_of_unknown_references_are_one_form() {
        let template = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}});
        let sub = json!({"DeadLetterConfig": {"TargetArn": {"Fn::Sub": "arn:${AWS::Partition}:sqs:x:${Q.QueueName}"}}});
        let join = json!({"DeadLetterConfig": {"TargetArn": {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "sqs", "x", {"Fn::GetAtt": "Q.QueueName"}]]}}});
        assert_eq!(hash(sub, template.clone(), json!({})), hash(join, template, json!({})));
    }

    #[test]
    fn a_value_longer_than_the_inline_limit_compares_by_its_digest() {
        let long = "x".repeat(INLINE_BYTES + 1);
        let template = json!({"Parameters": {"P": {"Type": "String", "Default": long.clone()}}});
        let literal = hash(json!({"Environment": {"Variables": {"A": long}}}), template.clone(), json!({}));
        let by_parameter =
            hash(json!({"Environment": {"Variables": {"A": {"Ref": "P"}}}}), template, json!({}));
        assert_eq!(literal, by_parameter);
    }

    #[test]
    fn hash_follows_referenced_parameter_values() {
        let props = json!({"Code": {"S3Key": {"Ref": "CodeKey"}}, "Environment": {"Variables": {"A": {"Fn::Sub": "${Stage}-x"}}}});
        let template = json!({"Parameters": {"CodeKey": {"Type": "String", "Default": "v1.zip"}, "Stage": {"Type": "String"}, "Unused": {"Type": "String"}}});
        let base = hash(props.clone(), template.clone(), json!({"Stage": "dev"}));
        assert_eq!(base, hash(props.clone(), template.clone(), json!({"Stage": "dev", "Unused": "x"})));
        assert_ne!(base, hash(props.clone(), template.clone(), json!({"Stage": "prod"})));
        assert_ne!(base, hash(props, template, json!({"Stage": "dev", "CodeKey": "v2.zip"})));
    }

    #[test]
    fn hash_follows_conditions_mappings_and_layers() {
        let template = json!({
            "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Other": {"Type": "String", "Default": "a"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
            "Mappings": {"Images": {"dev": {"Uri": "repo:v1"}, "prod": {"Uri": "repo:v2"}}},
            "Resources": {"Layer": {"Type": "AWS::Lambda::LayerVersion",
                                    "Properties": {"Content": {"S3Bucket": "b", "S3Key": {"Ref": "Other"}}}}},
        });
        let props = json!({"MemorySize": {"Fn::If": ["IsProd", 1024, 128]}});
        let dev = hash(props.clone(), template.clone(), json!({}));
        assert_ne!(dev, hash(props.clone(), template.clone(), json!({"Stage": "prod"})));
        // A parameter only the untaken branch would read changes nothing.
        let props = json!({"MemorySize": {"Fn::If": ["IsProd", {"Ref": "Other"}, 128]}});
        assert_eq!(
            hash(props.clone(), template.clone(), json!({})),
            hash(props, template.clone(), json!({"Other": "b"}))
        );

        let props = json!({"Code": {"ImageUri": {"Fn::FindInMap": ["Images", {"Ref": "Stage"}, "Uri"]}}});
        assert_ne!(
            hash(props.clone(), template.clone(), json!({})),
            hash(props, template.clone(), json!({"Stage": "prod"}))
        );
        let props = json!({"Code": {"ImageUri": {"Fn::FindInMap": ["Images", "dev", "Uri"]}}});
        let mut changed = template.clone();
        changed["Mappings"]["Images"]["dev"]["Uri"] = json!("repo:v3");
        assert_ne!(hash(props.clone(), template.clone(), json!({})), hash(props, changed, json!({})));

        let by_attribute = json!({"Layers": [{"Fn::GetAtt": ["Layer", "LayerVersionArn"]}]});
        let mut changed = template.clone();
        changed["Resources"]["Layer"]["Properties"]["Content"]["S3Bucket"] = json!("c");
        assert_ne!(
            hash(by_attribute.clone(), template.clone(), json!({})),
            hash(by_attribute, changed, json!({}))
        );
        let props = json!({"Layers": [{"Ref": "Layer"}]});
        assert_ne!(
            hash(props.clone(), template.clone(), json!({})),
            hash(props.clone(), template.clone(), json!({"Other": "b"}))
        );
        let mut changed = template.clone();
        changed["Resources"]["Layer"]["Properties"]["Content"]["S3Bucket"] = json!("c");
        assert_ne!(hash(props.clone(), template.clone(), json!({})), hash(props, changed, json!({})));
    }

    #[test]
    fn what_cannot_be_known_is_hashed_as_written() {
        let template = json!({"Conditions": {"Odd": {"Fn::Equals": [{"Fn::GetAtt": ["X", "Y"]}, "a"]}}});
        let a = hash(json!({"MemorySize": {"Fn::If": ["Odd", 1024, 128]}}), template.clone(), json!({}));
        let b = hash(json!({"MemorySize": {"Fn::If": ["Odd", 1024, 256]}}), template.clone(), json!({}));
        assert_ne!(a, b);
        let a = hash(json!({"Code": {"S3Key": {"Fn::ImportValue": "k1"}}}), template.clone(), json!({}));
        let b = hash(json!({"Code": {"S3Key": {"Fn::ImportValue": "k2"}}}), template, json!({}));
        assert_ne!(a, b);
    }
}
