//! The reference forms, read (and built) in one place.
//!
//! `{Ref: X}`, `{Fn::GetAtt: [X, Attr]}`, `{Fn::GetAtt: "X.Attr"}`, the `${X}` and `${X.Attr}`
//! placeholders of `Fn::Sub` (string form, and list form whose variable map shadows names), and
//! `{Ref: AWS::NoValue}`. Every reader borrows from the template and allocates nothing.

use crate::json::{Map, Value};

use super::names::{GET_ATT, IF, JOIN, NO_VALUE, PSEUDO_PARAMETERS, REF, SUB};

/// The key and argument of a one-member object, the shape of every intrinsic function.
pub fn single_key(value: &Value) -> Option<(&str, &Value)> {
    match value {
        Value::Object(obj) if obj.len() == 1 => obj.iter().next().map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

/// [`single_key`], for a value about to be rewritten.
pub fn single_key_mut(value: &mut Value) -> Option<(&str, &mut Value)> {
    match value {
        Value::Object(obj) if obj.len() == 1 => obj.iter_mut().next().map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

/// The name a `{Ref: Name}` names: a logical ID, a parameter or a pseudo parameter.
pub fn ref_target(value: &Value) -> Option<&str> {
    match single_key(value) {
        Some((REF, Value::String(name))) => Some(name),
        _ => None,
    }
}

/// `{Ref: AWS::NoValue}`, which a `Fn::If` branch uses to drop a property or list item.
pub fn is_no_value(value: &Value) -> bool {
    ref_target(value) == Some(NO_VALUE)
}

/// Whether `name` is one of CloudFormation's pseudo parameters (`AWS::Region`, …).
pub fn is_pseudo_parameter(name: &str) -> bool {
    PSEUDO_PARAMETERS.contains(&name)
}

/// `(logical ID, attribute)` of a `Fn::GetAtt` argument: `[Id, Attr]` (two strings), or `"Id.Attr"`
/// split at its first dot (a logical ID has none; an attribute may).
pub fn get_att_parts(arg: &Value) -> Option<(&str, &str)> {
    match arg {
        Value::Array(items) => match items.as_slice() {
            [Value::String(id), Value::String(attribute)] => Some((id, attribute)),
            _ => None,
        },
        Value::String(dotted) => dotted.split_once('.'),
        _ => None,
    }
}

/// The logical ID a `Fn::GetAtt` argument names, as the dependency graph reads it whatever its
/// attribute: the first item of the list form, the text before the first dot of the string form (all
/// of it when it has none).
pub fn get_att_target(arg: &Value) -> Option<&str> {
    match arg {
        Value::Array(items) => items.first()?.as_str(),
        Value::String(dotted) => Some(dotted.split_once('.').map_or(dotted.as_str(), |(id, _)| id)),
        _ => None,
    }
}

/// The logical ID a `Ref` or either `Fn::GetAtt` form names, whatever the attribute, given the
/// intrinsic's key and argument: the string form of `Fn::GetAtt` needs its dot, unlike
/// [`get_att_target`] (the dependency graph's reading).
pub fn ref_or_get_att_target<'a>(key: &str, arg: &'a Value) -> Option<&'a str> {
    match (key, arg) {
        (REF, Value::String(id)) => Some(id),
        (GET_ATT, Value::String(_)) => get_att_parts(arg).map(|(id, _)| id),
        (GET_ATT, _) => get_att_target(arg),
        _ => None,
    }
}

/// The text and the variable map of a `Fn::Sub` argument: `"text"`, or `["text", {Var: value}]`.
pub fn sub_parts(arg: &Value) -> Option<(&str, Option<&Map>)> {
    match arg {
        Value::String(text) => Some((text, None)),
        Value::Array(items) => Some((items.first()?.as_str()?, sub_variables(arg))),
        _ => None,
    }
}

/// The variable map of a list-form `Fn::Sub` argument (its second item), text or not.
pub fn sub_variables(arg: &Value) -> Option<&Map> {
    match arg {
        Value::Array(items) => items.get(1)?.as_object(),
        _ => None,
    }
}

/// One `${name}` of a `Fn::Sub` string: `name` between the braces, and the byte range of the whole
/// placeholder, braces included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub name: &'a str,
    pub start: usize,
    pub end: usize,
}

impl<'a> Placeholder<'a> {
    /// The logical ID or parameter the placeholder names: its name up to the first dot.
    pub fn target(&self) -> &'a str {
        self.name.split_once('.').map_or(self.name, |(id, _)| id)
    }

    /// The attribute of a `${Id.Attribute}` placeholder.
    pub fn attribute(&self) -> Option<&'a str> {
        self.name.split_once('.').map(|(_, attribute)| attribute)
    }
}

