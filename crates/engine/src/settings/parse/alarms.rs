//! `Alarms` (alarm names, references and `Fn::If`s, counted against CodeDeploy's limit) and
//! `RollbackOn` (the metrics the macro makes alarms for).

use super::*;

impl Validator<'_, '_> {
    pub(super) fn alarms(&mut self, v: &Value, path: &Path) -> Option<AlarmList> {
        self.alarm_list(v, path, 0)
    }

    /// A list of alarms, or one `Fn::If` choosing between two lists (`!If [IsProd, [A, B], []]`),
    /// which becomes one `Fn::If` per alarm: each alarm of a branch is kept when its branch is taken.
    fn alarm_list(&mut self, v: &Value, path: &Path, depth: usize) -> Option<AlarmList> {
        if let Some((cfn::IF, Value::Array(arg))) = cfn::single_key(v) {
            if depth > MAX_IF_NESTING {
                return self
                    .err(path, format!("Fn::If nests more than {MAX_IF_NESTING} levels deep in Alarms"));
            }
            let path = path.key(cfn::IF);
            let [condition, then, otherwise] = arg.as_slice() else {
                return self
                    .err(&path, format!("Fn::If takes [Condition, alarms, alarms], found {}", found(v)));
            };
            let ok = self.if_condition(condition, &path).is_some();
            let branch = |validator: &mut Self, v: &Value, i: usize| -> Option<AlarmList> {
                if cfn::is_no_value(v) {
                    return Some(AlarmList::default());
                }
                validator.alarm_list(v, &path.index(i), depth + 1)
            };
            let (then, otherwise) = (branch(self, then, 1), branch(self, otherwise, 2));
            let (Some(then), Some(otherwise), true) = (then, otherwise, ok) else { return None };
            let mut items = Vec::with_capacity(then.items.len() + otherwise.items.len());
            items.extend(then.items.into_iter().map(|a| cfn::if_(condition.clone(), a, cfn::no_value())));
            items
                .extend(otherwise.items.into_iter().map(|a| cfn::if_(condition.clone(), cfn::no_value(), a)));
            return Some(AlarmList { items, most: then.most.max(otherwise.most) });
        }
        let Some(items) = v.as_array() else {
            return self.err(path, format!("Alarms must be {ALARMS_ACCEPTED}, found {}", found(v)));
        };
        let mut alarms: Vec<Value> = Vec::with_capacity(items.len());
        // Where each alarm was first listed, by its JSON text: hashed, since a list compared item by
        // item would cost the square of its length.
        let mut first_at: HashMap<String, usize, KeyHashing> = HashMap::default();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let at = path.index(i);
            match self.alarm(item, &at, 0) {
                // CodeDeploy takes each alarm once per deployment group.
                Some(alarm) => {
                    match first_at.entry(alarm.to_string()) {
                        std::collections::hash_map::Entry::Occupied(first) => {
                            ok = false;
                            self.err::<()>(
                            &at,
                            format!("alarm {alarm} is already listed at {}: CodeDeploy accepts each alarm once", path.index(*first.get())),
                        );
                        }
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(i);
                            alarms.push(alarm);
                        }
                    }
                }
                None => ok = false,
            }
        }
        ok.then(|| AlarmList { most: alarms.len(), items: alarms })
    }

    /// One alarm, normalised to CloudFormation's `{Name: …}` (or an `Fn::If` of such).
    pub(super) fn alarm(&mut self, v: &Value, path: &Path, depth: usize) -> Option<Value> {
        if depth > MAX_IF_NESTING {
            return self.err(path, format!("Fn::If nests more than {MAX_IF_NESTING} levels deep in Alarms"));
        }
        let obj = match v {
            Value::String(s) if s.is_empty() => {
                return self.err(path, format!("an alarm must be {ALARM_ACCEPTED}, found \"\""))
            }
            Value::String(s) => {
                if let Some(scope) = self.scope {
                    match scope.resource_type(s) {
                        Some(t) if ALARM_TYPES.contains(&t) => {}
                        Some(t) => {
                            return self
                                .err(path, format!("alarm {s} is an {t}: accepted is {ALARM_ACCEPTED}"))
                        }
                        None => {
                            let close = scope.suggest(s, scope.ids_of(ALARM_TYPES));
                            let outside = format!("for an alarm outside the template, write {{Name: {s:?}}}");
                            let help = match close {
                                Some(close) => format!(
                                    "did you mean {close:?}? {}{}",
                                    outside[..1].to_uppercase(),
                                    &outside[1..]
                                ),
                                None => outside,
                            };
                            return self.err_help(
                                path,
                                format!("alarm {s:?} is not a resource of the template"),
                                Some(help),
                            );
                        }
                    }
                }
                return Some(json!({ "Name": cfn::ref_to(s) }));
            }
            Value::Object(obj) => obj,
            _ => return self.err(path, format!("an alarm must be {ALARM_ACCEPTED}, found {}", found(v))),
        };
        match cfn::single_key(v) {
            Some((cfn::REF, target)) => {
                return self
                    .alarm_ref(target, &path.key(cfn::REF))
                    .map(|target| json!({ "Name": cfn::ref_to(&target) }))
            }
            Some((cfn::IF, arg)) => return self.alarm_if(arg, &path.key(cfn::IF), depth),
            Some((key, _)) if key.starts_with(cfn::FN_PREFIX) => {
                return self.err(path, format!("an alarm must be {ALARM_ACCEPTED}, found {}", found(v)))
            }
            _ => {}
        }
        let mut ok = self.unknown_keys(obj, path, &["Name"], "alarm key");
        let name = match obj.get("Name") {
            None => {
                // A misspelt `Name` was just reported as an unknown key; saying it is missing too
                // would only repeat it.
                if ok {
                    self.err::<()>(path, format!("an alarm object needs Name: accepted is {ALARM_ACCEPTED}"));
                }
                ok = false;
                None
            }
            Some(Value::String(s)) if (1..=255).contains(&s.chars().count()) => {
                Some(Value::String(s.clone()))
            }
            Some(name) if is_string_intrinsic(name) => {
                ok &= self.check_refs(name, &path.key("Name"));
                Some(name.clone())
            }
            Some(name) => {
                ok = false;
                self.err::<()>(
                    &path.key("Name"),
                    format!("Name must be an alarm name of 1 to 255 characters or {INTRINSICS_ACCEPTED}, found {}", found(name)),
                );
                None
            }
        };
        if ok {
            name.map(|name| json!({ "Name": name }))
        } else {
            None
        }
    }

    /// The target of an alarm's `{Ref: X}`: an alarm of the template or a parameter holding a name.
    fn alarm_ref(&mut self, target: &Value, path: &Path) -> Option<String> {
        let Some(target) = target.as_str() else {
            return self.err(path, format!("Ref takes a logical ID, found {}", found(target)));
        };
        let Some(scope) = self.scope else { return Some(target.to_owned()) };
        if scope.is_parameter(target) {
            return Some(target.to_owned());
        }
        match scope.resource_type(target) {
            Some(t) if ALARM_TYPES.contains(&t) => Some(target.to_owned()),
            Some(t) => {
                self.err(path, format!("alarm Ref to {target}, an {t}: accepted is an alarm or a parameter"))
            }
            None => {
                let names = scope.ids_of(ALARM_TYPES).chain(scope.parameters.keys().map(|k| k.as_str()));
                let help = scope.suggest(target, names).map(|n| format!("did you mean {n:?}?"));
                self.err_help(path, format!("alarm Ref to {target:?}, which is neither a parameter nor a resource of the template"), help)
            }
        }
    }

    fn alarm_if(&mut self, arg: &Value, path: &Path, depth: usize) -> Option<Value> {
        let Some([condition, then, otherwise]) =
            arg.as_array().and_then(|a| <&[Value; 3]>::try_from(a.as_slice()).ok())
        else {
            return self.err(path, format!("Fn::If takes [Condition, alarm, alarm], found {}", found(arg)));
        };
        let ok = self.if_condition(condition, path).is_some();
        let branch = |validator: &mut Self, v: &Value, i: usize| -> Option<Value> {
            if cfn::is_no_value(v) {
                return Some(v.clone());
            }
            validator.alarm(v, &path.index(i), depth + 1)
        };
        let then = branch(self, then, 1);
        let otherwise = branch(self, otherwise, 2);
        match (then, otherwise) {
            (Some(then), Some(otherwise)) if ok => Some(cfn::if_(condition.clone(), then, otherwise)),
            _ => None,
        }
    }

    /// The condition name an `Fn::If` (at `path`) starts with, when it is a condition of the template.
    pub(super) fn if_condition<'v>(&mut self, condition: &'v Value, path: &Path) -> Option<&'v str> {
        let Some(name) = condition.as_str() else {
            return self.err(
                &path.index(0),
                format!("Fn::If takes a condition name first, found {}", found(condition)),
            );
        };
        let Some(scope) = self.scope else { return Some(name) };
        let conditions = scope.conditions_section();
        if conditions.is_some_and(|c| c.contains_key(name)) {
            return Some(name);
        }
        let names = conditions.into_iter().flat_map(|c| c.keys().map(|k| k.as_str()));
        let help = scope.suggest(name, names).map(|n| format!("did you mean {n:?}?"));
        self.err_help::<()>(
            &path.index(0),
            format!("condition {name:?} is not in the template's Conditions"),
            help,
        );
        None
    }

    pub(super) fn rollback_on(&mut self, v: &Value, path: &Path) -> Option<RollbackOn> {
        let Some(obj) = v.as_object() else {
            return self.not_with_keys(path, "RollbackOn must be an object with any of", ROLLBACK_ON_KEYS, v);
        };
        let mut ok = self.unknown_keys(obj, path, ROLLBACK_ON_KEYS, "RollbackOn metric");
        let mut rollback_on = RollbackOn::default();
        let mut int = |validator: &mut Self, key: &str, max: u64| -> Option<u64> {
            let v = obj.get(key)?;
            let n = validator.integer(v, &path.key(key), key, 1, max);
            ok &= n.is_some();
            n
        };
        rollback_on.errors = int(self, "Errors", u64::MAX);
        rollback_on.throttles = int(self, "Throttles", u64::MAX);
        rollback_on.duration_p99 = int(self, "DurationP99", MAX_DURATION_MS);
        if let Some(v) = obj.get("ErrorRate") {
            rollback_on.error_rate = self.percentage(v, &path.key("ErrorRate"));
            ok &= rollback_on.error_rate.is_some();
        }
        ok.then_some(rollback_on)
    }

    /// `ErrorRate`: a percentage above 0 and at most 100.
    pub(super) fn percentage(&mut self, v: &Value, path: &Path) -> Option<f64> {
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        };
        match n {
            Some(n) if n > 0.0 && n <= 100.0 => Some(n),
            Some(n) => {
                self.err(path, format!("ErrorRate must be a percentage above 0 and at most 100, found {n}"))
            }
            None => self.err(
                path,
                format!("ErrorRate must be a percentage above 0 and at most 100, found {}", found(v)),
            ),
        }
    }
}
