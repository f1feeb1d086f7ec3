//! Evaluates CloudFormation conditions over parameter values (docs/settings.md): `Enabled`, and the
//! named condition of each `Fn::If` the macro decides for the expansion: a hook's, those choosing the
//! alarms the plan lists, and those inside the properties a version's content hash covers.
//!
//! The macro runs before CloudFormation creates anything, so a condition may only depend on what is
//! known then: parameters (the value given for the stack, else the parameter's `Default`), the pseudo
//! parameters `AWS::Region`, `AWS::AccountId`, `AWS::Partition` and `AWS::URLSuffix`, the template's
//! `Conditions` and `Mappings`. Resource attributes and `AWS::StackName`-like pseudo parameters are an
//! error, never a guess. Evaluation stops at the first problem: a condition has one answer, and the
//! error that prevents it is the one to fix.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::json::{Map, Value};

use crate::cfn::{
    self, ACCOUNT_ID, AND, CONDITION, EQUALS, FIND_IN_MAP, GET_ATT, NOT, OR, PARTITION, REF, REGION,
    URL_SUFFIX,
};
use crate::diag::{Diagnostic, Path, Suggestions};
use crate::limits::MAX_DEPTH;

/// Pseudo parameters whose value is known when the macro runs.
const KNOWN_PSEUDO: &[&str] = &[REGION, ACCOUNT_ID, PARTITION, URL_SUFFIX];

/// Operands `Fn::Equals` accepts, for error messages.
const OPERANDS: &str = "a string, a number, a bool, {Ref: Parameter} or Fn::FindInMap";

/// Conditions `Enabled` accepts, for error messages.
const CONDITIONS: &str = "true, false, {Ref: Parameter} whose value is true or false, Fn::Equals, Fn::Not, \
                          Fn::And, Fn::Or or {Condition: Name}";

/// Evaluates condition expressions against the stack's parameter values and pseudo parameters.
pub struct ConditionEvaluator<'a> {
    /// The whole template: `Parameters` (for `Default`s), `Conditions`, `Mappings`, `Resources`.
    pub template: &'a Map,
    pub parameter_values: &'a Map,
    pub region: &'a str,
    pub account_id: &'a str,
    /// The answer of each named condition evaluated so far. A condition may name another many times
    /// and be named by every function: evaluated afresh each time, eight conditions that each
    /// `Fn::Or` the next ten times cost ten million evaluations; remembered, each is evaluated once.
    named: RefCell<HashMap<String, Result<bool, Diagnostic>>>,
    /// The suggestions budget of the whole expansion, which the settings' parsers share.
    pub(crate) suggestions: Suggestions,
}

