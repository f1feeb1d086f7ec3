//! `Type`: a predefined deployment config name, a canary or linear shape, or a reference to a
//! parameter or an `AWS::CodeDeploy::DeploymentConfig`; and the reading of shape names.

use super::*;
use crate::cfn::CODEDEPLOY_DEPLOYMENT_CONFIG;

impl Validator<'_, '_> {
    pub(super) fn traffic(&mut self, v: &Value, path: &Path) -> Option<Traffic> {
        if let Value::String(s) = v {
            return self.traffic_name(s, path, None);
        }
        match cfn::single_key(v) {
            Some((cfn::REF, target)) => self.traffic_ref(target, &path.key(cfn::REF)),
            _ => self.err(path, format!("Type must be {TYPE_ACCEPTED}, found {}", found(v))),
        }
    }

    /// The `Ref` of a `Type` (its target at `path`): a parameter holding a `Type` string, or an
    /// `AWS::CodeDeploy::DeploymentConfig` of the template.
    fn traffic_ref(&mut self, target: &Value, path: &Path) -> Option<Traffic> {
        let Some(target) = target.as_str() else {
            return self.err(path, format!("Ref takes a logical ID, found {}", found(target)));
        };
        let Some(scope) = self.scope else {
            return Some(Traffic::ConfigResource(target.to_owned()));
        };
        if scope.is_parameter(target) {
            const ACCEPTED: &str = "a string naming a traffic shape or deployment config";
            let name = self.parameter_string(scope, path, "Type", target, ACCEPTED, |_| true)?;
            return self.traffic_name(name, path, Some(target));
        }
        match scope.resource_type(target) {
            Some(CODEDEPLOY_DEPLOYMENT_CONFIG) => Some(Traffic::ConfigResource(target.to_owned())),
            Some(other) => self.err(
                path,
                format!("Type refers to {target}, an {other}: accepted are a parameter or an {CODEDEPLOY_DEPLOYMENT_CONFIG}"),
            ),
            None => {
                let names = scope.parameters.keys().map(|k| k.as_str());
                let names = names.chain(scope.ids_of(&[CODEDEPLOY_DEPLOYMENT_CONFIG]));
                let help = scope.suggest(target, names).map(|n| format!("did you mean {n:?}?"));
                self.err_help(
                    path,
                    format!("Type refers to {target:?}, which is neither a parameter nor a resource of the template"),
                    help,
                )
            }
        }
    }

    /// A `Type` string, written in the template or read from `parameter`.
    fn traffic_name(&mut self, s: &str, path: &Path, parameter: Option<&str>) -> Option<Traffic> {
        let shown = match parameter {
            Some(p) => format!("Type {s:?} (from parameter {p})"),
            None => format!("Type {s:?}"),
        };
        if PREDEFINED_TYPES.contains(&s) {
            return Some(Traffic::ConfigName(format!("CodeDeployDefault.Lambda{s}")));
        }
        let near_predefined = || did_you_mean(s, PREDEFINED_TYPES).map(|n| format!("did you mean {n:?}?"));
        match parse_shape(s) {
            Some(Ok(shape)) => {
                // A predefined shape written another way (`Linear10PercentEvery1Minutes`) is the
                // predefined config: no need to generate a copy of it.
                let name = shape.name();
                if PREDEFINED_TYPES.contains(&name.as_str()) {
                    return Some(Traffic::ConfigName(format!("CodeDeployDefault.Lambda{name}")));
                }
                if shape.kind == ShapeKind::Linear {
                    let steps = 100u64.div_ceil(u64::from(shape.percentage));
                    let total = (steps - 1) * u64::from(shape.interval_minutes);
                    if total > MAX_SHIFT_MINUTES {
                        self.diags.push(Diagnostic::warning(
                            path.clone(),
                            format!("{shown} shifts traffic over {total} minutes, longer than the {MAX_SHIFT_MINUTES} minutes (48 hours) CodeDeploy allows a Lambda deployment"),
                        ));
                    }
                }
                Some(Traffic::Shape(shape))
            }
            Some(Err(ShapeError::Malformed)) => self.err_help(
                path,
                format!("{shown} is not a traffic shape: accepted are {SHAPES_ACCEPTED}"),
                repaired_shape(s).map(|n| format!("did you mean {n:?}?")).or_else(near_predefined),
            ),
            Some(Err(ShapeError::Percent(p))) => {
                self.err(path, format!("{shown} shifts {p} percent: accepted percentages are 1 to 99"))
            }
            Some(Err(ShapeError::Interval(m))) => self.err(
                path,
                format!("{shown} waits {m} minutes: accepted intervals are 1 to {MAX_SHIFT_MINUTES} minutes"),
            ),
            None => {
                if let Some(rest) = s.strip_prefix("CodeDeployDefault.") {
                    // Every CodeDeployDefault config Lambda can use is one of the predefined names;
                    // the others are for EC2 or ECS and CodeDeploy rejects them for a Lambda group.
                    let known = rest.strip_prefix("Lambda").is_some_and(|n| PREDEFINED_TYPES.contains(&n));
                    if known {
                        return Some(Traffic::ConfigName(s.to_owned()));
                    }
                    let full: Vec<String> =
                        PREDEFINED_TYPES.iter().map(|n| format!("CodeDeployDefault.Lambda{n}")).collect();
                    let full: Vec<&str> = full.iter().map(String::as_str).collect();
                    let help = did_you_mean(s, &full).map(|n| format!("did you mean {n:?}?"));
                    return self.err_help(
                        path,
                        format!("{shown} is not a predefined Lambda deployment config: accepted are CodeDeployDefault.Lambda followed by one of {}", PREDEFINED_TYPES.join(", ")),
                        help,
                    );
                }
                if s.is_empty() {
                    return self.err(path, format!("Type must be {TYPE_ACCEPTED}, found \"\""));
                }
                if s.chars().count() > 100 {
                    return self.err(
                        path,
                        format!("{shown} is not a deployment config name: CodeDeploy accepts at most 100 characters"),
                    );
                }
                // CodeDeploy refuses a config name it does not know only at deploy time.
                self.diags.push(
                    Diagnostic::warning(
                        path.clone(),
                        format!("{shown} is neither a predefined config nor a traffic shape, so it is used as the name of a deployment config outside the template, which must exist in the account at deploy time"),
                    )
                    .with_help(near_predefined().unwrap_or_else(|| format!("accepted shapes are {SHAPES_ACCEPTED}"))),
                );
                Some(Traffic::ConfigName(s.to_owned()))
            }
        }
    }
}

