//! Reading templates: CloudFormation's short-form tags, the YAML a CloudFormation user writes, JSON,
//! and every way a template can be refused (with its line and column).
//!
//! Each case goes through `source::parse`, the function `expand`, `validate` and `plan` all use, and
//! shows the result as pretty JSON (or the error lines) in an `expect!` block.
//! Re-bless with `UPDATE_EXPECT=1 cargo test -p canary-deployments --test yaml`.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use canary_deployments::source::{self, SourceError};
use canary_deployments::{emit, yaml};
use canary_engine::json::Value;
use canary_test_support::{require_tool, sorted_entries, PYYAML};
use expect_test::{expect, Expect};

fn read(text: &str) -> Result<Value, Vec<String>> {
    source::parse("t.yaml", text.as_bytes()).map_err(|e| match e {
        SourceError::Template(lines) => lines,
        SourceError::Io(line) => vec![format!("I/O: {line}")],
    })
}

fn check(text: &str, expect: Expect) {
    let actual = match read(text) {
        Ok(value) => serde_json::to_string_pretty(&value).unwrap(),
        Err(lines) => lines.join("\n"),
    };
    expect.assert_eq(&actual);
}

/// One line of JSON for a YAML value, for compact expectations.
fn check_line(text: &str, expect: Expect) {
    let actual = match read(text) {
        Ok(value) => serde_json::to_string(&value).unwrap(),
        Err(lines) => lines.join("\n"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn every_short_form_tag_becomes_its_long_form() {
    check_line(
        r##"
Ref: !Ref Bucket
Condition: !Condition IsProd
GetAtt: !GetAtt Fn.Arn
GetAttList: !GetAtt [Fn, Arn]
Sub: !Sub "arn:${AWS::Partition}:s3:::${Bucket}"
SubList: !Sub ["${A}-x", {A: !Ref Stage}]
Join: !Join [",", [a, b]]
Select: !Select [1, !GetAZs ""]
Split: !Split [",", "a,b"]
If: !If [IsProd, 1, !Ref AWS::NoValue]
Equals: !Equals [!Ref Stage, prod]
Not: !Not [!Condition IsProd]
And: !And [!Condition A, !Condition B]
Or: !Or [!Condition A, !Condition B]
FindInMap: !FindInMap [Map, !Ref AWS::Region, Ami]
Base64: !Base64 "#!/bin/bash"
Cidr: !Cidr ["10.0.0.0/16", 4, 8]
GetAZs: !GetAZs us-east-1
ImportValue: !ImportValue SharedVpc
Transform: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
Length: !Length [a, b]
ToJsonString: !ToJsonString {a: 1}
Contains: !Contains [[a, b], !Ref P]
EachMemberEquals: !EachMemberEquals [!RefAll AWS::EC2::VPC::Id, x]
EachMemberIn: !EachMemberIn [!ValueOfAll [AWS::EC2::Subnet::Id, VpcId], !RefAll AWS::EC2::VPC::Id]
ValueOf: !ValueOf [P, VpcId]
"##,
        expect![[
            r##"{"Ref":{"Ref":"Bucket"},"Condition":{"Condition":"IsProd"},"GetAtt":{"Fn::GetAtt":["Fn","Arn"]},"GetAttList":{"Fn::GetAtt":["Fn","Arn"]},"Sub":{"Fn::Sub":"arn:${AWS::Partition}:s3:::${Bucket}"},"SubList":{"Fn::Sub":["${A}-x",{"A":{"Ref":"Stage"}}]},"Join":{"Fn::Join":[",",["a","b"]]},"Select":{"Fn::Select":[1,{"Fn::GetAZs":""}]},"Split":{"Fn::Split":[",","a,b"]},"If":{"Fn::If":["IsProd",1,{"Ref":"AWS::NoValue"}]},"Equals":{"Fn::Equals":[{"Ref":"Stage"},"prod"]},"Not":{"Fn::Not":[{"Condition":"IsProd"}]},"And":{"Fn::And":[{"Condition":"A"},{"Condition":"B"}]},"Or":{"Fn::Or":[{"Condition":"A"},{"Condition":"B"}]},"FindInMap":{"Fn::FindInMap":["Map",{"Ref":"AWS::Region"},"Ami"]},"Base64":{"Fn::Base64":"#!/bin/bash"},"Cidr":{"Fn::Cidr":["10.0.0.0/16",4,8]},"GetAZs":{"Fn::GetAZs":"us-east-1"},"ImportValue":{"Fn::ImportValue":"SharedVpc"},"Transform":{"Fn::Transform":{"Name":"AWS::Include","Parameters":{"Location":"s3://b/k"}}},"Length":{"Fn::Length":["a","b"]},"ToJsonString":{"Fn::ToJsonString":{"a":1}},"Contains":{"Fn::Contains":[["a","b"],{"Ref":"P"}]},"EachMemberEquals":{"Fn::EachMemberEquals":[{"Fn::RefAll":"AWS::EC2::VPC::Id"},"x"]},"EachMemberIn":{"Fn::EachMemberIn":[{"Fn::ValueOfAll":["AWS::EC2::Subnet::Id","VpcId"]},{"Fn::RefAll":"AWS::EC2::VPC::Id"}]},"ValueOf":{"Fn::ValueOf":["P","VpcId"]}}"##
        ]],
    );
}

#[test]
fn every_tag_in_the_table_is_read() {
    // The table drives both reading and the error message; each entry must round-trip through it.
    for (short, long) in yaml::SHORT_FORMS {
        let value = read(&format!("K: !{short} x.y\n")).unwrap();
        assert!(value["K"].get(long).is_some(), "!{short} should become {long}: {value}");
    }
}

#[test]
fn getatt_splits_at_the_first_dot_like_cloudformation() {
    // Nested-stack outputs and attributes such as `Endpoint.Address` keep their dots.
    check_line(
        "A: !GetAtt Db.Endpoint.Address\nB: !GetAtt Stack.Outputs.VpcId\nC: !GetAtt [Stack, Outputs.VpcId]\n",
        expect![[
            r#"{"A":{"Fn::GetAtt":["Db","Endpoint.Address"]},"B":{"Fn::GetAtt":["Stack","Outputs.VpcId"]},"C":{"Fn::GetAtt":["Stack","Outputs.VpcId"]}}"#
        ]],
    );
    check_line(
        "A: !GetAtt NoAttribute\n",
        expect!["t.yaml:1:4: !GetAtt `NoAttribute` has no attribute; write `!GetAtt LogicalId.Attribute` or `!GetAtt [LogicalId, Attribute]`"],
    );
}

#[test]
fn tags_on_block_collections_and_nested_tags() {
    check(
        r#"
Value: !Join
  - ""
  - - "arn:"
    - !Ref AWS::Partition
    - !If
      - IsProd
      - !Sub
        - "${Name}-prod"
        - Name: !GetAtt Fn.Arn
      - !Ref AWS::NoValue
"#,
        expect![[r#"
            {
              "Value": {
                "Fn::Join": [
                  "",
                  [
                    "arn:",
                    {
                      "Ref": "AWS::Partition"
                    },
                    {
                      "Fn::If": [
                        "IsProd",
                        {
                          "Fn::Sub": [
                            "${Name}-prod",
                            {
                              "Name": {
                                "Fn::GetAtt": [
                                  "Fn",
                                  "Arn"
                                ]
                              }
                            }
                          ]
                        },
                        {
                          "Ref": "AWS::NoValue"
                        }
                      ]
                    }
                  ]
                ]
              }
            }"#]],
    );
}

#[test]
fn scalars_follow_the_yaml_1_2_core_schema() {
    check_line(
        r#"
int: 30
negative: -5
float: 1.5
exp: 1e3
hex: 0x1F
octal: 0o17
bool: true
True: True
null: ~
empty:
yes: yes
no: no
on: on
off: off
date: 2012-10-17
version: "1.0"
quoted_int: "30"
single: 'true'
account: 012345678901
huge: 123456789012345678901234567890
inf: .inf
tagged_ref: !Ref 123
str_tag: !!str 42
int_tag: !!int "42"
"#,
        expect![[
            r#"{"int":30,"negative":-5,"float":1.5,"exp":1000.0,"hex":31,"octal":15,"bool":true,"True":true,"null":null,"empty":null,"yes":"yes","no":"no","on":"on","off":"off","date":"2012-10-17","version":"1.0","quoted_int":"30","single":"true","account":"012345678901","huge":"123456789012345678901234567890","inf":".inf","tagged_ref":{"Ref":"123"},"str_tag":"42","int_tag":42}"#
        ]],
    );
}

#[test]
fn block_scalars_keep_their_text() {
    check_line(
        "Literal: |\n  line 1\n    indented\n  line 3\nFolded: >-\n  one\n  two\nKeep: |+\n  x\n\nNext: 1\n",
        expect![[r#"{"Literal":"line 1\n  indented\nline 3\n","Folded":"one two","Keep":"x\n\n","Next":1}"#]],
    );
}

#[test]
fn anchors_aliases_and_merge_keys_are_resolved() {
    check_line(
        r#"
Defaults: &defaults
  Runtime: python3.12
  Timeout: 10
Tags: &tags [a, !Ref Stage]
A:
  <<: *defaults
  Timeout: 30
  Tags: *tags
B:
  Handler: x
  <<: [{Timeout: 1}, *defaults]
"#,
        expect![[
            r#"{"Defaults":{"Runtime":"python3.12","Timeout":10},"Tags":["a",{"Ref":"Stage"}],"A":{"Runtime":"python3.12","Timeout":30,"Tags":["a",{"Ref":"Stage"}]},"B":{"Runtime":"python3.12","Timeout":1,"Handler":"x"}}"#
        ]],
    );
}

#[test]
fn a_merge_key_takes_only_mappings() {
    check(
        "A:\n  <<: [1, 2]\n  B: 1\n",
        expect!["t.yaml:2:3: a merge key `<<` takes a mapping or a list of mappings (usually an alias such as `*defaults`)"],
    );
}

#[test]
fn key_order_is_kept() {
    check_line(
        "Zeta: 1\nAlpha: 2\nMid: {z: 1, a: 2}\n",
        expect![[r#"{"Zeta":1,"Alpha":2,"Mid":{"z":1,"a":2}}"#]],
    );
}

#[test]
fn duplicate_keys_are_errors_with_their_line() {
    check(
        "Resources:\n  Fn:\n    Type: A\n  Other: {}\n  Fn:\n    Type: B\nOutputs: {a: 1, a: 2}\n",
        expect![[r#"
            t.yaml:5:3: duplicate key `Fn` (first given at line 2)
            t.yaml:7:17: duplicate key `a` (first given at line 7)"#]],
    );
}

#[test]
fn unknown_tags_are_errors_with_their_line_all_at_once() {
    check(
        "A: !Reff Bucket\nB:\n  - !Custom [x]\nC: !!binary aGVsbG8=\n",
        expect![[r#"
            t.yaml:1:4: unknown tag `!Reff`; CloudFormation's short forms are !Ref, !Condition, !GetAtt, !Sub, !Join, !Select, !Split, !If, !Equals, !Not, !And, !Or, !FindInMap, !Base64, !Cidr, !GetAZs, !ImportValue, !Transform, !Length, !ToJsonString, !Contains, !EachMemberEquals, !EachMemberIn, !RefAll, !ValueOf, !ValueOfAll (did you mean `!Ref`?)
            t.yaml:3:5: unknown tag `!Custom`; CloudFormation's short forms are !Ref, !Condition, !GetAtt, !Sub, !Join, !Select, !Split, !If, !Equals, !Not, !And, !Or, !FindInMap, !Base64, !Cidr, !GetAZs, !ImportValue, !Transform, !Length, !ToJsonString, !Contains, !EachMemberEquals, !EachMemberIn, !RefAll, !ValueOf, !ValueOfAll
            t.yaml:4:4: unknown tag `!!binary`; CloudFormation's short forms are !Ref, !Condition, !GetAtt, !Sub, !Join, !Select, !Split, !If, !Equals, !Not, !And, !Or, !FindInMap, !Base64, !Cidr, !GetAZs, !ImportValue, !Transform, !Length, !ToJsonString, !Contains, !EachMemberEquals, !EachMemberIn, !RefAll, !ValueOf, !ValueOfAll"#]],
    );
}

#[test]
fn an_unknown_tag_on_a_block_collection_points_at_the_tag() {
    // The collection's content starts on the next line; the error names the tag's own line.
    let error = read("Conditions:\n  C: !Iff\n    - a\n    - b\n  D: !Foo\n    k: v\n").unwrap_err();
    let places: Vec<&str> = error.iter().map(|line| line.split(": ").next().unwrap()).collect();
    assert_eq!(places, ["t.yaml:2:6", "t.yaml:5:6"]);
}

#[test]
fn malformed_yaml_names_line_and_column() {
    check(
        "Resources:\n  Fn:\n    Type: [a, b\n  Other: 1\n",
        expect!["t.yaml:4:8: did not find expected ',' or ']' (while parsing a flow sequence from line 3, column 11)"],
    );
    check("A: 1\n B: 2\n", expect!["t.yaml:2:3: mapping values are not allowed in this context; line 2 is indented further than the key above it, which already has a value: indent it to the column of the keys it belongs with"]);
    check(
        "A: \"unterminated\n",
        expect!["t.yaml:1:4: found unexpected end of stream (while scanning a quoted scalar from line 1, column 4)"],
    );
}

#[test]
fn non_scalar_keys_are_errors() {
    check("? [a, b]\n: 1\n", expect!["t.yaml:1:3: a mapping key must be a string; CloudFormation does not accept lists, mappings or tagged values as keys"]);
}

#[test]
fn a_template_is_one_mapping() {
    check("", expect!["t.yaml:1:1: the template is empty"]);
    check(
        "just words\n",
        expect!["t.yaml: a template is a mapping with `Resources` at its top level, but this holds a string"],
    );
    check(
        "- a\n",
        expect!["t.yaml: a template is a mapping with `Resources` at its top level, but this holds a list"],
    );
    check(
        "A: 1\n---\nB: 2\n",
        expect![
            "t.yaml:2:1: the file holds more than one YAML document (`---`); a template is a single document"
        ],
    );
}

#[test]
fn nesting_past_the_depth_limit_is_refused_without_overflowing() {
    let max = canary_engine::limits::MAX_DEPTH;
    // Exactly at the limit is fine, in block style.
    let mut text = String::new();
    for i in 0..max {
        text.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
    }
    text.push_str(&format!("{}leaf: 1\n", "  ".repeat(max)));
    assert!(read(&text).is_err(), "{max} mappings plus a leaf mapping is {} levels", max + 1);
    let at_limit: String = (0..max - 1).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect::<String>()
        + &format!("{}leaf: 1\n", "  ".repeat(max - 1));
    assert!(read(&at_limit).is_ok(), "{max} levels are allowed");

    check(&text, expect!["t.yaml:101:201: the template nests deeper than 100 levels, which no CloudFormation template needs"]);
    // Flow style, far past anything a stack could take.
    check(
        &format!("A: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
        expect![
            "t.yaml:1:103: the template nests deeper than 100 levels, which no CloudFormation template needs"
        ],
    );
    // Tags count as a level, since each becomes a mapping: 60 of `!Not [` make 120 levels.
    check(
        &format!("A: {}x{}\n", "!Not [".repeat(60), "]".repeat(60)),
        expect![
            "t.yaml:1:298: the template nests deeper than 100 levels, which no CloudFormation template needs"
        ],
    );
    // JSON too.
    check(
        &format!("{{\"A\": {}{}}}", "[".repeat(120), "]".repeat(120)),
        expect!["t.yaml: the template nests deeper than 100 levels, which no CloudFormation template needs"],
    );
    check(
        &format!("{{\"A\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000)),
        expect![
            "t.yaml:1:106: the template nests deeper than 100 levels, which no CloudFormation template needs"
        ],
    );
}

#[test]
fn aliases_cannot_multiply_past_the_budget() {
    // The "billion laughs": each level doubles ten times; resolved, it would hold 10^9 values.
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
    }
    check(
        &text,
        expect!["t.yaml:6:5: anchors and aliases copy more than 2000000 values; the template is refused so that it cannot exhaust memory"],
    );
    // Anchors nested in anchors: each is kept as a copy, so 90 of them around 30 000 values would
    // hold 2.7 million copies.
    let nested = format!(
        "A: {}[{}]{}\n",
        (0..90).map(|i| format!("&n{i} [")).collect::<String>(),
        vec!["1"; 30_000].join(", "),
        "]".repeat(90)
    );
    check(
        &nested,
        expect!["t.yaml:1:132: anchors and aliases copy more than 2000000 values; the template is refused so that it cannot exhaust memory"],
    );
}

#[test]
fn json_is_read_as_json_and_refuses_duplicate_keys() {
    check_line(r#"{"B": 1, "A": [1.5, "x", null, true]}"#, expect![[r#"{"B":1,"A":[1.5,"x",null,true]}"#]]);
    check(r#"{"Resources": {"A": {}, "A": {}}}"#, expect!["t.yaml:1:27: duplicate key `A`"]);
    check("{\"Resources\": {\n  \"A\": {},,\n}}", expect!["t.yaml:2:11: invalid JSON: key must be a string"]);
}

#[test]
fn flow_yaml_that_starts_like_json_gets_yaml_errors() {
    // `{Resources: …}` is YAML, not broken JSON: its error is the YAML one.
    check("{Resources: {A: !Reff x}}", expect!["t.yaml:1:17: unknown tag `!Reff`; CloudFormation's short forms are !Ref, !Condition, !GetAtt, !Sub, !Join, !Select, !Split, !If, !Equals, !Not, !And, !Or, !FindInMap, !Base64, !Cidr, !GetAZs, !ImportValue, !Transform, !Length, !ToJsonString, !Contains, !EachMemberEquals, !EachMemberIn, !RefAll, !ValueOf, !ValueOfAll (did you mean `!Ref`?)"]);
}

#[test]
fn windows_line_endings_read_like_unix_ones() {
    check_line(
        "Resources:\r\n  A:\r\n    Code: |\r\n      line1\r\n      line2\r\n    N: 1\r\n",
        expect![[r#"{"Resources":{"A":{"Code":"line1\nline2\n","N":1}}}"#]],
    );
}

#[test]
fn a_utf8_bom_is_skipped_and_other_encodings_refused() {
    assert_eq!(source::parse("t", b"\xEF\xBB\xBFA: 1\n").unwrap(), serde_json::json!({"A": 1}));
    let Err(SourceError::Template(lines)) = source::parse("t.yaml", b"A: \xff\xfe\n") else {
        panic!("accepted")
    };
    expect!["t.yaml is not UTF-8 text (invalid byte at offset 3); CloudFormation templates are UTF-8"]
        .assert_eq(&lines.join("\n"));
}

#[test]
fn the_quickstart_reads_as_cfn_lint_reads_it() {
    // tests/data/quickstart.json is examples/quickstart.yaml as cfn-lint's own YAML decoder reads it
    // (cfnlint.decode.cfn_yaml), an independent reading of the short tags.
    let from_yaml = read(include_str!("../../../examples/quickstart.yaml")).unwrap();
    let reference: Value = serde_json::from_str(include_str!("data/quickstart.json")).unwrap();
    assert_eq!(from_yaml, reference);
    assert_eq!(
        from_yaml["Resources"].as_object().unwrap().keys().collect::<Vec<_>>(),
        reference["Resources"].as_object().unwrap().keys().collect::<Vec<_>>(),
        "resource order is kept"
    );
}

#[test]
fn yaml_output_reads_back_as_the_same_template() {
    let quickstart = read(include_str!("../../../examples/quickstart.yaml")).unwrap();
    assert_eq!(read(&emit::to_yaml(&quickstart)).unwrap(), quickstart);

    // Strings that a careless writer would turn into something else.
    let tricky = canary_engine::json!({
        "numbers": ["30", "1.5", "-1", ".5", "1e3", "0x1F", "012", "+1"],
        "words": ["yes", "No", "on", "OFF", "y", "n", "true", "null", "~", "", " "],
        "dates": ["2012-10-17", "12:30:00"],
        "indicators": ["- a", "? a", ": a", "#x", "&a", "*a", "!Ref x", "|", ">", "%", "@", "`", "'q'", "\"q\"", "{a}", "[a]"],
        "inner": ["a: b", "a #b", "a:", "trailing ", " leading", "tab\there", "a\\b"],
        "lines": ["one\ntwo", "one\ntwo\n", "one\n\n", " indented\nsecond", "crlf\r\nline", "\nleading newline", "x\n  deeper\n\nlast"],
        "unicode": ["héllo", "日本", "\u{2028}", "\u{85}", "\u{feff}", "\u{7f}", "\u{1}", "😀"],
        "keys": {"Fn::GetAtt": 1, "a: b": 2, "": 3, "1": 4, "yes": 5, "-x": 6},
        "empty": [{}, [], [[]], [{}]],
        "nested": [[1, [2, {"a": [3]}]], {"b": {"c": null}}],
        "numbers_as_numbers": [0, -7, 1.5, 1e300, 18446744073709551615u64, -9223372036854775808i64],
    });
    let text = emit::to_yaml(&tricky);
    assert_eq!(read(&text).unwrap(), tricky, "{text}");
}

#[test]
fn yaml_output_is_readable_block_style() {
    let value = read("A:\n  B: [1, {C: !GetAtt Fn.Arn}]\n  D: {}\n  Code: |\n    line\n").unwrap();
    expect![[r#"
        A:
          B:
            - 1
            - C:
                Fn::GetAtt:
                  - Fn
                  - Arn
          D: {}
          Code: |
            line
    "#]]
    .assert_eq(&emit::to_yaml(&value));
}

#[test]
fn flow_collections_may_continue_at_the_keys_indentation() {
    // libyaml (and so PyYAML, cfn-lint and CloudFormation) reads flow continuation lines at any
    // indentation; templates such as AWS's own WAF automations write them level with the key.
    check_line(
        "Resources:\n  Fn:\n    Properties:\n      Tags: [\n      {Key: team, Value: orders}\n      ]\n      Layers: [a,\n      b]\n      Env: {\n      A: 1\n      }\n",
        expect![[
            r#"{"Resources":{"Fn":{"Properties":{"Tags":[{"Key":"team","Value":"orders"}],"Layers":["a","b"],"Env":{"A":1}}}}}"#
        ]],
    );
}

#[test]
fn a_single_pair_mapping_inside_a_flow_sequence_is_read_without_an_earlier_flow_mapping() {
    // No `{…}` before it in the file: the pair must be read on its own.
    check_line(
        "Name: !Sub [\n    \"fn-${ID}\",\n    ID: !Select [2, !Split [\"/\", !Ref AWS::StackId]],\n  ]\nPairs: [a, k: v, b]\n",
        expect![[
            r#"{"Name":{"Fn::Sub":["fn-${ID}",{"ID":{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}}]},"Pairs":["a",{"k":"v"},"b"]}"#
        ]],
    );
}

#[test]
fn a_block_scalar_at_the_end_of_a_file_without_a_line_break_gains_none() {
    // Clipping keeps the final line break only when there is one, as libyaml reads it.
    check_line("Doc: |\n  a", expect![[r#"{"Doc":"a"}"#]]);
    check_line("Doc: >\n  a\n  b", expect![[r#"{"Doc":"a b"}"#]]);
    check_line("Doc: |+\n  a", expect![[r#"{"Doc":"a"}"#]]);
    check_line("Doc: |\n  a\n", expect![[r#"{"Doc":"a\n"}"#]]);
}

#[test]
fn a_tab_in_the_indentation_names_its_line_and_says_to_use_spaces() {
    let tab = "t.yaml:2:1: line 2 is indented with a tab; tabs are not allowed for indentation in YAML: indent with spaces";
    check(
        "Resources:\n\tFn: 1\n",
        expect![[
            r#"t.yaml:2:1: line 2 is indented with a tab; tabs are not allowed for indentation in YAML: indent with spaces"#
        ]],
    );
    assert_eq!(read("A: x\n\tB: 1\n").unwrap_err(), [tab]);
    assert_eq!(read("A: |\n\tx\n").unwrap_err(), [tab]);
    // After spaces: the column is the tab's.
    check("A:\n  B:\n  \t- x\n", expect!["t.yaml:3:3: line 3 is indented with a tab; tabs are not allowed for indentation in YAML: indent with spaces"]);
    // A tab inside a line (not indentation) is fine, as YAML allows it there.
    check_line("A: 1 \t\nB:\t2\n", expect![[r#"{"A":1,"B":2}"#]]);
}

#[test]
fn a_bad_indent_names_its_line_and_says_what_to_line_up() {
    check(
        "Resources:\n  Fn:\n    Type: A\n   Properties: {}\n",
        expect!["t.yaml:4:4: did not find expected key (while parsing a block mapping from line 2, column 3); line 4 (column 4) is not lined up with the mapping or list around it: indent it to the column of the keys or `-` items it belongs with"],
    );
    check(
        "Resources:\n    Fn: 1\n  Other: 2\n",
        expect!["t.yaml:3:3: did not find expected key (while parsing a block mapping from line 1, column 1); line 3 (column 3) is not lined up with the mapping or list around it: indent it to the column of the keys or `-` items it belongs with"],
    );
    check(
        "A:\n  - a\n - b\n",
        expect!["t.yaml:3:2: did not find expected key (while parsing a block mapping from line 1, column 1); line 3 (column 2) is not lined up with the mapping or list around it: indent it to the column of the keys or `-` items it belongs with"],
    );
    check("Resources:\n  Fn:\n    Type: A\n      Properties: {}\n", expect!["t.yaml:4:17: mapping values are not allowed in this context; line 4 is indented further than the key above it, which already has a value: indent it to the column of the keys it belongs with"]);
    // Not an indent: a value holding `: ` needs quotes.
    check(
        "A: b: c\n",
        expect!["t.yaml:1:5: mapping values are not allowed in this context; a plain value cannot contain `: `: quote it (`Key: \"a: b\"`), or start the nested mapping on the next line, indented further"],
    );
}

#[test]
fn an_alias_to_no_anchor_or_to_its_own_container_is_refused() {
    // PyYAML refuses a name given twice, although YAML lets the second win.
    check(
        "A: &a 1\nB: &a [2]\nC: *a\n",
        expect![
            "t.yaml:2:4: the anchor `&a` is given twice (first at line 1); give each anchor its own name"
        ],
    );
    check(
        "A: *nope\n",
        expect!["t.yaml:1:4: the alias `*nope` refers to no anchor: define `&nope` before it"],
    );
    check(
        "A: &loop [1, *loop]\n",
        expect!["t.yaml:1:14: the alias `*loop` refers to the node that contains it"],
    );
}

/// Every YAML template of the repository, and the fixtures in tests/data/yaml written to exercise
/// YAML's corners, read as PyYAML on libyaml reads them (cfn-lint's and `aws cloudformation
/// package`'s reading; tests/pyyaml_reference.py says how scalars and tags are set up to match).
#[test]
fn templates_read_as_pyyaml_reads_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = root.join("../..");
    let mut files: Vec<std::path::PathBuf> = ["examples/quickstart.yaml", "template.yaml"]
        .iter()
        .map(|f| repo.join(f))
        .chain(
            ["every_event_type", "settings_in_both_orders"]
                .map(|d| repo.join(format!("tests/sam/{d}/template.yaml"))),
        )
        .collect();
    let fixtures = root.join("tests/data/yaml");
    let own = sorted_entries(&fixtures);
    assert!(own.len() >= 7, "fixtures missing in {}", fixtures.display());
    files.extend(own);
    // Mistakes both must refuse.
    let invalid_dir = root.join("tests/data/yaml-invalid");
    let invalid = sorted_entries(&invalid_dir);
    assert!(invalid.len() >= 10, "fixtures missing in {}", invalid_dir.display());
    files.extend(invalid.iter().cloned());

    if !require_tool(&PYYAML) {
        return;
    }
    let short_forms: Vec<[&str; 2]> = yaml::SHORT_FORMS.iter().map(|(s, l)| [*s, *l]).collect();
    let out = std::process::Command::new("python3")
        .arg(root.join("tests/pyyaml_reference.py"))
        .args(&files)
        .env("SHORT_FORMS", serde_json::to_string(&short_forms).unwrap())
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "pyyaml_reference.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), files.len());

    for (file, line) in files.iter().zip(lines) {
        let reference: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let ours = read(&text);
        if invalid.contains(file) {
            assert!(reference.get("error").is_some(), "{}: PyYAML should refuse it", file.display());
            assert!(ours.is_err(), "{}: the CLI should refuse it", file.display());
        }
        match (ours, reference.get("ok")) {
            (Ok(ours), Some(theirs)) => {
                // Compared as text, so that key order counts too.
                let ours = serde_json::to_string(&ours).unwrap();
                let theirs = serde_json::to_string(theirs).unwrap();
                assert_eq!(ours, theirs, "{} reads differently from PyYAML", file.display());
            }
            (Err(errors), Some(_)) => {
                panic!("{}: PyYAML reads it, the CLI refuses: {errors:?}", file.display())
            }
            (Ok(_), None) => {
                panic!("{}: the CLI reads it, PyYAML refuses: {}", file.display(), reference["error"])
            }
            (Err(_), None) => {}
        }
    }
}
