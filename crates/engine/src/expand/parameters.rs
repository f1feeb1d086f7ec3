//! The values given for a template's parameters, checked against the parameter's constraints as
//! CloudFormation checks them before anything is deployed (`AllowedValues`, `MinLength`,
//! `MaxLength`, `MinValue`, `MaxValue`; see the CloudFormation User Guide, "Parameters"). Only for a
//! template as written: the macro receives values CloudFormation has already checked.

use crate::diag::{Diagnostic, Path};
use crate::json::{Map, Value};

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
}