/// The partition of `region`, as `AWS::Partition` would give it.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// The domain suffix of `region`, as `AWS::URLSuffix` would give it.
pub fn url_suffix_for_region(region: &str) -> &'static str {
    match partition_for_region(region) {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

impl<'a> ConditionEvaluator<'a> {
    pub fn new(template: &'a Map, parameter_values: &'a Map, region: &'a str, account_id: &'a str) -> Self {
        ConditionEvaluator {
            template,
            parameter_values,
            region,
            account_id,
            named: RefCell::default(),
            suggestions: Suggestions::default(),
        }
    }

    /// Evaluates `expr` (found at `path`) to a bool, or says why it cannot.
    pub fn eval(&self, expr: &Value, path: &Path) -> Result<bool, Diagnostic> {
        self.eval_in(expr, path, &mut Vec::new(), 0)
    }

    /// Evaluates the named condition `name`, as [`eval`](Self::eval) evaluates `{Condition: name}`
    /// found at `path` (its diagnostics are at `path`/`Condition`), without building that object.
    pub fn eval_named(&self, name: &str, path: &Path) -> Result<bool, Diagnostic> {
        self.named_condition(name, &path.key(CONDITION), &mut Vec::new(), 0)
    }

    /// The value of parameter `name`: the one given for the stack, else its `Default`.
    /// `None` when the template has no such parameter or it has neither.
    pub fn parameter_value(&self, name: &str) -> Option<&Value> {
        self.parameter_values.get(name).or_else(|| self.section("Parameters")?.get(name)?.get("Default"))
    }

    /// The value `Fn::FindInMap` with argument `arg` gives (a string, a list, anything a mapping
    /// holds), when its three keys are known when the macro runs. A fourth item (the
    /// `AWS::LanguageExtensions` default) is taken when the mapping lacks the entry.
    pub fn find_in_map<'s>(&'s self, arg: &'s Value) -> Option<&'s Value> {
        let items = arg.as_array()?;
        let (keys, default) = match items.as_slice() {
            [a, b, c] => ([a, b, c], None),
            [a, b, c, d] => ([a, b, c], d.get("DefaultValue")),
            _ => return None,
        };
        let path = Path::root();
        let [map, top, second] = keys.map(|k| self.scalar(k, &path, 0).ok());
        let found_value = self.section("Mappings")?.get(&map?)?.get(&top?)?.get(&second?);
        found_value.or(default)
    }

    fn section(&self, name: &str) -> Option<&Map> {
        self.template.get(name)?.as_object()
    }

    fn eval_in(
        &self,
        expr: &Value,
        path: &Path,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> Result<bool, Diagnostic> {
        within_depth(depth, path)?;
        let wrong = || {
            Diagnostic::error(
                path.clone(),
                format!("a condition must be {CONDITIONS}, found {}", found(expr)),
            )
        };
        let (key, arg) = match expr {
            Value::Bool(b) => return Ok(*b),
            Value::String(s) => return as_bool(s).ok_or_else(wrong),
            _ => cfn::single_key(expr).ok_or_else(wrong)?,
        };
        let arg_path = path.key(key);
        match key {
            EQUALS => {
                let [a, b] = operands::<2>(arg, &arg_path, "Fn::Equals takes a list of two operands")?;
                Ok(self.scalar(a, &arg_path.index(0), depth)? == self.scalar(b, &arg_path.index(1), depth)?)
            }
            NOT => {
                let [c] = operands::<1>(arg, &arg_path, "Fn::Not takes a list of one condition")?;
                Ok(!self.eval_in(c, &arg_path.index(0), stack, depth + 1)?)
            }
            AND | OR => {
                let items = match arg.as_array() {
                    Some(items) if (2..=10).contains(&items.len()) => items,
                    _ => {
                        return Err(Diagnostic::error(
                            arg_path,
                            format!("{key} takes a list of 2 to 10 conditions, found {}", found(arg)),
                        ))
                    }
                };
                // Every operand is evaluated (no short-circuit) so that an error in any of them is
                // reported whatever the parameter values happen to be.
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    values.push(self.eval_in(item, &arg_path.index(i), stack, depth + 1)?);
                }
                Ok(if key == AND { values.iter().all(|v| *v) } else { values.iter().any(|v| *v) })
            }
            CONDITION => match arg.as_str() {
                Some(name) => self.named_condition(name, &arg_path, stack, depth),
                None => Err(Diagnostic::error(
                    arg_path,
                    format!("Condition takes the name of a condition in Conditions, found {}", found(arg)),
                )),
            },
            REF | FIND_IN_MAP => {
                let value = self.scalar(expr, path, depth)?;
                let source = match arg.as_str() {
                    Some(name) if key == REF => format!("the value of parameter {name}"),
                    _ => "from Fn::FindInMap".to_owned(),
                };
                as_bool(&value).ok_or_else(|| {
                    Diagnostic::error(
                        arg_path.clone(),
                        format!("a condition must be true or false, found {value:?} ({source})"),
                    )
                })
            }
            _ => Err(unsupported(key, path).unwrap_or_else(wrong)),
        }
    }

    fn named_condition(
        &self,
        name: &str,
        path: &Path,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> Result<bool, Diagnostic> {
        let conditions = self.section("Conditions");
        let Some(body) = conditions.and_then(|c| c.get(name)) else {
            let names = conditions.into_iter().flat_map(|c| c.keys().map(|k| k.as_str()));
            let message = format!("condition {} is not in the template's Conditions", quoted(name));
            return Err(self.unknown_name(path, message, name, names));
        };
        // A condition that reaches itself again would recurse forever; CloudFormation rejects such
        // templates too, so name the whole loop.
        if let Some(start) = stack.iter().position(|n| n == name) {
            let mut cycle: Vec<&str> = stack[start..].iter().map(String::as_str).collect();
            cycle.push(name);
            return Err(Diagnostic::error(
                path.clone(),
                format!("condition {name:?} depends on itself: {}", cycle.join(" -> ")),
            ));
        }
        if let Some(known) = self.named.borrow().get(name) {
            return known.clone();
        }
        stack.push(name.to_owned());
        let result = self.eval_in(body, &Path::root().key("Conditions").key(name), stack, depth + 1);
        stack.pop();
        // A failure is remembered only for the outermost condition: one met further in depends on the
        // way in (a loop is named from where it was entered, the depth counts the conditions above).
        // A failure ends the evaluation, so it is never met twice on the way out.
        if result.is_ok() || stack.is_empty() {
            self.named.borrow_mut().insert(name.to_owned(), result.clone());
        }
        result
    }

    /// The string value of an `Fn::Equals` operand; numbers and bools compare as their string form,
    /// as CloudFormation compares them.
    fn scalar(&self, v: &Value, path: &Path, depth: usize) -> Result<String, Diagnostic> {
        within_depth(depth, path)?;
        let wrong =
            || Diagnostic::error(path.clone(), format!("an operand must be {OPERANDS}, found {}", found(v)));
        let (key, arg) = match v {
            Value::String(s) => return Ok(s.to_string()),
            Value::Number(n) => return Ok(n.to_string()),
            Value::Bool(b) => return Ok(b.to_string()),
            _ => cfn::single_key(v).ok_or_else(wrong)?,
        };
        let arg_path = path.key(key);
        match key {
            REF => {
                let Some(name) = arg.as_str() else {
                    return Err(Diagnostic::error(
                        arg_path,
                        format!("Ref takes a name, found {}", found(arg)),
                    ));
                };
                self.reference(name, &arg_path)
            }
            FIND_IN_MAP => {
                let [map, top, second] = operands::<3>(
                    arg,
                    &arg_path,
                    "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
                )?;
                let map = self.scalar(map, &arg_path.index(0), depth + 1)?;
                let top = self.scalar(top, &arg_path.index(1), depth + 1)?;
                let second = self.scalar(second, &arg_path.index(2), depth + 1)?;
                let found_value = self
                    .section("Mappings")
                    .and_then(|m| m.get(&map))
                    .and_then(|m| m.get(&top))
                    .and_then(|m| m.get(&second));
                match found_value {
                    Some(value @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                        self.scalar(value, &arg_path, depth + 1)
                    }
                    Some(other) => Err(Diagnostic::error(
                        arg_path,
                        format!(
                            "Mappings/{map}/{top}/{second} is {}, a condition compares strings",
                            found(other)
                        ),
                    )),
                    None => Err(Diagnostic::error(arg_path, format!("Mappings has no {map}/{top}/{second}"))),
                }
            }
            _ => Err(unsupported(key, path).unwrap_or_else(wrong)),
        }
    }

    fn reference(&self, name: &str, path: &Path) -> Result<String, Diagnostic> {
        match name {
            REGION => return Ok(self.region.to_owned()),
            ACCOUNT_ID => return Ok(self.account_id.to_owned()),
            PARTITION => return Ok(partition_for_region(self.region).to_owned()),
            URL_SUFFIX => return Ok(url_suffix_for_region(self.region).to_owned()),
            _ => {}
        }
        if name.starts_with(cfn::AWS_PREFIX) {
            return Err(Diagnostic::error(
                path.clone(),
                format!(
                    "{name} is not known when the macro runs: Enabled can depend on parameters and on {}",
                    KNOWN_PSEUDO.join(", ")
                ),
            ));
        }
        let parameters = self.section("Parameters");
        if parameters.is_some_and(|p| p.contains_key(name)) || self.parameter_values.contains_key(name) {
            return match self.parameter_value(name) {
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(Value::Bool(b)) => Ok(b.to_string()),
                Some(other) => Err(Diagnostic::error(
                    path.clone(),
                    format!("parameter {name} is {}, a condition compares strings", found(other)),
                )),
                None => Err(Diagnostic::error(path.clone(), format!("parameter {name} has no value"))
                    .with_help("give the parameter a value, or a Default")),
            };
        }
        if self.section("Resources").is_some_and(|r| r.contains_key(name)) {
            return Err(Diagnostic::error(
                path.clone(),
                format!("Enabled can only depend on parameters, found a Ref to resource {name}"),
            ));
        }
        let names = parameters.into_iter().flat_map(|p| p.keys().map(|k| k.as_str()));
        let message = format!("Ref to {}, which is not a parameter of the template", quoted(name));
        Err(self.unknown_name(path, message, name, names))
    }

    /// The error `message` at `path` about `name`, which is none of `names`; the closest of them is
    /// the help.
    fn unknown_name<'n>(
        &self,
        path: &Path,
        message: String,
        name: &str,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Diagnostic {
        let error = Diagnostic::error(path.clone(), message);
        match self.suggestions.did_you_mean(name, names) {
            Some(close) => error.with_help(format!("did you mean {close:?}?")),
            None => error,
        }
    }
}

/// The error for a condition (at `path`) nested `depth` levels deep, when that is too deep.
fn within_depth(depth: usize, path: &Path) -> Result<(), Diagnostic> {
    if depth > MAX_DEPTH {
        return Err(Diagnostic::error(
            path.clone(),
            format!("condition nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    Ok(())
}

/// The error for an intrinsic function that conditions cannot use, if `key` is one.
fn unsupported(key: &str, path: &Path) -> Option<Diagnostic> {
    if key == GET_ATT {
        return Some(Diagnostic::error(
            path.key(key),
            "Enabled can only depend on parameters, found Fn::GetAtt of a resource attribute",
        ));
    }
    key.starts_with(cfn::FN_PREFIX).then(|| {
        Diagnostic::error(
            path.key(key),
            format!("{key} cannot be evaluated in a condition: accepted are {CONDITIONS}, with operands {OPERANDS}"),
        )
    })
}

/// The `N` items of an intrinsic's argument list, or the error `expected` at `path`.
fn operands<'v, const N: usize>(
    arg: &'v Value,
    path: &Path,
    expected: &str,
) -> Result<[&'v Value; N], Diagnostic> {
    let items = arg.as_array().filter(|items| items.len() == N);
    match items {
        Some(items) => Ok(std::array::from_fn(|i| &items[i])),
        None => Err(Diagnostic::error(path.clone(), format!("{expected}, found {}", found(arg)))),
    }
}

/// A parameter or mapping value read as a condition; CloudFormation's booleans are case-insensitive.
fn as_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A name from the template, quoted for a message: cut after 80 characters, since a name that long
/// is wrong anyway and the message must stay readable.
pub(crate) fn quoted(name: &str) -> String {
    found(&Value::from(name))
}

/// What a value is, for "found …" in messages.
pub(crate) fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let shown: String = s.chars().take(80).collect();
            if shown.len() < s.len() {
                format!("{shown:?}…")
            } else {
                format!("{s:?}")
            }
        }
        Value::Array(items) => match items.len() {
            0 => "an empty list".to_owned(),
            1 => "a list of 1 item".to_owned(),
            n => format!("a list of {n} items"),
        },
        Value::Object(obj) => match obj.iter().next() {
            None => "an empty object".to_owned(),
            Some((key, _))
                if obj.len() == 1 && (key == REF || key.starts_with(cfn::FN_PREFIX) || key == CONDITION) =>
            {
                format!("{{{key}: …}}")
            }
            Some(_) => "an object".to_owned(),
        },
    }
}
