//! `Triggers`: CodeDeploy trigger configurations, each naming one SNS topic and its events.

use super::arn::{sub_wildcard_problem, topic_arn_problem};
use super::*;

impl Validator<'_, '_> {
    pub(super) fn triggers(&mut self, v: &Value, path: &Path) -> Option<Vec<Value>> {
        let Some(items) = v.as_array() else {
            return self.not_with_keys(path, "Triggers must be a list of objects with", TRIGGER_KEYS, v);
        };
        let mut ok = true;
        let mut names: HashSet<&str, KeyHashing> = HashSet::default();
        for (i, item) in items.iter().enumerate() {
            let at = path.index(i);
            let Some(obj) = item.as_object() else {
                ok = false;
                self.not_with_keys::<()>(&at, "a trigger must be an object with", TRIGGER_KEYS, item);
                continue;
            };
            ok &= self.unknown_keys(obj, &at, TRIGGER_KEYS, "trigger key");
            match obj.get("TriggerName") {
                None => ok &= self.err::<()>(&at, "a trigger needs TriggerName").is_some(),
                Some(Value::String(s)) if !s.is_empty() => {
                    if !names.insert(s) {
                        let message = format!(
                            "TriggerName {} is used twice: CodeDeploy names each trigger once",
                            quoted(s)
                        );
                        ok &= self.err::<()>(&at.key("TriggerName"), message).is_some();
                    }
                }
                Some(other) => {
                    ok = false;
                    self.err::<()>(
                        &at.key("TriggerName"),
                        format!("TriggerName must be a non-empty string, found {}", found(other)),
                    );
                }
            }
            match obj.get("TriggerTargetArn") {
                None => {
                    ok &= self
                        .err::<()>(&at, "a trigger needs TriggerTargetArn: the ARN of an SNS topic")
                        .is_some()
                }
                Some(Value::String(s)) => {
                    if let Some(problem) = topic_arn_problem(s) {
                        ok = false;
                        self.err::<()>(
                            &at.key("TriggerTargetArn"),
                            format!("TriggerTargetArn {} {problem}: accepted are arn:<partition>:sns:<region>:<account>:<topic> or {INTRINSICS_ACCEPTED}", quoted(s)),
                        );
                    }
                }
                Some(arn) if is_string_intrinsic(arn) => {
                    ok &= self.check_refs(arn, &at.key("TriggerTargetArn"));
                    // The generated role may publish to exactly this topic: no wildcard in the
                    // text of an `Fn::Sub`, nor in a parameter's value.
                    let target = cfn::ref_target(arn);
                    let checked = match cfn::single_key(arn) {
                        Some((cfn::SUB, arg)) => {
                            cfn::sub_parts(arg).map(|(text, _)| (cfn::SUB, text, sub_wildcard_problem(text)))
                        }
                        Some((cfn::REF, _)) => target
                            .and_then(|parameter| self.scope?.parameter_value(parameter)?.as_str())
                            .map(|value| (cfn::REF, value, topic_arn_problem(value))),
                        _ => None,
                    };
                    if let Some((key, text, Some(problem))) = checked {
                        ok = false;
                        self.err::<()>(
                            &at.key("TriggerTargetArn").key(key),
                            format!(
                                "TriggerTargetArn {} {problem}: accepted is the ARN of one SNS topic",
                                quoted(text)
                            ),
                        );
                    }
                    // `Ref` to a topic is its ARN; `Ref` to any other resource is not a topic.
                    let ty = self.scope.zip(target).and_then(|(scope, t)| scope.resource_type(t));
                    if let (Some(target), Some(ty)) = (target, ty) {
                        if ty != cfn::SNS_TOPIC {
                            ok = false;
                            self.err::<()>(
                                &at.key("TriggerTargetArn").key(cfn::REF),
                                format!("TriggerTargetArn refers to {target}, an {ty}: accepted is an AWS::SNS::Topic"),
                            );
                        }
                    }
                }
                Some(other) => {
                    ok = false;
                    self.err::<()>(
                        &at.key("TriggerTargetArn"),
                        format!(
                            "TriggerTargetArn must be an SNS topic ARN or {INTRINSICS_ACCEPTED}, found {}",
                            found(other)
                        ),
                    );
                }
            }
            if let Some(events) = obj.get("TriggerEvents") {
                ok &= self.trigger_events(events, &at.key("TriggerEvents")).is_some();
            }
        }
        ok.then(|| items.clone())
    }

    fn trigger_events(&mut self, v: &Value, path: &Path) -> Option<()> {
        let accepted = TRIGGER_EVENTS.join(", ");
        let items = match v.as_array() {
            Some(items) if !items.is_empty() => items,
            _ => {
                return self.err(
                    path,
                    format!("TriggerEvents must be a non-empty list of {accepted}, found {}", found(v)),
                )
            }
        };
        let mut ok = true;
        for (i, event) in items.iter().enumerate() {
            match event.as_str() {
                Some(e) if TRIGGER_EVENTS.contains(&e) => {}
                Some(e) => {
                    ok = false;
                    let help = did_you_mean(e, TRIGGER_EVENTS).map(|n| format!("did you mean {n:?}?"));
                    self.err_help::<()>(
                        &path.index(i),
                        format!("unknown trigger event {e:?}: accepted are {accepted}"),
                        help,
                    );
                }
                None => {
                    ok = false;
                    self.err::<()>(
                        &path.index(i),
                        format!("a trigger event must be one of {accepted}, found {}", found(event)),
                    );
                }
            }
        }
        ok.then_some(())
    }
}
