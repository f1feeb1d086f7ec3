//! `PreTrafficHook` and `PostTrafficHook`: a function of the template, an external function by name
//! or ARN, or an `Fn::If` of them.

use super::arn::external_function_problem;
use super::*;

impl Validator<'_, '_> {
    /// A hook, or an `Fn::If` choosing one (or `AWS::NoValue`, none): the condition is evaluated
    /// for the parameter values of this expansion, as `Enabled` is, since the hook's name goes into
    /// the alias's update policy and the generated role. Both branches are checked.
    pub(super) fn hook_or_if(
        &mut self,
        v: &Value,
        path: &Path,
        key: &str,
        depth: usize,
    ) -> Option<Option<Hook>> {
        let Some((cfn::IF, Value::Array(arg))) = cfn::single_key(v) else {
            return self.hook(v, path, key).map(Some);
        };
        let path = path.key(cfn::IF);
        if depth > MAX_IF_NESTING {
            return self.err(&path, format!("Fn::If nests more than {MAX_IF_NESTING} levels deep in {key}"));
        }
        let [condition, then, otherwise] = arg.as_slice() else {
            return self.err(&path, format!("Fn::If takes [Condition, hook, hook], found {}", found(v)));
        };
        let name = self.if_condition(condition, &path);
        let branch = |validator: &mut Self, v: &Value, i: usize| -> Option<Option<Hook>> {
            if cfn::is_no_value(v) {
                return Some(None);
            }
            validator.hook_or_if(v, &path.index(i), key, depth + 1)
        };
        let (then, otherwise) = (branch(self, then, 1), branch(self, otherwise, 2));
        let (Some(then), Some(otherwise), Some(name)) = (then, otherwise, name) else { return None };
        let Some(scope) = self.scope else { return Some(then) };
        match scope.conditions.eval_named(name, &path.index(0)) {
            Ok(true) => Some(then),
            Ok(false) => Some(otherwise),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// A hook; a function outside the template must be named exactly, since the generated role
    /// grants `lambda:InvokeFunction` on it and CodeDeploy invokes it by that name.
    pub(super) fn hook(&mut self, v: &Value, path: &Path, key: &str) -> Option<Hook> {
        match self.hook_form(v, path, key)? {
            Hook::External(name) => match external_function_problem(&name) {
                Some(problem) => self.err(
                    path,
                    format!("{key} {} {problem}: accepted is a function name (letters, digits, - and _, up to 64), \
                         optionally with :<version or alias>, or arn:<partition>:lambda:<region>:<account>:function:<name>", quoted(&name)),
                ),
                None => Some(Hook::External(name)),
            },
            hook => Some(hook),
        }
    }

    fn hook_form(&mut self, v: &Value, path: &Path, key: &str) -> Option<Hook> {
        let wrong = |v: &Value| format!("{key} must be {HOOK_ACCEPTED}, found {}", found(v));
        match v {
            Value::String(s) if s.is_empty() => self.err(path, wrong(v)),
            // An ARN (or `name:alias`) is a function outside the template.
            Value::String(s) if s.contains(':') => self.external_hook(s, path, key),
            Value::String(s) => {
                let Some(scope) = self.scope else { return self.external_hook(s, path, key) };
                match scope.resource_type(s) {
                    Some(t) if FUNCTION_TYPES.contains(&t) => Some(Hook::Function(s.to_string())),
                    Some(t) => {
                        self.err(path, format!("{key} names {s}, an {t}: accepted is {HOOK_ACCEPTED}"))
                    }
                    // No logical ID is that long: said before any suggestion is looked for.
                    None if s.len() > MAX_LOGICAL_ID => self.external_hook(s, path, key),
                    None => {
                        // Offline, a function elsewhere cannot be told from a typo; CodeDeploy finds
                        // out only when it invokes the hook, in the middle of a deployment.
                        let close = scope.suggest(s, scope.ids_of(FUNCTION_TYPES));
                        let hook = self.external_hook(s, path, key)?;
                        // A name no function can have is an error of its own (see `hook`).
                        if external_function_problem(s).is_some() {
                            return Some(hook);
                        }
                        let help = match close {
                            Some(close) => {
                                format!("did you mean {close:?}? For a function outside the template, write its ARN")
                            }
                            None => "for a function outside the template, write its ARN to say so".to_owned(),
                        };
                        self.diags.push(
                            Diagnostic::warning(
                                path.clone(),
                                format!(
                                    "{key} names {}, which is not a function of the template, so a function of \
                                     that name must exist in the account and region at deploy time",
                                    quoted(s)
                                ),
                            )
                            .with_help(help),
                        );
                        Some(hook)
                    }
                }
            }
            _ => match cfn::single_key(v) {
                Some((cfn::REF, target)) => self.hook_ref(target, &path.key(cfn::REF), key),
                Some((cfn::GET_ATT, arg)) => self.hook_get_att(arg, &path.key(cfn::GET_ATT), key),
                _ => self.err(path, wrong(v)),
            },
        }
    }

    /// The `Ref` of a hook (its target at `path`): a function of the template, or a parameter
    /// holding the name or ARN of a function elsewhere.
    fn hook_ref(&mut self, target: &Value, path: &Path, key: &str) -> Option<Hook> {
        let Some(target) = target.as_str() else {
            return self.err(path, format!("Ref takes a logical ID, found {}", found(target)));
        };
        let Some(scope) = self.scope else { return Some(Hook::Function(target.to_owned())) };
        if scope.is_parameter(target) {
            // Resolved now so the hook's permissions can name the function.
            const ACCEPTED: &str = "a function name or ARN";
            let name = self.parameter_string(scope, path, key, target, ACCEPTED, |s| !s.is_empty())?;
            return self.external_hook(name, path, key);
        }
        self.hook_function(target, path, key)
    }

    /// The `Fn::GetAtt` of a hook (its argument at `path`): the `Arn` of a function of the template.
    fn hook_get_att(&mut self, arg: &Value, path: &Path, key: &str) -> Option<Hook> {
        let Some((target, attribute)) = cfn::get_att_parts(arg) else {
            return self.err(
                path,
                format!("Fn::GetAtt takes [Function, Arn] or \"Function.Arn\", found {}", found(arg)),
            );
        };
        if attribute != "Arn" {
            return self.err(
                path,
                format!("{key} takes the Arn of a function, found Fn::GetAtt {target}.{attribute}"),
            );
        }
        if self.scope.is_none() {
            return Some(Hook::Function(target.to_owned()));
        }
        self.hook_function(target, path, key)
    }

    /// A hook outside the template, by function name (at most 64 characters) or ARN (at most 140,
    /// as Lambda's `FunctionName` parameter takes them).
    fn external_hook(&mut self, s: &str, path: &Path, key: &str) -> Option<Hook> {
        let (what, limit) = if s.contains(':') {
            ("function ARN", MAX_FUNCTION_ARN_LEN)
        } else {
            ("function name", MAX_FUNCTION_NAME_LEN)
        };
        let length = s.chars().count();
        if length > limit {
            let in_template = if s.contains(':') { "" } else { " nor a function of the template" };
            return self.err(
                path,
                format!(
                    "{key} is {}, {length} characters long: no Lambda {what} is longer than {limit}{in_template}",
                    quoted(s)
                ),
            );
        }
        Some(Hook::External(s.to_owned()))
    }

    /// A hook named by `Ref` or `Fn::GetAtt`: it must be a function of the template.
    fn hook_function(&mut self, target: &str, path: &Path, key: &str) -> Option<Hook> {
        let scope = self.scope?;
        match scope.resource_type(target) {
            Some(t) if FUNCTION_TYPES.contains(&t) => Some(Hook::Function(target.to_owned())),
            Some(t) => {
                self.err(path, format!("{key} refers to {target}, an {t}: accepted is a Lambda function"))
            }
            None => {
                let help = scope
                    .suggest(target, scope.ids_of(FUNCTION_TYPES))
                    .map(|n| format!("did you mean {n:?}?"));
                self.err_help(
                    path,
                    format!("{key} refers to {target:?}, which is not a resource of the template"),
                    help,
                )
            }
        }
    }
}
