"""Runs the real AWS SAM translator (aws-sam-translator) offline, for the SAM tests
(tests/sam_both_orders.rs runs it through `sam::translate` in src/lib.rs).

Usage: python3 sam_translate.py OP IN OUT [OP IN OUT]...
Each IN is a JSON or YAML template (CloudFormation short-form tags allowed). OP `parse` writes it
to OUT as plain JSON; OP `translate` writes SAM's translation to OUT as JSON. One process does
every step, because importing the translator costs about a second. A template SAM refuses is
written as {"SamError": "<message>"} so the caller can name it.
"""

import json
import os
import sys

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.parser.parser import Parser  # noqa: E402
from samtranslator.translator.translator import Translator  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

# The policies SAM templates in the tests name; SAM asks IAM for this map when online.
MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSLambdaRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
}


def translate(template):
    translator = Translator(None, Parser())
    return translator.translate(
        template,
        parameter_values={},
        get_managed_policy_map=lambda: MANAGED_POLICIES,
    )


def main(args):
    if len(args) % 3 != 0 or not args:
        sys.exit("usage: sam_translate.py OP IN OUT [OP IN OUT]...")
    for op, src, dst in zip(args[::3], args[1::3], args[2::3]):
        with open(src, encoding="utf-8") as f:
            template = yaml_parse(f.read())
        if op == "parse":
            out = template
        elif op == "translate":
            try:
                out = translate(template)
            except InvalidDocumentException as e:
                out = {"SamError": "; ".join(str(c) for c in e.causes) or str(e)}
        else:
            sys.exit(f"unknown operation {op!r}: parse or translate")
        with open(dst, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1:])
