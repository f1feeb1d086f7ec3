//! The values given for a template's parameters, checked against the parameter's constraints as
//! CloudFormation checks them before anything is deployed (`AllowedValues`, `AllowedPattern`,
//! `MinLength`, `MaxLength`, `MinValue`, `MaxValue`; see the CloudFormation User Guide, "Parameters").
//! Only for a template as written: the macro receives values CloudFormation has already checked.
//!
//! CloudFormation's patterns are Java regular expressions, matched against the whole value (each item
//! of a `CommaDelimitedList`). The `regex-lite` crate reads the same syntax for what parameter patterns
//! use (classes, quantifiers, groups, alternation, anchors, and ASCII `\d`, `\w`, `\s` as Java's), but
//! has no lookaround or backreferences: a pattern it cannot compile is warned about and not checked
//! (docs/cli.md).

use regex_lite::RegexBuilder;

use crate::diag::{Diagnostic, Path};
use crate::json::{Map, Value};
use crate::limits::MAX_PATTERN_BYTES;

/// One error per constraint a given value breaks, at the parameter's declaration.
pub fn check_values(root: &Map, given: &Map, diagnostics: &mut Vec<Diagnostic>) {
    let Some(declared) = root.get("Parameters").and_then(Value::as_object) else { return };
    for (name, value) in given {
        let Some(parameter) = declared.get(name).and_then(Value::as_object) else { continue };
        let Some(value) = value.as_str() else { continue };
        let path = Path::root().key("Parameters").key(name);
        let kind = parameter.get("Type").and_then(Value::as_str).unwrap_or("String");
        let refuse = |what: String| {
            Diagnostic::error(
                path.clone(),
                format!("the value {value:?} given for parameter {name} {what}; CloudFormation refuses it"),
            )
        };
        // A list parameter's constraints hold for each of its items.
        let items: Vec<&str> = if kind.starts_with("List<") || kind == "CommaDelimitedList" {
            value.split(',').map(str::trim).collect()
        } else {
            vec![value]
        };
        if let Some(Value::Array(allowed)) = parameter.get("AllowedValues") {
            let allowed: Vec<String> = allowed.iter().map(scalar_text).collect();
            for item in &items {
                if !allowed.iter().any(|a| a == item) {
                    diagnostics.push(
                        refuse(format!("is not one of its AllowedValues ({})", allowed.join(", ")))
                            .with_help(format!("give {name} one of them")),
                    );
                }
            }
        }
        if kind == "String" || kind == "CommaDelimitedList" {
            if let Some(pattern) = parameter.get("AllowedPattern").and_then(Value::as_str) {
                // Anchored at both ends: CloudFormation matches the whole value, as Java's `matches`.
                let whole =
                    RegexBuilder::new(&format!(r"\A(?:{pattern})\z")).size_limit(MAX_PATTERN_BYTES).build();
                match whole {
                    Ok(whole) => {
                        for item in items.iter().filter(|item| !whole.is_match(item)) {
                            let shown = if items.len() > 1 { format!("has the item {item:?}, which ") } else { String::new() };
                            let said = parameter
                                .get("ConstraintDescription")
                                .and_then(Value::as_str)
                                .map_or_else(String::new, |d| format!(": {d}"));
                            diagnostics.push(
                                refuse(format!("{shown}does not match its AllowedPattern {pattern:?}{said}"))
                                    .with_help(format!("give {name} a value the whole of which matches the pattern")),
                            );
                        }
                    }
                    Err(why) => diagnostics.push(
                        Diagnostic::warning(
                            path.key("AllowedPattern"),
                            format!(
                                "the AllowedPattern of parameter {name} is not checked here: {}; CloudFormation \
                                 reads it as a Java regular expression and still checks the value",
                                first_line(&why.to_string())
                            ),
                        )
                        .with_help(
                            "lookaround and backreferences have no equivalent here; the deploy checks the pattern",
                        ),
                    ),
                }
            }
        }
        let bound = |key: &str| parameter.get(key).and_then(|v| scalar_text(v).parse::<f64>().ok());
        if kind == "String" {
            let length = value.chars().count() as f64;
            if let Some(min) = bound("MinLength").filter(|min| length < *min) {
                diagnostics
                    .push(refuse(format!("is {length} characters long, under its MinLength of {min}")));
            }
            if let Some(max) = bound("MaxLength").filter(|max| length > *max) {
                diagnostics.push(refuse(format!("is {length} characters long, over its MaxLength of {max}")));
            }
        }
        if kind == "Number" || kind == "List<Number>" {
            for item in &items {
                let Ok(number) = item.parse::<f64>() else {
                    diagnostics.push(refuse(format!("is not a number, which its Type {kind} requires")));
                    continue;
                };
                if let Some(min) = bound("MinValue").filter(|min| number < *min) {
                    diagnostics.push(refuse(format!("is under its MinValue of {min}")));
                }
                if let Some(max) = bound("MaxValue").filter(|max| number > *max) {
                    diagnostics.push(refuse(format!("is over its MaxValue of {max}")));
                }
            }
        }
    }
}

