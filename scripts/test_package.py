#!/usr/bin/env python3
"""Tests of scripts/package.sh and the templates that install the macro without Rust.

Runs scripts/package.sh into a temporary directory with the workspace's target directory (the
incremental arm64 release build) and checks what makes its bytes the same wherever it is built: no
path of the machine that built it (the checkout, cargo's home, the target directory, the home directory)
in either binary, and a zip entry of fixed date and mode. With --twice it builds again, the project's own
crates recompiled (their compiled copies are removed first), and checks that both builds give the same
bytes; with --fresh the second build starts from an empty target directory and so also recompiles every
dependency. Each second build takes minutes on two cores (two whole-program LTO links, and with --fresh
every dependency), which is why the test command runs neither; both are the check before a release
(docs/install.md). Then checks both zips, the macro's and the smoke test hook's (each one executable
aarch64 ELF `bootstrap`, at most 4 MB), the checksum file, the version in every name, cfn-lint over
macro.yaml and the deploy/ templates, and that macro.yaml deploys the function exactly as template.yaml
does, without a Transform.

    python3 scripts/test_package.py            # one build (the test command)
    python3 scripts/test_package.py --twice    # the project's crates built twice, same bytes
    python3 scripts/test_package.py --fresh    # the second build from an empty target directory
"""

import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "crates", "test-support"))
from cfn_short_forms import add_short_forms  # noqa: E402

MAX_ZIP_BYTES = 4_000_000
FRESH = "--fresh" in sys.argv
TWICE = FRESH or "--twice" in sys.argv
for flag in ("--fresh", "--twice"):
    if flag in sys.argv:
        sys.argv.remove(flag)


class CfnLoader(yaml.SafeLoader):
    """YAML loader that reads CloudFormation's short-form tags as their long forms."""


add_short_forms(CfnLoader, lambda suffix: "Ref" if suffix == "Ref" else f"Fn::{suffix}")


def load_template(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)


def crate_version():
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return next(p["version"] for p in json.loads(meta)["packages"] if p["name"] == "canary-lambda")


