//! The tree must read, change and write templates exactly as serde_json's (with `preserve_order`)
//! did: users diff the macro's output, and every golden file was written through serde_json.

use proptest::prelude::*;

use super::{from_str_strict, get, get_str, nesting_depth, Map, Value};

#[test]
fn finds_members_of_small_and_large_objects_alike() {
    let small = crate::json!({"Type": "AWS::SNS::Topic", "Properties": {"A": 1}});
    let large: Map = (0..40).map(|i| (format!("K{i}"), Value::from(i))).collect();
    let large = Value::Object(large);
    assert_eq!(get_str(&small, "Type"), Some("AWS::SNS::Topic"));
    assert_eq!(get(&small, "Missing"), None);
    assert_eq!(get(&large, "K33"), Some(&Value::from(33)));
    assert_eq!(get(&crate::json!([1]), "Type"), None);
    let mut small = small;
    *small.get_mut("Type").unwrap() = "X".into();
    assert_eq!(small["Type"], "X");
}

#[test]
fn depth_ignores_brackets_inside_strings() {
    assert_eq!(nesting_depth(r#"{"a": "[[[{{{", "b": [1, {"c": "\"]"}]}"#), 3);
    assert_eq!(nesting_depth("[]"), 1);
    assert_eq!(nesting_depth("3"), 0);
}

#[test]
fn strict_reading_refuses_a_repeated_key_and_reads_the_rest_alike() {
    let err = from_str_strict(r#"{"a": 1, "b": {"c": 2, "c": 3}}"#).unwrap_err();
    assert!(err.is_data(), "{err}");
    assert_eq!(err.to_string(), "duplicate key `c` at line 1 column 26");
    for text in ROUND_TRIPS {
        let lenient: Value = serde_json::from_str(text).unwrap();
        assert_eq!(from_str_strict(text).unwrap(), lenient, "{text}");
    }
    assert!(from_str_strict("{} x").unwrap_err().is_syntax());
}

/// Text serde_json must write back byte for byte: escapes, unicode, every number form, long and
/// short strings on both sides of the inline limit, empty containers, and a repeated key.
const ROUND_TRIPS: &[&str] = &[
    r#"{"a":1,"b":-2,"c":1.5,"d":1e300,"e":18446744073709551615,"f":-9223372036854775808,"g":0.1}"#,
    r#"{"esc":"quote \" backslash \\ tab \t newline \n nul \u0000 bell \u0007","uni":"héllo 日本 😀 \u2028"}"#,
    r#"{"short":"exactly 24 bytes long!!","long":"twenty-five bytes long!!!","empty":""}"#,
    r#"[[],{},[{}],{"a":[]},null,true,false]"#,
    r#"{"Resources":{"B":{"Type":"T"},"A":{"Type":"U"}},"Outputs":{}}"#,
];

#[test]
fn text_round_trips_as_serde_json_writes_it() {
    for text in ROUND_TRIPS {
        let ours: Value = serde_json::from_str(text).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap(), "{text}");
        assert_eq!(
            serde_json::to_string_pretty(&ours).unwrap(),
            serde_json::to_string_pretty(&theirs).unwrap()
        );
        assert_eq!(ours, theirs);
        assert_eq!(serde_json::Value::from(ours.clone()), theirs);
        assert_eq!(Value::from(theirs), ours);
    }
}

#[test]
fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
    let text = r#"{"a":1,"b":2,"a":3}"#;
    let ours: Value = serde_json::from_str(text).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(serde_json::to_string(&ours).unwrap(), r#"{"a":3,"b":2}"#);
    assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
    // The same in an object large enough to be read into an indexed map, repeats on both sides of
    // the switch.
    let members: Vec<String> = (0..40).map(|i| format!(r#""K{}":{i}"#, i % 30)).collect();
    let text = format!("{{{}}}", members.join(","));
    let ours: Value = serde_json::from_str(&text).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
    assert_eq!(ours["K3"], 33);
}

#[test]
fn object_equality_ignores_member_order_as_serde_json_does() {
    let a: Value = serde_json::from_str(r#"{"x":1,"y":[1,2]}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"y":[1,2],"x":1}"#).unwrap();
    let c: Value = serde_json::from_str(r#"{"y":[2,1],"x":1}"#).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn indexing_and_pointers_behave_as_serde_json() {
    let mut v = crate::json!({"a": {"b/c": [10, {"d~e": true}]}});
    assert_eq!(v.pointer("/a/b~1c/1/d~0e"), Some(&Value::Bool(true)));
    assert_eq!(v.pointer("/a/b~1c/7"), None);
    assert_eq!(v.pointer(""), Some(&v.clone()));
    assert!(v["missing"]["deeper"][3].is_null());
    v["new"] = "x".into();
    assert_eq!(v["new"], "x");
    let mut null = Value::Null;
    null["k"] = 1.into();
    assert_eq!(null, crate::json!({"k": 1}));
    assert_eq!(v.to_string(), serde_json::to_string(&serde_json::Value::from(v.clone())).unwrap());
}

/// One operation of the model test below.
#[derive(Debug, Clone)]
enum Op {
    Insert(u8, i64),
    Remove(u8),
    ShiftRemove(u8),
    Entry(u8, i64),
    Retain(u8),
    Rename(u8, u8),
}

fn key(k: u8) -> String {
    // Short and long keys, so both inline and heap strings are hashed and compared.
    if k % 3 == 0 {
        format!("a-key-long-enough-to-live-on-the-heap-{k}")
    } else {
        format!("K{k}")
    }
}

fn op() -> impl Strategy<Value = Op> {
    // Up to 48 distinct keys: maps cross the size where the hash index starts, both ways.
    prop_oneof![
        4 => (0..48u8, any::<i64>()).prop_map(|(k, v)| Op::Insert(k, v)),
        1 => (0..48u8).prop_map(Op::Remove),
        1 => (0..48u8).prop_map(Op::ShiftRemove),
        1 => (0..48u8, any::<i64>()).prop_map(|(k, v)| Op::Entry(k, v)),
        1 => (2..7u8).prop_map(Op::Retain),
        1 => (0..48u8, 0..48u8).prop_map(|(a, b)| Op::Rename(a, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any sequence of changes leaves the same members, in the same order, as serde_json's `Map`
    /// (whose `remove` is `swap_remove` under `preserve_order`), and every key is found.
    #[test]
    fn map_matches_serde_json_map(ops in prop::collection::vec(op(), 0..200), capacity in 0..40usize) {
        let mut ours = Map::with_capacity(capacity);
        let mut theirs = serde_json::Map::new();
        for op in ops {
            match op {
                Op::Insert(k, v) => {
                    let a = ours.insert(key(k), v.into());
                    let b = theirs.insert(key(k), v.into());
                    prop_assert_eq!(a.map(serde_json::Value::from), b);
                }
                Op::Remove(k) => {
                    let a = ours.remove(&key(k));
                    let b = theirs.remove(&key(k));
                    prop_assert_eq!(a.map(serde_json::Value::from), b);
                }
                Op::ShiftRemove(k) => {
                    let a = ours.shift_remove(&key(k));
                    let b = theirs.shift_remove(&key(k));
                    prop_assert_eq!(a.map(serde_json::Value::from), b);
                }
                Op::Entry(k, v) => {
                    *ours.entry(key(k)).or_insert(0.into()) = v.into();
                    *theirs.entry(key(k)).or_insert(0.into()) = v.into();
                }
                Op::Rename(a, b) => {
                    let renames = theirs.contains_key(&key(a)) && !theirs.contains_key(&key(b));
                    prop_assert_eq!(ours.rename_key(&key(a), key(b)), renames);
                    if renames {
                        theirs = std::mem::take(&mut theirs)
                            .into_iter()
                            .map(|(k, v)| (if k == key(a) { key(b) } else { k }, v))
                            .collect();
                    }
                }
                Op::Retain(m) => {
                    ours.retain(|_, v| v.as_i64().unwrap_or(0) % i64::from(m) != 0);
                    theirs.retain(|_, v| v.as_i64().unwrap_or(0) % i64::from(m) != 0);
                }
            }
            let ours_keys: Vec<&str> = ours.keys().map(|k| k.as_str()).collect();
            let theirs_keys: Vec<&str> = theirs.keys().map(String::as_str).collect();
            prop_assert_eq!(ours_keys, theirs_keys);
        }
        for (k, v) in &theirs {
            let found = ours.get(k).cloned().map(serde_json::Value::from);
            prop_assert_eq!(found.as_ref(), Some(v));
        }
        for k in 0..48 {
            prop_assert_eq!(ours.contains_key(&key(k)), theirs.contains_key(&key(k)));
        }
        prop_assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
    }
}
