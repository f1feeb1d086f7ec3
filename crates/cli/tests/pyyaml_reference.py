"""Reads YAML templates as PyYAML reads them and prints each as one line of JSON.

The reference for the CLI's YAML reader (tests/yaml.rs runs it): PyYAML on libyaml is what cfn-lint and
`aws cloudformation package` read templates with. Two things are set up as a CloudFormation user
expects, and as the CLI documents:
- CloudFormation's short-form tags become their long forms (`!Ref x` is `{"Ref": "x"}`, `!GetAtt a.b.c`
  is `{"Fn::GetAtt": ["a", "b.c"]}`); the table comes from the CLI (the SHORT_FORMS environment
  variable, a JSON list of [short, long] pairs), so both read the same tags;
- plain scalars follow the YAML 1.2 core schema instead of PyYAML's YAML 1.1 one (`yes`, `on`, dates
  and `0b101` stay strings), with the CLI's documented exceptions: a decimal with a leading zero
  (`012`) and an integer that does not fit 64 bits stay strings, and so do infinities and NaN, which
  JSON cannot hold.

Usage: SHORT_FORMS='[["Ref","Ref"], ...]' python3 pyyaml_reference.py FILE...
Prints, per file and in order, `{"ok": VALUE}` or `{"error": MESSAGE}`.
"""

import json
import math
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test-support"))
from cfn_short_forms import add_short_forms  # noqa: E402

SHORT_FORMS = dict(json.loads(os.environ["SHORT_FORMS"]))

# libyaml's parser when PyYAML was built with it, which is how cfn-lint reads templates.
Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(Base):
    yaml_implicit_resolvers = {}


CORE = "tag:yaml.org,2002:"
# Merge keys (`<<: *defaults`), which `aws cloudformation package` resolves and so does the CLI.
Loader.add_implicit_resolver(CORE + "merge", re.compile(r"^<<$"), ["<"])
Loader.add_implicit_resolver(CORE + "null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
Loader.add_implicit_resolver(
    CORE + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Loader.add_implicit_resolver(
    CORE + "int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
# Digits alone are an integer or, with a leading zero, a string; never a float.
Loader.add_implicit_resolver(
    CORE + "float",
    re.compile(r"^(?![-+]?[0-9]+$)[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)


def construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0x"):
        value = int(text[2:], 16)
    elif text.startswith("0o"):
        value = int(text[2:], 8)
    else:
        try:
            value = int(text)
        except ValueError:
            raise yaml.constructor.ConstructorError(None, None, f"`{text}` is not a valid !!int", node.start_mark)
    return value if -(2**63) <= value < 2**64 else text


def construct_float(loader, node):
    text = loader.construct_scalar(node)
    value = float(text)
    return text if math.isinf(value) or math.isnan(value) else value


Loader.add_constructor(CORE + "int", construct_int)
Loader.add_constructor(CORE + "float", construct_float)


add_short_forms(Loader, SHORT_FORMS.get)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return {"ok": yaml.load(data, Loader=Loader)}
    except yaml.YAMLError as e:
        return {"error": str(e)}


for path in sys.argv[1:]:
    print(json.dumps(read(path), ensure_ascii=False))
