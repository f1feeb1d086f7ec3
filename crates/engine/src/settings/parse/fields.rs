//! The settings that take one plain value: `Alias`, `ServiceRole` and `PermissionsBoundary` (IAM
//! ARNs), `DeploymentGroupName`, `AutoRollback`, the booleans and integers, `Enabled`; and the check
//! that a top-level `Ref` or `Fn::GetAtt` names something of the template.

use super::*;

impl Validator<'_, '_> {
    pub(super) fn alias(&mut self, v: &Value, path: &Path) -> Option<String> {
        const ACCEPTED: &str = "a string of 1 to 128 letters, digits, - or _, not all digits";
        let Some(s) = v.as_str() else {
            return self.err(path, format!("Alias must be {ACCEPTED}, found {}", found(v)));
        };
        // Lambda's alias name pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+), 1 to 128 characters.
        let valid = (1..=128).contains(&s.len())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !s.chars().all(|c| c.is_ascii_digit());
        if !valid {
            return self.err(path, format!("Alias {s:?} is not a Lambda alias name: accepted is {ACCEPTED}"));
        }
        Some(s.to_owned())
    }

    /// `ServiceRole` (`resource` = `role`) or `PermissionsBoundary` (`policy`): an IAM ARN or an
    /// intrinsic that gives one.
    pub(super) fn iam_arn(&mut self, v: &Value, path: &Path, key: &str, resource: &str) -> Option<Value> {
        let accepted = format!("an IAM {resource} ARN (arn:<partition>:iam::<account>:{resource}/<name>) or {INTRINSICS_ACCEPTED}");
        match v {
            Value::String(s) => {
                let parts: Vec<&str> = s.splitn(6, ':').collect();
                let valid = matches!(parts.as_slice(), ["arn", partition, "iam", "", account, rest]
                    if !partition.is_empty()
                        && partition.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        && !account.is_empty()
                        && rest.strip_prefix(resource).and_then(|r| r.strip_prefix('/')).is_some_and(|n| !n.is_empty()));
                if valid {
                    Some(v.clone())
                } else {
                    self.err(
                        path,
                        format!("{key} {s:?} is not an IAM {resource} ARN: accepted is {accepted}"),
                    )
                }
            }
            _ if is_string_intrinsic(v) => {
                // `Ref` to an `AWS::IAM::Role` gives the role's name, and CodeDeploy wants its ARN.
                if let (Some(scope), Some(target)) = (self.scope, cfn::ref_target(v)) {
                    if resource == "role" && scope.resource_type(target) == Some(cfn::IAM_ROLE) {
                        return self.err_help(
                            &path.key(cfn::REF),
                            format!("{key} refers to {target}, whose Ref is the role's name, not its ARN"),
                            Some(format!("write {{Fn::GetAtt: [{target}, Arn]}}")),
                        );
                    }
                }
                self.check_refs(v, path).then(|| v.clone())
            }
            _ => self.err(path, format!("{key} must be {accepted}, found {}", found(v))),
        }
    }

