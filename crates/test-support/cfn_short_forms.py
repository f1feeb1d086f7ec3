"""CloudFormation's short-form tags for a PyYAML loader, shared by the Python test scripts
(crates/cli/tests/pyyaml_reference.py, scripts/test_package.py).

`!Ref x` becomes `{"Ref": "x"}`, `!GetAtt a.b.c` becomes `{"Fn::GetAtt": ["a", "b.c"]}`, and any other
tag its long form applied to the node's scalar, list or mapping.
"""

import yaml


def add_short_forms(loader, long_form):
    """Registers the tags on `loader`; `long_form(suffix)` is the long name of `!suffix`, or None for a
    tag that is not CloudFormation's, which the loader then refuses."""

    def construct(loader, suffix, node):
        long = long_form(suffix)
        if long is None:
            raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if long == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {long: value}

    loader.add_multi_constructor("!", construct)