/// The placeholders of a `Fn::Sub` string in order, without the `${!Literal}` escapes. A `${` that
/// no `}` closes ends the search.
pub fn placeholders(text: &str) -> Placeholders<'_> {
    Placeholders { text, at: 0 }
}

/// The iterator of [`placeholders`].
#[derive(Debug, Clone)]
pub struct Placeholders<'a> {
    text: &'a str,
    /// Where the search goes on.
    at: usize,
}

impl<'a> Iterator for Placeholders<'a> {
    type Item = Placeholder<'a>;

    fn next(&mut self) -> Option<Placeholder<'a>> {
        let bytes = self.text.as_bytes();
        loop {
            let Some(start) = placeholder_start(&bytes[self.at..]).map(|i| self.at + i) else {
                self.at = bytes.len();
                return None;
            };
            // A byte search: the `}` is a few bytes on, closer than a `find`'s set-up pays for.
            let Some(len) = bytes[start..].iter().position(|&b| b == b'}') else {
                self.at = bytes.len();
                return None;
            };
            let end = start + len + 1;
            self.at = end;
            let name = &self.text[start + 2..end - 1];
            if !name.starts_with('!') {
                return Some(Placeholder { name, start, end });
            }
        }
    }
}

/// Where the next `${` of `bytes` starts. A search for the `$` alone: most `Fn::Sub` strings hold a
/// few placeholders, and the substring searcher's set-up cost more than the search.
fn placeholder_start(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| b == b'$') {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Calls `found` with the logical ID (or parameter) behind every placeholder of a `Fn::Sub` string
/// whose name the variable map `vars` does not hold.
pub fn sub_references<'a>(text: &'a str, vars: Option<&Map>, found: &mut impl FnMut(&'a str)) {
    for placeholder in placeholders(text) {
        if !vars.is_some_and(|vars| vars.contains_key(placeholder.name)) {
            found(placeholder.target());
        }
    }
}

/// The name when `text` is one placeholder and nothing else (`${Fn}`, `${Fn.Arn}`).
pub fn sole_placeholder(text: &str) -> Option<&str> {
    let name = text.strip_prefix("${")?.strip_suffix('}')?;
    (!name.contains(['$', '{', '}']) && !name.starts_with('!')).then_some(name)
}

/// `{Fn::Join: [delimiter, items]}`.
pub fn join(delimiter: &str, items: Vec<Value>) -> Value {
    one_member(JOIN, Value::Array(vec![delimiter.into(), Value::Array(items)]))
}

/// Where a string may name a Lambda function by its name (docs/rewiring.md, literal names): the whole
/// string, and the name after each `function:` that starts an ARN's resource part (`arn:…:function:`,
/// or the partial ARN `123456789012:function:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameAt<'a> {
    /// The name as written: function-name characters, and in a `Fn::Sub` string whole placeholders.
    pub name: &'a str,
    /// Where the name ends in the string, which is where a qualifier would go.
    pub end: usize,
    /// A qualifier (`:…`) or a wildcard follows: the author chose what the reference names.
    pub qualified: bool,
}

/// The places of `text` that may name a function (see [`NameAt`]); `sub` says `text` is a `Fn::Sub`
/// string, whose placeholders may be part of the name (`${AWS::StackName}-worker`). Linear in `text`.
pub fn function_names(text: &str, sub: bool) -> Vec<NameAt<'_>> {
    const MARK: &str = "function:";
    let bytes = text.as_bytes();
    let mut found = vec![NameAt { name: text, end: text.len(), qualified: false }];
    let mut from = 0;
    while let Some(i) = text[from..].find(MARK) {
        let at = from + i;
        from = at + MARK.len();
        if at > 0 && bytes[at - 1] != b':' {
            continue;
        }
        let start = from;
        let mut end = start;
        while end < bytes.len() {
            match bytes[end] {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => end += 1,
                b'$' if sub && bytes.get(end + 1) == Some(&b'{') => {
                    match bytes[end..].iter().position(|&b| b == b'}') {
                        Some(len) => end += len + 1,
                        None => break,
                    }
                }
                _ => break,
            }
        }
        if end > start {
            let qualified = matches!(bytes.get(end), Some(b':' | b'*' | b'?'));
            found.push(NameAt { name: &text[start..end], end, qualified });
        }
        from = end.max(from);
    }
    found
}

/// `{Ref: id}`.
pub fn ref_to(id: &str) -> Value {
    one_member(REF, id.into())
}

/// `{Fn::GetAtt: [id, attribute]}`.
pub fn get_att(id: &str, attribute: &str) -> Value {
    one_member(GET_ATT, Value::Array(vec![id.into(), attribute.into()]))
}