    pub(super) fn deployment_group_name(&mut self, v: &Value, path: &Path) -> Option<Value> {
        const ACCEPTED: &str = "1 to 100 letters, digits or . _ + = , @ -";
        match v {
            Value::String(s) => {
                let valid = (1..=100).contains(&s.len())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || "._+=,@-".contains(c));
                if valid {
                    Some(v.clone())
                } else {
                    self.err(path, format!("DeploymentGroupName {s:?} is not a deployment group name: accepted are {ACCEPTED}"))
                }
            }
            _ if is_string_intrinsic(v) => self.check_refs(v, path).then(|| v.clone()),
            _ => self.err(
                path,
                format!(
                    "DeploymentGroupName must be a string of {ACCEPTED}, or {INTRINSICS_ACCEPTED}, found {}",
                    found(v)
                ),
            ),
        }
    }

    pub(super) fn auto_rollback(&mut self, v: &Value, path: &Path) -> Option<Vec<RollbackEvent>> {
        let names: Vec<&str> = RollbackEvent::ALL.iter().map(|e| e.as_str()).collect();
        let accepted = format!("true, false, or a non-empty list of {}", names.join(", "));
        if let Some(b) = bool_of(v) {
            return Some(if b { RollbackEvent::ALL.to_vec() } else { Vec::new() });
        }
        let items = match v.as_array() {
            Some(items) if !items.is_empty() => items,
            _ => {
                let help = matches!(v, Value::Array(_))
                    .then(|| "write AutoRollback: false to turn automatic rollback off".to_owned());
                return self.err_help(
                    path,
                    format!("AutoRollback must be {accepted}, found {}", found(v)),
                    help,
                );
            }
        };
        let mut events = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match RollbackEvent::ALL.iter().find(|e| Some(e.as_str()) == item.as_str()) {
                // Duplicates are dropped, keeping the first place each event was written.
                Some(e) if !events.contains(e) => events.push(*e),
                Some(_) => {}
                None => {
                    ok = false;
                    let help = item
                        .as_str()
                        .and_then(|s| did_you_mean(s, &names))
                        .map(|n| format!("did you mean {n:?}?"));
                    self.err_help::<()>(
                        &path.index(i),
                        format!(
                            "AutoRollback event must be one of {}, found {}",
                            names.join(", "),
                            found(item)
                        ),
                        help,
                    );
                }
            }
        }
        ok.then_some(events)
    }

    pub(super) fn boolean(&mut self, v: &Value, path: &Path, key: &str) -> Option<bool> {
        bool_of(v).or_else(|| self.err(path, format!("{key} must be true or false, found {}", found(v))))
    }

    /// An integer from `min` to `max`; a string of digits is accepted as CloudFormation coerces it.
    pub(super) fn integer(&mut self, v: &Value, path: &Path, key: &str, min: u64, max: u64) -> Option<u64> {
        let accepted = if max == u64::MAX {
            format!("an integer of at least {min}")
        } else {
            format!("an integer from {min} to {max}")
        };
        let n: Option<i128> = match v {
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e30).map(|f| f as i128)),
            Value::String(s) if !s.is_empty() && s.len() < 30 && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        match n {
            Some(n) if n >= i128::from(min) && n <= i128::from(max) => Some(n as u64),
            Some(n) => self.err(path, format!("{key} must be {accepted}, found {n}")),
            None => self.err(path, format!("{key} must be {accepted}, found {}", found(v))),
        }
    }

    pub(super) fn enabled(&mut self, v: &Value, path: &Path) -> Option<bool> {
        if let Some(b) = bool_of(v) {
            return Some(b);
        }
        if !matches!(v, Value::Object(_)) {
            return self.err(
                path,
                format!("Enabled must be true, false, or a condition over parameters (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition), found {}", found(v)),
            );
        }
        let Some(scope) = self.scope else { return Some(true) };
        match scope.conditions.eval(v, path) {
            Ok(b) => Some(b),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// Checks the target of a top-level `Ref` or `Fn::GetAtt` exists; other intrinsics are left to
    /// CloudFormation. Returns whether all is well.
    pub(super) fn check_refs(&mut self, v: &Value, path: &Path) -> bool {
        let Some(scope) = self.scope else { return true };
        let (target, at) = if let Some(target) = v.get(cfn::REF) {
            match target.as_str() {
                Some(t) => (t, path.key(cfn::REF)),
                None => {
                    return self
                        .err::<()>(
                            &path.key(cfn::REF),
                            format!("Ref takes a logical ID, found {}", found(target)),
                        )
                        .is_some()
                }
            }
        } else if let Some(arg) = v.get(cfn::GET_ATT) {
            match cfn::get_att_parts(arg) {
                Some((t, _)) => (t, path.key(cfn::GET_ATT)),
                None => {
                    return self
                        .err::<()>(
                            &path.key(cfn::GET_ATT),
                            format!(
                            "Fn::GetAtt takes [LogicalId, Attribute] or \"LogicalId.Attribute\", found {}",
                            found(arg)
                        ),
                        )
                        .is_some()
                }
            }
        } else {
            return true;
        };
        let is_ref = v.get(cfn::REF).is_some();
        if scope.resources.contains_key(target)
            || (is_ref && (scope.is_parameter(target) || target.starts_with(cfn::AWS_PREFIX)))
        {
            return true;
        }
        let parameters = if is_ref { Some(scope.parameters) } else { None };
        let names =
            scope.resources.keys().chain(parameters.into_iter().flat_map(|p| p.keys())).map(|k| k.as_str());
        let help = scope.suggest(target, names).map(|n| format!("did you mean {n:?}?"));
        let what = if is_ref { "neither a parameter nor a resource" } else { "not a resource" };
        self.err_help::<()>(&at, format!("{target:?} is {what} of the template"), help);
        false
    }
}