def package(out, target_dir=None):
    env = dict(os.environ)
    if target_dir:
        env["CARGO_TARGET_DIR"] = target_dir
    started = time.monotonic()
    subprocess.run([os.path.join(ROOT, "scripts", "package.sh"), out], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def cfn_lint(path):
    """cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational."""
    done = subprocess.run(["cfn-lint", "--format", "parseable", "--", path], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="canary-package-")
        cls.version = crate_version()
        cls.name = f"canary-deployments-{cls.version}"
        cls.first = os.path.join(cls.tmp, "first")
        cls.second = os.path.join(cls.tmp, "second")
        first_s = package(cls.first)
        if not TWICE:
            print(f"\npackage.sh: {first_s:.0f} s", file=sys.stderr)
            return
        if FRESH:
            second_s = package(cls.second, target_dir=os.path.join(cls.tmp, "target"))
            how = "from an empty target directory"
        else:
            subprocess.run(
                ["cargo", "clean", "--release", "--target", "aarch64-unknown-linux-gnu",
                 "-p", "canary-engine", "-p", "canary-lambda", "-p", "canary-smoke-hook"],
                cwd=ROOT, check=True,
            )
            second_s = package(cls.second)
            how = "with the project's crates recompiled"
        print(f"\npackage.sh: {first_s:.0f} s, then {second_s:.0f} s {how}", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, suffix, which=None):
        return os.path.join(which or self.first, f"{self.name}{suffix}")

    def test_the_zip_holds_one_executable_aarch64_bootstrap(self):
        self.check_zip("-bootstrap.zip")

    def test_the_smoke_hook_zip_holds_one_executable_aarch64_bootstrap(self):
        self.check_zip("-smoke-hook.zip")

    def check_zip(self, suffix):
        zip_path = self.path(suffix)
        size = os.path.getsize(zip_path)
        with zipfile.ZipFile(zip_path) as archive:
            self.assertIsNone(archive.testzip())
            entries = archive.infolist()
            self.assertEqual([e.filename for e in entries], ["bootstrap"])
            mode = entries[0].external_attr >> 16
            self.assertTrue(stat.S_ISREG(mode), f"bootstrap is not a regular file (mode {mode:o})")
            self.assertEqual(stat.S_IMODE(mode), 0o755, "Lambda must be able to execute bootstrap")
            binary = archive.read("bootstrap")
        # ELF magic, 64-bit, little-endian, e_machine 0xB7 (AArch64): what Lambda's arm64 runs.
        self.assertEqual(binary[:4], b"\x7fELF")
        self.assertEqual(binary[4], 2, "not a 64-bit ELF")
        self.assertEqual(binary[5], 1, "not little-endian")
        self.assertEqual(struct.unpack_from("<H", binary, 18)[0], 0xB7, "not an AArch64 executable")
        self.assertLessEqual(size, MAX_ZIP_BYTES)
        print(f"\n{suffix[1:]} {size} bytes ({size / 1e6:.2f} MB), bootstrap {len(binary)} bytes "
              f"({len(binary) / 1e6:.2f} MB)", file=sys.stderr)

    @unittest.skipUnless(TWICE, "one build: --twice or --fresh builds again and compares")
    def test_the_same_source_gives_the_same_bytes(self):
        for suffix in ("-bootstrap.zip", "-smoke-hook.zip", "-macro.yaml", ".sha256"):
            with open(self.path(suffix), "rb") as a, open(self.path(suffix, self.second), "rb") as b:
                first, second = a.read(), b.read()
            self.assertTrue(first == second, f"{self.name}{suffix} differs between two builds")
        digest = hashlib.sha256(first).hexdigest()
        print(f"\ntwo builds, same bytes (checksum file sha256 {digest[:16]}…)", file=sys.stderr)

    def test_no_path_of_the_building_machine_is_in_the_binaries(self):
        meta = json.loads(subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout)
        cargo_home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
        machine = {ROOT, meta["target_directory"], cargo_home, os.path.expanduser("~") + "/"}
        for suffix in ("-bootstrap.zip", "-smoke-hook.zip"):
            with zipfile.ZipFile(self.path(suffix)) as archive:
                binary = archive.read("bootstrap")
                entry = archive.infolist()[0]
            self.assertEqual(entry.date_time, (1980, 1, 1, 0, 0, 0), f"{suffix}: the entry's date is not fixed")
            for path in sorted(machine):
                self.assertNotIn(path.encode(), binary, f"{suffix}: the binary holds {path}")
            # What remapping writes instead: the checkout's and cargo's paths as fixed prefixes.
            self.assertIn(b"/cargo/registry/", binary, f"{suffix}: no remapped dependency path")
        with zipfile.ZipFile(self.path("-smoke-hook.zip")) as archive:
            self.assertNotIn(b"CANARY_SMOKE_HOOK_FAULT", archive.read("bootstrap"),
                             "the packaged hook carries the test-only fault injection")

    def test_the_checksum_file_verifies_both_artifacts(self):
        with open(self.path(".sha256"), encoding="utf-8") as f:
            lines = [line.split() for line in f if line.strip()]
        self.assertEqual(sorted(name for _, name in lines),
                         sorted([f"{self.name}-bootstrap.zip", f"{self.name}-smoke-hook.zip",
                                 f"{self.name}-macro.yaml"]))
        for digest, name in lines:
            with open(os.path.join(self.first, name), "rb") as artifact:
                self.assertEqual(hashlib.sha256(artifact.read()).hexdigest(), digest, name)

    def test_every_name_a_user_sees_carries_the_version(self):
        self.assertEqual(sorted(os.listdir(self.first)), sorted(
            [f"{self.name}-bootstrap.zip", f"{self.name}-smoke-hook.zip", f"{self.name}-macro.yaml",
             f"{self.name}.sha256"]))
        template = load_template(self.path("-macro.yaml"))
        self.assertIn(self.version, template["Description"])
        # The code keys have no default and accept only this version's zips, so an update that reuses the
        # previous version's keys fails instead of keeping the old code.
        for parameter, zip_suffix in (("CodeKey", "bootstrap.zip"), ("SmokeTestCodeKey", "smoke-hook.zip")):
            code_key = template["Parameters"][parameter]
            self.assertNotIn("Default", code_key)
            pattern = code_key["AllowedPattern"]
            for key in (f"{self.name}-{zip_suffix}", f"releases/{self.name}-{zip_suffix}"):
                self.assertRegex(key, pattern)
            older = f"canary-deployments-0.0.0-{zip_suffix}"
            loose = f"{self.name.replace('.', 'x')}-{zip_suffix}"
            for key in (older, loose, f"{self.name}-{zip_suffix}.old"):
                self.assertNotRegex(key, pattern)
        sam = load_template(os.path.join(ROOT, "template.yaml"))
        self.assertEqual(sam["Parameters"]["SmokeTestCodeKey"]["Default"], f"{self.name}-smoke-hook.zip")
        self.assertEqual(str(template["Outputs"]["Version"]["Value"]), self.version)
        self.assertIn(self.version, template["Resources"]["MacroFunction"]["Properties"]["Description"])
        with open(self.path("-macro.yaml"), encoding="utf-8") as f:
            self.assertNotIn("__VERSION__", f.read())

    def test_templates_pass_cfn_lint_without_errors_or_warnings(self):
        for path in (self.path("-macro.yaml"),
                     os.path.join(ROOT, "deploy", "artifact-bucket.yaml"),
                     os.path.join(ROOT, "deploy", "macro-link.yaml")):
            code, output = cfn_lint(path)
            self.assertEqual(code & 7, 0, f"cfn-lint {path} (exit {code}):\n{output}")

    def test_macro_yaml_deploys_the_function_as_template_yaml_does_without_a_transform(self):
        sam = load_template(os.path.join(ROOT, "template.yaml"))
        plain = load_template(self.path("-macro.yaml"))
        self.assertNotIn("Transform", plain)
        resources = plain["Resources"]
        self.assertFalse([r["Type"] for r in resources.values() if r["Type"].startswith("AWS::Serverless")])

        sam_fn = sam["Resources"]["MacroFunction"]["Properties"]
        fn = resources["MacroFunction"]
        self.assertEqual(fn["Type"], "AWS::Lambda::Function")
        for key in ("Runtime", "Architectures", "MemorySize", "Timeout", "Handler", "Role", "LoggingConfig"):
            self.assertEqual(fn["Properties"].get(key), sam_fn[key], f"MacroFunction {key}")
        code = fn["Properties"]["Code"]
        self.assertEqual(code["S3Key"], {"Ref": "CodeKey"})
        self.assertIn("CodeBucket", repr(code["S3Bucket"]))
        # The smoke test hook's zip: beside the macro's, in the bucket the macro's code comes from.
        variables = fn["Properties"]["Environment"]["Variables"]
        self.assertEqual(variables["SMOKE_HOOK_CODE_BUCKET"], code["S3Bucket"])
        self.assertEqual(variables["SMOKE_HOOK_CODE_KEY"], {"Ref": "SmokeTestCodeKey"})
        self.assertEqual(sorted(sam_fn["Environment"]["Variables"]), sorted(variables))

        # The log group with its retention, the logs-only role and the macro are the same resources.
        for logical_id in ("MacroLogGroup", "MacroFunctionRole", "Macro"):
            self.assertEqual(resources[logical_id], sam["Resources"][logical_id], logical_id)
        for name in ("MacroName", "LogRetentionInDays", "LogLevel"):
            self.assertEqual(plain["Parameters"][name], sam["Parameters"][name], f"parameter {name}")
        for name, output in sam["Outputs"].items():
            self.assertEqual(plain["Outputs"][name], output, f"output {name}")



class ArtifactBucket(unittest.TestCase):
    """deploy/artifact-bucket.yaml, read as CloudFormation would; no build needed."""

    def test_the_artifact_bucket_lets_only_the_organization_read(self):
        template = load_template(os.path.join(ROOT, "deploy", "artifact-bucket.yaml"))
        statements = template["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        # The Serverless Application Repository's grant is a service principal, present only on request.
        conditional = [s["Fn::If"] for s in statements if "Fn::If" in s]
        self.assertEqual(len(conditional), 1)
        self.assertEqual(conditional[0][0], "PublishesToServerlessRepo")
        self.assertEqual(conditional[0][1]["Principal"], {"Service": "serverlessrepo.amazonaws.com"})
        self.assertEqual(conditional[0][1]["Action"], "s3:GetObject")
        self.assertEqual(conditional[0][1]["Condition"],
                         {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}})
        self.assertEqual(conditional[0][2], {"Ref": "AWS::NoValue"})
        allows = [s for s in statements if s.get("Effect") == "Allow"]
        self.assertEqual(len(allows), 1)
        self.assertEqual(allows[0]["Action"], "s3:GetObject")
        self.assertEqual(allows[0]["Condition"], {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}})
        block = template["Resources"]["ArtifactBucket"]["Properties"]["PublicAccessBlockConfiguration"]
        self.assertTrue(all(block.values()))
        self.assertEqual(template["Resources"]["ArtifactBucket"]["Properties"]["BucketName"],
                         {"Fn::Sub": "${BucketNamePrefix}-${AWS::Region}"})