/// The line of the `regex-lite` crate's error that says what is wrong.
fn first_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| text.lines().next().unwrap_or(text))
}

/// A constraint's value as CloudFormation compares it: a string, or a number or boolean as written.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn check(parameters: Value, given: Value) -> Vec<String> {
        let root = json!({"Parameters": parameters});
        let mut out = Vec::new();
        check_values(root.as_object().unwrap(), given.as_object().unwrap(), &mut out);
        out.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn a_value_outside_the_constraints_is_refused() {
        let parameters = json!({
            "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"], "MaxLength": 4},
            "Size": {"Type": "Number", "MinValue": 1, "MaxValue": 10, "AllowedValues": [1, 5, 10]},
            "Zones": {"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]},
        });
        assert!(check(parameters.clone(), json!({"Stage": "prod", "Size": "5", "Zones": "a, b"})).is_empty());
        let found = check(parameters, json!({"Stage": "qa", "Size": "11", "Zones": "a,c"}));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(
            found[0].contains("Parameters/Stage") && found[0].contains("AllowedValues (dev, prod)"),
            "{}",
            found[0]
        );
        assert!(found.iter().any(|f| f.contains("over its MaxValue of 10")));
        assert!(found.iter().any(|f| f.contains("\"a,c\"") && f.contains("(a, b)")));
    }

    #[test]
    fn a_value_must_match_the_whole_allowed_pattern() {
        let parameters = json!({
            "Env": {"Type": "String", "AllowedPattern": "dev|prod", "ConstraintDescription": "dev or prod"},
            "Bucket": {"Type": "String", "AllowedPattern": "[a-z0-9][a-z0-9.-]{2,62}"},
            "Zones": {"Type": "CommaDelimitedList", "AllowedPattern": "[a-z]{2}-[a-z]+-\\d[a-z]"},
        });
        let good = json!({"Env": "prod", "Bucket": "my-bucket", "Zones": "us-east-1a, eu-west-3c"});
        assert!(check(parameters.clone(), good).is_empty());
        // `prod2` holds `prod` but is not all of it; `production` starts with it.
        for env in ["prod2", "production", "xdev"] {
            let found = check(parameters.clone(), json!({"Env": env}));
            assert_eq!(found.len(), 1, "{env}: {found:#?}");
            assert!(
                found[0].contains("Parameters/Env")
                    && found[0].contains("does not match its AllowedPattern \"dev|prod\": dev or prod"),
                "{}",
                found[0]
            );
        }
        let found = check(parameters, json!({"Bucket": "My_Bucket", "Zones": "us-east-1a,mars"}));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[1].contains("has the item \"mars\", which does not match"), "{}", found[1]);
    }

    #[test]
    fn digit_word_and_space_classes_are_ascii_as_in_java() {
        // Java's `\d` is [0-9] unless the pattern asks for Unicode: CloudFormation refuses "٣" (an
        // Arabic-Indic three), and so must the check.
        let parameters = json!({"Port": {"Type": "String", "AllowedPattern": "\\d+"},
                                "Name": {"Type": "String", "AllowedPattern": "\\w+"}});
        assert!(check(parameters.clone(), json!({"Port": "8080", "Name": "orders_v2"})).is_empty());
        let found = check(parameters, json!({"Port": "٣", "Name": "café"}));
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn a_pattern_regex_lite_cannot_compile_is_warned_about_not_checked() {
        // Java accepts lookahead; the `regex-lite` crate does not.
        let parameters = json!({"Secret": {"Type": "String", "AllowedPattern": "(?=.*\\d)[A-Za-z\\d]{8,}"}});
        let root = json!({"Parameters": parameters});
        let mut out = Vec::new();
        check_values(root.as_object().unwrap(), json!({"Secret": "short"}).as_object().unwrap(), &mut out);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(!out[0].is_error());
        assert_eq!(out[0].path.to_string(), "Parameters/Secret/AllowedPattern");
        assert!(out[0].message.contains("look-around"), "{}", out[0].message);
    }
}
