#!/usr/bin/env python3
"""End-to-end cases for the CanaryDeployments macro Lambda, driven by scripts/e2e-lambda.sh.

Sends CloudFormation macro events (crates/lambda/tests/events/) through cargo-lambda's runtime
emulator to the real binary and asserts on the responses as CloudFormation would read them.
Then measures cold start: process start to first response, with the emulator serving only the
Lambda APIs and this script starting the binary itself, median of several runs.

Then runs the binary on worst-case events of crates/bench/src/worst.rs, written by
`canary-bench worst SHAPE N event` (10,000 marked functions with every RollbackOn metric, 4 MB; 25,000
small marked functions, 6 MB; 80 functions inheriting a 1 MB trigger name), through a minimal Runtime
API (lambda_once.py), and checks that each is answered with a failure naming CloudFormation's limit,
within Lambda's 128 MB and 2 s of CPU.

Usage: e2e_lambda.py cases PORT BIN LOG  (emulator started with --only-lambda-apis; this script runs BIN,
                                          its output to LOG)
       e2e_lambda.py coldstart PORT BIN  (the same)
       e2e_lambda.py worst BIN BENCH     (no emulator; BENCH is canary-bench)
Only the standard library is used, so the script runs wherever python3 does.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENTS = os.path.join(ROOT, "crates", "lambda", "tests", "events")
MAX_ERROR_MESSAGE_CHARS = 4000
COLD_START_RUNS = 7


# The emulator's function name when it serves the Lambda APIs alone (`--only-lambda-apis`).
FUNCTION = "_"


def invoke(port, payload, function=FUNCTION, timeout=300):
    """POSTs `payload` (bytes) to the emulator's Invoke API; returns the body as bytes."""
    url = f"http://127.0.0.1:{port}/2015-03-31/functions/{function}/invocations"
    req = urllib.request.Request(url, data=payload, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return res.read()


def load_event(name):
    with open(os.path.join(EVENTS, name), "rb") as f:
        return f.read()


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


def parse_response(body):
    try:
        res = json.loads(body)
    except ValueError as err:
        raise Failure(f"the response is not JSON ({err}): {body[:300]!r}")
    check(isinstance(res, dict), f"the response is not an object: {body[:300]!r}")
    return res


def expect_success(res, event):
    check(res.get("status") == "success", f"expected success, got {json.dumps(res)[:1500]}")
    check(res.get("requestId") == event["requestId"], f"requestId not echoed: {res.get('requestId')!r}")
    check("errorMessage" not in res, "a success carries an errorMessage")
    fragment = res.get("fragment")
    check(isinstance(fragment, dict) and isinstance(fragment.get("Resources"), dict),
          "the fragment has no Resources object")
    missing = [lid for lid in event["fragment"]["Resources"] if lid not in fragment["Resources"]]
    check(not missing, f"resources dropped: {missing}")
    return fragment


def expect_failure(res, request_id):
    check(res.get("status") == "failure", f"expected failure, got {json.dumps(res)[:1500]}")
    check(res.get("requestId") == request_id, f"requestId not echoed: {res.get('requestId')!r}")
    check("fragment" not in res, "a failure carries a fragment")
    message = res.get("errorMessage")
    check(isinstance(message, str) and message, "no errorMessage")
    check(len(message) <= MAX_ERROR_MESSAGE_CHARS, f"errorMessage has {len(message)} characters")
    return message


def walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_keys(item)


def cfn_lint(fragment, name):
    """Zero cfn-lint errors on the returned template (warnings and informational are allowed)."""
    exe = shutil.which("cfn-lint")
    check(exe is not None, "cfn-lint is not installed (pip install cfn-lint)")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{name}.json")
        with open(path, "w") as f:
            json.dump(fragment, f, indent=1)
        run = subprocess.run([exe, "--format", "parseable", path], capture_output=True, text=True)
    errors = [line for line in run.stdout.splitlines() if ":E" in line]
    check(run.returncode in (0, 4, 8, 12) and not errors,
          f"cfn-lint found errors in the expanded template:\n{run.stdout}{run.stderr}")


def large_event():
    """~1 MB, as big as CloudFormation accepts a template: 215 functions with inline code near Lambda's
    4 KB ZipFile limit and a few environment variables, every tenth one marked and invoked through a
    permission. Stays under CloudFormation's 500 resources after expansion."""
    body = "    total = sum(range(100))  # padding that stands for real handler code\n" * 52
    resources = {}
    for i in range(215):
        name = f"Worker{i:03}"
        function = {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/workers"},
                "Code": {"ZipFile": f"def handler(event, context):\n{body}    return total\n"},
                "Environment": {"Variables": {f"SETTING_{k}": f"value-{i}-{k}-" + "x" * 40 for k in range(8)}},
            },
        }
        resources[name] = function
        if i % 10 == 0:
            function["Metadata"] = {"CanaryDeployment": {"Type": "Linear10PercentEvery1Minute"}}
            resources[f"{name}Permission"] = {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": [name, "Arn"]},
                    "Principal": "events.amazonaws.com",
                },
            }
    return {
        "region": "us-east-1",
        "accountId": "123456789012",
        "fragment": {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources},
        "transformId": "123456789012::CanaryDeployments",
        "params": {},
        "requestId": "large-template-1",
        "templateParameterValues": {},
    }