class ServerlessRepoMetadata(unittest.TestCase):
    """template.yaml's AWS::ServerlessRepo::Application against the limits `sam publish` is held to
    (AWS SAM Developer Guide, "AWS SAM template Metadata section properties"). cfn-lint does not check
    this section, so a mistake here would only show at publish time. No build needed."""

    @classmethod
    def setUpClass(cls):
        cls.template = load_template(os.path.join(ROOT, "template.yaml"))
        cls.app = cls.template["Metadata"]["AWS::ServerlessRepo::Application"]

    def test_the_semantic_version_is_the_crate_version(self):
        self.assertEqual(self.app["SemanticVersion"], crate_version())

    def test_every_value_is_plain_text_as_the_repository_requires(self):
        # Intrinsic functions are not supported in this section.
        for key, value in self.app.items():
            values = value if key == "Labels" else [value]
            for item in values:
                self.assertIsInstance(item, str, f"{key}: {item!r}")

    def test_required_fields_fit_their_patterns_and_lengths(self):
        import re
        self.assertRegex(self.app["Name"], r"^[a-zA-Z0-9-]{1,140}$")
        self.assertTrue(1 <= len(self.app["Description"]) <= 256, len(self.app["Description"]))
        self.assertLessEqual(len(self.app["Author"]), 127)
        self.assertRegex(self.app["Author"], r"^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$")
        labels = self.app["Labels"]
        self.assertLessEqual(len(labels), 10)
        for label in labels:
            self.assertTrue(re.fullmatch(r"[a-zA-Z0-9+\-_:/@]{1,127}", label), label)
        # Optional; a publisher sets them to its own repository, so none is shipped as a guess.
        for key in ("HomePageUrl", "SourceCodeUrl"):
            if key in self.app:
                self.assertRegex(self.app[key], r"^https://", key)

    def test_the_license_and_readme_are_files_that_sam_package_uploads(self):
        self.assertEqual(self.app["SpdxLicenseId"], "Apache-2.0")
        with open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8") as f:
            self.assertIn('license = "Apache-2.0"', f.read())
        for key, needle in (("LicenseUrl", "Apache License"), ("ReadmeUrl", "# CanaryDeployments")):
            path = os.path.join(ROOT, self.app[key])
            self.assertTrue(os.path.isfile(path), f"{key}: {path}")
            self.assertLess(os.path.getsize(path), 5 * 1024 * 1024, f"{key} over the 5 MB limit")
            with open(path, encoding="utf-8") as f:
                self.assertIn(needle, f.read(), key)
        with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as f:
            self.assertIn("Version 2.0, January 2004", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
