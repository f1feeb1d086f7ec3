//! `SmokeTest`: the cases the built-in pre-traffic hook invokes the new version with
//! (docs/smoke-test.md).
//!
//! Each case is `{Event, Expect?}` of literal JSON: the cases travel to the hook in one environment
//! variable, written when the template is expanded, so nothing in them can wait for CloudFormation to
//! resolve it, and together they must fit Lambda's 4 KB of environment variables.

use super::*;
use crate::settings::SmokeCase;

impl Validator<'_, '_> {
    /// The cases; `[]` is no smoke test (it turns off one inherited from the template defaults).
    pub(super) fn smoke_test(&mut self, v: &Value, path: &Path) -> Option<Vec<SmokeCase>> {
        let Some(items) = v.as_array() else {
            return self.not_with_keys(
                path,
                "SmokeTest must be a list of cases, objects with",
                SMOKE_CASE_KEYS,
                v,
            );
        };
        let mut ok = true;
        let mut cases = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = path.index(i);
            let Some(obj) = item.as_object() else {
                ok = false;
                self.not_with_keys::<()>(
                    &at,
                    "a smoke test case must be an object with",
                    SMOKE_CASE_KEYS,
                    item,
                );
                continue;
            };
            ok &= self.unknown_keys(obj, &at, SMOKE_CASE_KEYS, "smoke test key");
            let event = obj.get("Event");
            if event.is_none() {
                ok = false;
                self.err::<()>(
                    &at,
                    "a smoke test case needs Event: the JSON the new version is invoked with",
                );
            }
            let expect = obj.get("Expect");
            for (key, value) in [("Event", event), ("Expect", expect)] {
                if let Some(value) = value {
                    ok &= self.literal_json(value, &at.key(key), key);
                }
            }
            if let Some(event) = event {
                cases.push(SmokeCase { event: event.clone(), expect: expect.cloned() });
            }
        }
        if !ok {
            return None;
        }
        let size = SmokeCase::environment_size(&cases);
        if size > MAX_ENVIRONMENT_BYTES {
            return self.err_help(
                path,
                format!(
                    "SmokeTest takes {size} bytes as the hook's environment variable, over Lambda's limit of \
                     {MAX_ENVIRONMENT_BYTES} bytes for a function's environment variables"
                ),
                Some(
                    "keep each event to the fields the function reads, and Expect to the fields that decide"
                        .to_owned(),
                ),
            );
        }
        Some(cases)
    }

    /// Reports each intrinsic function in `value` (at `path`): the hook receives the text as
    /// written, and CloudFormation never resolves what is inside an environment variable's string.
    fn literal_json(&mut self, value: &Value, path: &Path, key: &str) -> bool {
        // Iterative, so the settings' own depth (bounded by the template's) costs no stack.
        let mut ok = true;
        let mut stack = vec![(value, path.clone())];
        while let Some((value, at)) = stack.pop() {
            match value {
                Value::Object(obj) => {
                    if let Some((name, _)) = cfn::single_key(value).filter(|(name, _)| is_intrinsic(name)) {
                        ok = false;
                        self.err_help::<()>(
                            &at.key(name),
                            format!(
                                "{name} in a smoke test {key}: accepted is literal JSON, since the cases reach the \
                                 hook as text that CloudFormation does not resolve"
                            ),
                            Some("write the value itself".to_owned()),
                        );
                        continue;
                    }
                    for (k, v) in obj.iter().rev() {
                        stack.push((v, at.key(k)));
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate().rev() {
                        stack.push((v, at.index(i)));
                    }
                }
                _ => {}
            }
        }
        ok
    }
}

fn is_intrinsic(name: &str) -> bool {
    name == cfn::REF || name.starts_with(cfn::FN_PREFIX)
}