/// `{Fn::Sub: text}`.
pub fn sub(text: impl Into<Value>) -> Value {
    one_member(SUB, text.into())
}

/// `{Ref: AWS::NoValue}`.
pub fn no_value() -> Value {
    ref_to(NO_VALUE)
}

/// `{Fn::If: [condition, then, otherwise]}`.
pub fn if_(condition: impl Into<Value>, then: Value, otherwise: Value) -> Value {
    one_member(IF, Value::Array(vec![condition.into(), then, otherwise]))
}

/// An object of one member: built directly, as `json!` would go through the serializer.
fn one_member(key: &str, value: Value) -> Value {
    let mut map = Map::with_capacity(1);
    map.insert(key, value);
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn names(text: &str) -> Vec<&str> {
        placeholders(text).map(|p| p.name).collect()
    }

    #[test]
    fn placeholders_skip_escapes_and_stop_at_an_unclosed_one() {
        assert_eq!(names("a${X}b${!Lit}c${Y.Arn}${AWS::Region}$x${"), ["X", "Y.Arn", "AWS::Region"]);
        assert_eq!(names("${A}${B"), ["A"]);
        let first = placeholders("ab${C.Arn}:x").next().unwrap();
        assert_eq!((first.start, first.end, first.target(), first.attribute()), (2, 10, "C", Some("Arn")));
    }

    #[test]
    fn function_names_are_read_where_an_arn_puts_them() {
        let read = |text: &'static str, sub: bool| -> Vec<(&'static str, bool)> {
            function_names(text, sub).into_iter().skip(1).map(|at| (at.name, at.qualified)).collect()
        };
        // The whole text comes first, always.
        assert_eq!(function_names("worker", false)[0].name, "worker");
        assert_eq!(read("arn:aws:lambda:us-east-1:123456789012:function:worker", false), [("worker", false)]);
        assert_eq!(read("123456789012:function:worker", false), [("worker", false)]);
        assert_eq!(read("arn:aws:lambda:r:1:function:worker:Live", false), [("worker", true)]);
        assert_eq!(read("arn:aws:lambda:r:1:function:worker*", false), [("worker", true)]);
        // An integration URI: the name ends at the path.
        assert_eq!(
            read(
                "arn:aws:apigateway:r:lambda:path/functions/arn:aws:lambda:r:1:function:w/invocations",
                false
            ),
            [("w", false)]
        );
        // In a `Fn::Sub`, placeholders are part of the name; in a literal they are not.
        assert_eq!(
            read(
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-w",
                true
            ),
            [("${AWS::StackName}-w", false)]
        );
        assert_eq!(read("x:function:${Stage}-w", false), []);
        // Not an ARN's `function:`.
        assert_eq!(read("myfunction:worker", false), []);
        assert_eq!(read("a:function:b, c:function:d", false), [("b", false), ("d", false)]);
    }

    #[test]
    fn both_get_att_forms_read_alike() {
        assert_eq!(get_att_parts(&json!(["A", "Arn"])), Some(("A", "Arn")));
        assert_eq!(get_att_parts(&json!("A.Endpoint.Address")), Some(("A", "Endpoint.Address")));
        assert_eq!(get_att_parts(&json!("A")), None);
        assert_eq!(get_att_target(&json!("A")), Some("A"));
        assert_eq!(get_att_target(&json!(["A"])), Some("A"));
        assert_eq!(ref_or_get_att_target(REF, &json!("A")), Some("A"));
        assert_eq!(ref_or_get_att_target(REF, &json!(["A"])), None);
        assert_eq!(ref_or_get_att_target(GET_ATT, &json!("A.Version")), Some("A"));
        assert_eq!(ref_or_get_att_target(GET_ATT, &json!("A")), None);
        assert_eq!(ref_or_get_att_target(GET_ATT, &json!(["A"])), Some("A"));
    }

    #[test]
    fn variables_shadow_placeholders() {
        let vars = json!({"B": "x"});
        let mut found = Vec::new();
        sub_references("${A}-${B}-${!C}-${D.Arn}", vars.as_object(), &mut |id| found.push(id));
        assert_eq!(found, ["A", "D"]);
    }

    #[test]
    fn builders_make_what_readers_read() {
        assert_eq!(ref_target(&ref_to("X")), Some("X"));
        assert!(is_no_value(&no_value()));
        assert_eq!(get_att("X", "Arn"), json!({"Fn::GetAtt": ["X", "Arn"]}));
        assert_eq!(sole_placeholder("${Fn.Arn}"), Some("Fn.Arn"));
        assert_eq!(sole_placeholder("${A}${B}"), None);
    }
}