/// Why a string that starts like a shape is not one; numbers are kept as written, for messages.
#[derive(Debug, PartialEq)]
enum ShapeError {
    Malformed,
    Percent(String),
    Interval(String),
}

/// Parses `Canary<P>Percent<M>Minute(s)` / `Linear<P>PercentEvery<M>Minute(s)`. `None` when `s` does
/// not start like a shape (`Canary` or `Linear`, in any case, then a digit): it is then a config name.
fn parse_shape(s: &str) -> Option<Result<Shape, ShapeError>> {
    let starts_like = |prefix: &str| {
        s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && s[prefix.len()..].starts_with(|c: char| c.is_ascii_digit())
    };
    let (kind, rest, separator) = if starts_like("Canary") {
        (ShapeKind::Canary, &s[6..], "Percent")
    } else if starts_like("Linear") {
        (ShapeKind::Linear, &s[6..], "PercentEvery")
    } else {
        return None;
    };
    let parsed = (|| {
        if !s.starts_with("Canary") && !s.starts_with("Linear") {
            return None;
        }
        let (percentage, rest) = digits(rest)?;
        let (interval, rest) = digits(rest.strip_prefix(separator)?)?;
        matches!(rest, "Minute" | "Minutes").then_some((percentage, interval))
    })();
    let Some(((percentage, percentage_text), (interval, interval_text))) = parsed else {
        return Some(Err(ShapeError::Malformed));
    };
    if !(1..=99).contains(&percentage) {
        return Some(Err(ShapeError::Percent(percentage_text.to_owned())));
    }
    if !(1..=MAX_SHIFT_MINUTES).contains(&interval) {
        return Some(Err(ShapeError::Interval(interval_text.to_owned())));
    }
    Some(Ok(Shape { kind, percentage: percentage as u32, interval_minutes: interval as u32 }))
}

/// The shape a malformed one most likely meant, when only its spelling is off: `Every` missing from a
/// linear shape or added to a canary, another letter case, or the unit shortened
/// (`Linear10Percent5Minutes` → `Linear10PercentEvery5Minutes`). Edit distance to the predefined
/// names would suggest a shape of the other kind.
fn repaired_shape(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let (kind, rest) = if let Some(rest) = lower.strip_prefix("canary") {
        (ShapeKind::Canary, rest)
    } else {
        (ShapeKind::Linear, lower.strip_prefix("linear")?)
    };
    let ((percentage, _), rest) = digits(rest)?;
    let rest = rest.strip_prefix("percent")?;
    let rest = rest.strip_prefix("every").unwrap_or(rest);
    let ((interval, _), rest) = digits(rest)?;
    if !matches!(rest, "" | "m" | "min" | "mins" | "minute" | "minutes") {
        return None;
    }
    let valid = (1..=99).contains(&percentage) && (1..=MAX_SHIFT_MINUTES).contains(&interval);
    valid.then(|| Shape { kind, percentage: percentage as u32, interval_minutes: interval as u32 }.name())
}

/// The leading decimal number of `s` (its value, saturating so that a huge one is simply out of
/// range, and its text) and the rest.
pub(super) fn digits(s: &str) -> Option<((u64, &str), &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    let n = s[..end].bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    Some(((n, &s[..end]), &s[end..]))
}