def function_env(port):
    """The environment Lambda gives a function, pointed at the emulator's Runtime API."""
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{port}/.rt",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "WARN",
    })
    return env


def run_cases(port, binary, log):
    """Starts `binary` once against the emulator, as Lambda keeps one execution environment warm,
    and sends every case to it."""
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary], env=function_env(port), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            return send_cases(port)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def send_cases(port):
    results = []

    def case(name, fn):
        started = time.monotonic()
        try:
            detail = fn() or ""
            results.append((name, True, detail))
            print(f"PASS {name} ({(time.monotonic() - started) * 1000:.0f} ms) {detail}", flush=True)
        except Failure as err:
            results.append((name, False, str(err)))
            print(f"FAIL {name}: {err}", flush=True)

    def success():
        raw = load_event("success.json")
        event = json.loads(raw)
        fragment = expect_success(parse_response(invoke(port, raw)), event)
        cfn_lint(fragment, "success")
        # The expansion itself (needs the engine): settings consumed, alias created, invoker moved.
        check("CanaryDeployment" not in set(walk_keys(fragment)), "a CanaryDeployment key is left in the output")
        types = [r.get("Type") for r in fragment["Resources"].values()]
        for rtype in ["AWS::Lambda::Version", "AWS::Lambda::Alias", "AWS::CodeDeploy::DeploymentGroup"]:
            check(rtype in types, f"no {rtype} in the expanded template")
        res = fragment["Resources"]
        alias = {"Ref": "OrdersAliasLive"}
        check(res["NightlyPermission"]["Properties"]["FunctionName"] == alias,
              "the permission does not name the alias")
        check(res["Nightly"]["Properties"]["Targets"][0]["Arn"] == alias, "the rule does not target the alias")
        check("CodeDeployLambdaAliasUpdate" in res["OrdersAliasLive"].get("UpdatePolicy", {}),
              "the alias has no CodeDeploy UpdatePolicy")
        for shared in ["CanaryDeploymentsApplication", "CanaryDeploymentsServiceRole"]:
            check(shared in res, f"no {shared}")
        # templateParameterValues feed the version hash: another Stage publishes another version.
        other = dict(event, templateParameterValues={"Stage": "dev"})
        again = expect_success(parse_response(invoke(port, json.dumps(other).encode())), other)
        versions = lambda f: sorted(k for k in f["Resources"] if k.startswith("OrdersVersion"))
        check(versions(fragment) != versions(again),
              f"the version ID ignores templateParameterValues: {versions(fragment)} == {versions(again)}")
        return f"{len(res)} resources"

    def invalid_settings():
        raw = load_event("invalid-settings.json")
        event = json.loads(raw)
        message = expect_failure(parse_response(invoke(port, raw)), event["requestId"])
        for path in ["Resources/Checkout/Properties/CanaryDeployment/Tpye",
                     "Resources/Payments/Properties/CanaryDeployment/Alias"]:
            check(path in message, f"the message does not name {path}: {message}")

    def snippet():
        raw = load_event("snippet.json")
        event = json.loads(raw)
        message = expect_failure(parse_response(invoke(port, raw)), event["requestId"])
        check("Fn::Transform" in message and "Transform: CanaryDeployments" in message,
              f"the message does not point at a template-level Transform: {message}")

    def malformed():
        raw = load_event("malformed.json")
        message = expect_failure(parse_response(invoke(port, raw)), json.loads(raw)["requestId"])
        check("malformed" in message, message)

    def large():
        event = large_event()
        raw = json.dumps(event).encode()
        check(len(raw) > 950_000, f"the large event is only {len(raw)} bytes")
        started = time.monotonic()
        body = invoke(port, raw)
        elapsed = time.monotonic() - started
        fragment = expect_success(parse_response(body), event)
        return f"{len(raw)} bytes in, {len(body)} bytes out, {elapsed * 1000:.0f} ms round trip"

    def deep():
        nested = "1"
        for _ in range(300):
            nested = f"[{nested}]"
        raw = ('{"region":"eu-west-1","accountId":"123456789012","transformId":"123456789012::CanaryDeployments",'
               '"requestId":"deep-1","params":{},"templateParameterValues":{},'
               f'"fragment":{{"Resources":{{}},"Metadata":{{"Deep":{nested}}}}}}}').encode()
        message = expect_failure(parse_response(invoke(port, raw)), "deep-1")
        check("levels" in message, message)

    def deterministic():
        raw = load_event("success.json")
        first, second = invoke(port, raw), invoke(port, raw)
        check(first == second, "two invocations with the same event answered differently")
        order = list(json.loads(first).get("fragment", {}))
        check(order == list(json.loads(raw)["fragment"]), f"template sections reordered: {order}")

    case("success", success)
    case("invalid-settings", invalid_settings)
    case("snippet", snippet)
    case("malformed-event", malformed)
    case("large-template", large)
    case("deep-nesting", deep)
    case("deterministic", deterministic)

    failed = [name for name, ok, _ in results if not ok]
    print(f"e2e: {len(results) - len(failed)} passed, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else ""), flush=True)
    return 1 if failed else 0


def cold_start(port, binary):
    """Process start to first response: the invoke is queued first, then the binary is started."""
    env = function_env(port)
    raw = load_event("success.json")
    samples = []
    for _ in range(COLD_START_RUNS):
        answer = {}

        def send():
            try:
                answer["body"] = invoke(port, raw, timeout=60)
                answer["at"] = time.monotonic()
            except Exception as err:  # reported below; the thread must not die silently
                answer["error"] = err

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        time.sleep(0.3)  # the invoke is queued before the function exists
        started = time.monotonic()
        proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            sender.join(timeout=60)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if "body" not in answer:
            print(f"FAIL cold-start: no response ({answer.get('error', 'timeout')})", flush=True)
            return 1
        if json.loads(answer["body"]).get("requestId") != json.loads(raw)["requestId"]:
            print(f"FAIL cold-start: unexpected response {answer['body'][:300]!r}", flush=True)
            return 1
        samples.append((answer["at"] - started) * 1000)
    print(f"cold start ({os.path.relpath(binary, ROOT)}): median {statistics.median(samples):.1f} ms "
          f"over {len(samples)} runs (min {min(samples):.1f}, max {max(samples):.1f})", flush=True)
    return 0


# Lambda's memory size for the macro (template.yaml) and the CPU budget per event.
MAX_RSS_MB = 128
MAX_CPU_S = 2.0


def worst_cases(binary, bench):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import lambda_once

    limit_500 = "over CloudFormation's limit of 500"
    cases = [
        ("10,000 functions, every RollbackOn metric", "rollback", 10_000, limit_500),
        ("25,000 small functions", "small", 25_000, limit_500),
        # 80 functions that inherit a 1 MB trigger name from the template defaults: 80 MB of copies.
        ("80 functions inheriting a 1 MB default", "long-default", 80,
         "CloudFormation accepts in a processed template"),
    ]
    failed = 0
    for name, shape, n, expected in cases:
        raw = subprocess.run([bench, "worst", shape, str(n), "event"], capture_output=True, check=True).stdout
        res = lambda_once.run(binary, raw)
        problems = []
        if res["status"] != "failure":
            problems.append(f"expected a failure, got {res['status']}")
        elif expected not in res.get("message", ""):
            problems.append(f"the failure does not say {expected!r}: {res['message'][:300]}")
        if res["peak_rss_kb"] is None or res["peak_rss_kb"] > MAX_RSS_MB * 1024:
            problems.append(f"peak RSS {res['peak_rss_kb']} KB is over {MAX_RSS_MB} MB")
        if res["cpu_s"] is None or res["cpu_s"] > MAX_CPU_S:
            problems.append(f"CPU {res['cpu_s']} s is over {MAX_CPU_S} s")
        summary = (f"{len(raw) / 1e6:.1f} MB event, peak RSS {(res['peak_rss_kb'] or 0) / 1024:.0f} MB, "
                   f"CPU {res['cpu_s']} s")
        if problems:
            failed += 1
            print(f"FAIL worst case, {name} ({summary}): {'; '.join(problems)}", flush=True)
        else:
            print(f"PASS worst case, {name}: {summary}", flush=True)
    return 1 if failed else 0


def main(argv):
    # The shell script stops this driver with SIGTERM; turning it into SystemExit runs the `finally`
    # that kills a function process started for the cold-start runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(argv) >= 5 and argv[1] == "cases":
        return run_cases(int(argv[2]), argv[3], argv[4])
    if len(argv) >= 4 and argv[1] == "coldstart":
        return cold_start(int(argv[2]), argv[3])
    if len(argv) >= 4 and argv[1] == "worst":
        return worst_cases(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
