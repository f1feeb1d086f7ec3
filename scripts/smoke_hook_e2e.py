#!/usr/bin/env python3
"""End-to-end cases of the smoke test hook under cargo-lambda's emulator (scripts/e2e-smoke-hook.sh).

A local HTTP endpoint stands in for CodeDeploy and Lambda. It checks every request it receives against
the services' published API models, botocore's service-2.json of the installed AWS CLI: the operation
(X-Amz-Target for CodeDeploy's JSON 1.1 protocol, the request URI for Lambda's REST-JSON `Invoke`),
required members, unknown members, types, enums, patterns and lengths, and the SigV4 signature,
recomputed with botocore's own signer from the test credentials. A request that breaks the model is
answered 400 and recorded, and any recorded violation fails the run: the fake cannot simply agree with
the hook. Each scenario is a deployment whose AppSpec names a function of its own, so the fake knows
which behaviour an `Invoke` asks for.

Usage: smoke_hook_e2e.py EMULATOR_PORT FAKE_PORT LOG_FILE [RELEASE_BINARY]

With RELEASE_BINARY (scripts/e2e-smoke-hook.sh --cold-start builds it), the binary is also started five
times through scripts/lambda_once.py's Runtime API stub against the same fake, and the median time from
starting the process to its answer (cold start and one passing deployment) is printed.
"""

import gzip
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "eu-west-1"
ACCESS_KEY = "AKIDSMOKETEST0000000"
SECRET_KEY = "smoke-test-secret-key-not-a-real-one000"
SESSION_TOKEN = "smoke-test-session-token"
APPLICATION = "CanaryDeploymentsApplication-stack"

MODELS = os.path.join(os.path.dirname(botocore.__file__), "data")


def load_model(service, version):
    with gzip.open(os.path.join(MODELS, service, version, "service-2.json.gz")) as f:
        return json.load(f)


CODEDEPLOY = load_model("codedeploy", "2014-10-06")
LAMBDA = load_model("lambda", "2015-03-31")


def validate(model, shape_name, value, path, errors):
    """Appends to `errors` every way `value` breaks shape `shape_name` of `model`."""
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: {shape_name} must be an object, found {value!r}")
            return
        for name in shape.get("required", []):
            if name not in value:
                errors.append(f"{path}: {shape_name} requires {name}")
        for name, member in value.items():
            spec = shape["members"].get(name)
            if spec is None:
                errors.append(f"{path}: {shape_name} has no member {name}")
            else:
                validate(model, spec["shape"], member, f"{path}.{name}", errors)
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: {shape_name} must be a string, found {value!r}")
            return
        if "enum" in shape and value not in shape["enum"]:
            errors.append(f"{path}: {value!r} is not one of {shape['enum']}")
        if len(value) < shape.get("min", 0) or len(value) > shape.get("max", 1 << 30):
            errors.append(f"{path}: {value!r} has a length outside {shape.get('min')}..{shape.get('max')}")
        if "pattern" in shape and not re.fullmatch(shape["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {shape['pattern']}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: {shape_name} must be an integer, found {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: {shape_name} must be a boolean, found {value!r}")
    elif kind == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: {shape_name} must be a list, found {value!r}")
            return
        for i, item in enumerate(value):
            validate(model, shape["member"]["shape"], item, f"{path}[{i}]", errors)
    elif kind == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: {shape_name} must be a map, found {value!r}")


def check_signature(handler, service, body, errors):
    """The request's SigV4 signature, recomputed by botocore over the headers the request signed."""
    auth = handler.headers.get("Authorization", "")
    m = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})",
        auth,
    )
    if not m:
        errors.append(f"Authorization is not a SigV4 header: {auth!r}")
        return
    key, _date, region, signed_service, signed_headers, signature = m.groups()
    if key != ACCESS_KEY or region != REGION or signed_service != service:
        errors.append(f"signed as {key}/{region}/{signed_service}, expected {ACCESS_KEY}/{REGION}/{service}")
    if handler.headers.get("X-Amz-Security-Token") != SESSION_TOKEN:
        errors.append("the session token is not sent in X-Amz-Security-Token")
    names = signed_headers.split(";")
    for required in ("host", "x-amz-date", "x-amz-security-token"):
        if required not in names:
            errors.append(f"{required} is not signed")
    headers = {name: handler.headers.get(name, "") for name in names}
    request = AWSRequest(method=handler.command, url=f"http://{headers.get('host', '')}{handler.path}", data=body, headers=headers)
    request.context["timestamp"] = handler.headers.get("X-Amz-Date", "")
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN), service, REGION)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != signature:
        errors.append(f"the signature does not verify; botocore's canonical request:\n{canonical}")


def app_spec(function, version):
    """The AppSpec CloudFormation's CodeDeployLambdaAliasUpdate gives a deployment."""
    return json.dumps({
        "version": 0.0,
        "Resources": [{"Api": {"Type": "AWS::Lambda::Function", "Properties": {
            "Name": function, "Alias": "Live", "CurrentVersion": "6", "TargetVersion": version}}}],
    })


class Fake:
    """What the fake services were asked and what they answered, per scenario."""

    def __init__(self):
        self.lock = threading.Lock()
        self.violations = []
        self.calls = []  # (operation, detail)
        self.statuses = {}  # deployment id -> [status, ...]
        self.counts = {}

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]


FAKE = Fake()
TARGET_VERSION = "7"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def violation(self, errors):
        with FAKE.lock:
            FAKE.violations.extend(errors)
        self.reply(400, {"__type": "ValidationException", "message": "; ".join(errors)})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("X-Amz-Target"):
            self.codedeploy(body)
        else:
            self.lambda_invoke(body)

    def codedeploy(self, body):
        errors = []
        target = self.headers.get("X-Amz-Target", "")
        prefix = CODEDEPLOY["metadata"]["targetPrefix"] + "."
        operation = target[len(prefix):] if target.startswith(prefix) else None
        if self.path != "/":
            errors.append(f"CodeDeploy's JSON protocol posts to /, not {self.path}")
        if operation not in CODEDEPLOY["operations"]:
            errors.append(f"X-Amz-Target {target!r} names no CodeDeploy operation")
        if self.headers.get("Content-Type") != "application/x-amz-json-" + CODEDEPLOY["metadata"]["jsonVersion"]:
            errors.append(f"Content-Type {self.headers.get('Content-Type')!r} is not JSON 1.1")
        try:
            params = json.loads(body)
        except ValueError:
            params, _ = None, errors.append("the body is not JSON")
        if operation in CODEDEPLOY["operations"] and params is not None:
            validate(CODEDEPLOY, CODEDEPLOY["operations"][operation]["input"]["shape"], params, operation, errors)
        check_signature(self, CODEDEPLOY["metadata"]["endpointPrefix"], body, errors)
        if errors:
            return self.violation(errors)
        FAKE.calls.append((operation, params))
        deployment = params.get("deploymentId", "")
        scenario = deployment.removeprefix("d-")
        content = app_spec(f"fn-{scenario}", TARGET_VERSION)
        sha = hashlib.sha256(content.encode()).hexdigest()
        if operation == "GetDeployment":
            # GetDeployment leaves the AppSpec's content out (API reference, GetDeployment).
            return self.reply(200, {"deploymentInfo": {
                "applicationName": APPLICATION, "deploymentId": deployment, "computePlatform": "Lambda",
                "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"sha256": sha}}}})
        if operation == "GetApplicationRevision":
            wanted = params["revision"].get("appSpecContent", {}).get("sha256")
            if params["applicationName"] != APPLICATION or wanted is None:
                return self.reply(400, {"__type": "RevisionDoesNotExistException", "message": "no such revision"})
            # The scenario travels in the revision's hash only, so look it up by hash.
            for name in SCENARIOS:
                text = app_spec(f"fn-{name}", TARGET_VERSION)
                if hashlib.sha256(text.encode()).hexdigest() == wanted:
                    return self.reply(200, {"applicationName": APPLICATION, "revision": {
                        "revisionType": "AppSpecContent", "appSpecContent": {"content": text, "sha256": wanted}}})
            return self.reply(400, {"__type": "RevisionDoesNotExistException", "message": "no such revision"})
        if operation == "PutLifecycleEventHookExecutionStatus":
            if scenario == "status-fails-once" and FAKE.count(("status", deployment)) == 1:
                return self.reply(500, {"__type": "InternalFailure", "message": "try again"})
            with FAKE.lock:
                FAKE.statuses.setdefault(deployment, []).append(params["status"])
            return self.reply(200, {"lifecycleEventHookExecutionId": params["lifecycleEventHookExecutionId"]})
        return self.reply(400, {"__type": "UnsupportedOperation", "message": operation})

    def lambda_invoke(self, body):
        errors = []
        operation = LAMBDA["operations"]["Invoke"]
        url = urllib.parse.urlsplit(self.path)
        pattern = re.escape(operation["http"]["requestUri"]).replace(re.escape("{FunctionName}"), "([^/]+)")
        m = re.fullmatch(pattern, url.path)
        if not m:
            return self.violation([f"{self.path} is no Lambda operation this hook may call"])
        shape_name = operation["input"]["shape"]
        members = LAMBDA["shapes"][shape_name]["members"]
        params = {"FunctionName": urllib.parse.unquote(m.group(1))}
        for name, value in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            member = next((k for k, v in members.items() if v.get("location") == "querystring" and v.get("locationName") == name), None)
            if member is None:
                errors.append(f"query parameter {name} is not in Invoke's model")
            else:
                params[member] = value
        for k, v in members.items():
            if v.get("location") == "header" and self.headers.get(v["locationName"]) is not None:
                params[k] = self.headers.get(v["locationName"])
        validate(LAMBDA, shape_name, params, "Invoke", errors)
        if params.get("InvocationType", "RequestResponse") != "RequestResponse":
            errors.append(f"the hook must invoke synchronously, not {params['InvocationType']}")
        try:
            event = json.loads(body)
        except ValueError:
            event, _ = None, errors.append("the payload is not JSON")
        check_signature(self, LAMBDA["metadata"]["signingName"], body, errors)
        if errors:
            return self.violation(errors)
        FAKE.calls.append(("Invoke", params, event))
        function, qualifier = params["FunctionName"], params.get("Qualifier")
        scenario = function.removeprefix("fn-")
        if qualifier != TARGET_VERSION:
            return self.reply(404, {"Type": "User", "Message": f"Function not found: {function}:{qualifier}"},
                              [("X-Amzn-ErrorType", "ResourceNotFoundException")])
        if scenario == "throttled" and FAKE.count(("invoke", scenario)) == 1:
            return self.reply(429, {"Type": "User", "message": "Rate Exceeded.", "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"},
                              [("X-Amzn-ErrorType", "TooManyRequestsException")])
        if scenario == "function-error":
            return self.reply(200, {"errorType": "Runtime.ImportModuleError", "errorMessage": "No module named 'handler'"},
                              [("X-Amz-Function-Error", "Unhandled"), ("X-Amz-Executed-Version", qualifier)])
        status = 500 if scenario == "mismatch" else 200
        return self.reply(200, {"statusCode": status, "body": "ok"}, [("X-Amz-Executed-Version", qualifier)])


# Scenario -> the status CodeDeploy must receive last, and what else must hold.
SCENARIOS = {
    "all-pass": "Succeeded",
    "function-error": "Failed",
    "mismatch": "Failed",
    "throttled": "Succeeded",
    "status-fails-once": "Succeeded",
    "panic": "Failed",
}


def invoke_hook(port, deployment):
    event = {"DeploymentId": deployment, "LifecycleEventHookExecutionId": f"exec-{deployment}"}
    # `_`: the function's name when the emulator serves the Lambda APIs alone (`--only-lambda-apis`).
    url = f"http://127.0.0.1:{port}/2015-03-31/functions/_/invocations"
    req = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        # The hook could not report: the invocation is a Lambda error.
        return e.code, e.read().decode(errors="replace")


def cold_start(binary, check):
    """Median of five runs from process start to the answer of one all-pass deployment."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import lambda_once  # noqa: E402
    fake_port = int(sys.argv[2])
    os.environ.update({
        "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_SESSION_TOKEN": SESSION_TOKEN, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{fake_port}",
        "CANARY_SMOKE_TEST": '[{"Event":{"path":"/health"},"Expect":{"statusCode":200}}]',
    })
    event = json.dumps({"DeploymentId": "d-all-pass", "LifecycleEventHookExecutionId": "exec-cold"}).encode()
    times, results = [], []
    for _ in range(5):
        started = time.monotonic()
        result = lambda_once.run(binary, event)
        times.append(time.monotonic() - started)
        results.append(result)
    times.sort()
    rss = max(r.get("peak_rss_kb") or 0 for r in results)
    check(all(r["status"] == "Succeeded" for r in results),
          f"release binary: Succeeded five times, median {times[2] * 1000:.0f} ms from process start, "
          f"peak RSS {rss} kB", results)


def main():
    emulator_port, fake_port, log_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    server = ThreadingHTTPServer(("127.0.0.1", fake_port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    passed, failed = 0, 0

    def check(ok, name, why):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {why}")

    for scenario, status in SCENARIOS.items():
        deployment = f"d-{scenario}"
        started = time.monotonic()
        code, answer = invoke_hook(emulator_port, deployment)
        took = time.monotonic() - started
        reported = FAKE.statuses.get(deployment, [])
        check(reported == [status], f"{scenario}: reports {status} ({took:.1f} s)", f"reported {reported}, answered {code} {answer}")

    invokes = [c for c in FAKE.calls if c[0] == "Invoke"]
    pass_invokes = [c for c in invokes if c[1]["FunctionName"] == "fn-all-pass"]
    check(len(pass_invokes) == 2 and [c[2] for c in pass_invokes] == [{"path": "/health", "httpMethod": "GET"}, {"Records": [{"body": "{\"orderId\": \"test\"}"}]}],
          "all-pass: each case's Event is the payload of one Invoke of the target version", pass_invokes)
    throttled = [c for c in invokes if c[1]["FunctionName"] == "fn-throttled"]
    check(len(throttled) == 3, "throttled: the throttled Invoke is retried, then the next case runs", throttled)
    ops = [c[0] for c in FAKE.calls if c[0] != "Invoke" and c[1].get("deploymentId") == "d-all-pass"]
    check(ops == ["GetDeployment", "PutLifecycleEventHookExecutionStatus"], "all-pass: GetDeployment, then the status", ops)
    revisions = [c for c in FAKE.calls if c[0] == "GetApplicationRevision"]
    check(len(revisions) >= 5, "the AppSpec comes from GetApplicationRevision", len(revisions))
    panic_invokes = [c for c in invokes if c[1]["FunctionName"] == "fn-panic"]
    check(not panic_invokes, "panic: no case ran after the panic", panic_invokes)

    with open(log_file, encoding="utf-8", errors="replace") as f:
        lines = [json.loads(line[line.index("{"):]) for line in f if '"smoke test case"' in line and "{" in line]
    mismatch = [l for l in lines if l.get("verdict") == "fail" and "mismatch" in l]
    check(any(l["mismatch"] == "at /statusCode: expected 200, found 500" for l in mismatch),
          "mismatch: the case's JSON log line carries the mismatch", mismatch)
    errors = [l for l in lines if "Runtime.ImportModuleError" in l.get("reason", "")]
    check(len(errors) == 2, "function-error: each case's log line names the function's error", errors)
    check(sum(1 for l in lines if l.get("verdict") == "pass") >= 6, "one JSON line per passing case", len(lines))

    if len(sys.argv) > 4:
        cold_start(sys.argv[4], check)

    check(not FAKE.violations, "every request matched the services' API models and verified its signature", "\n".join(FAKE.violations))
    server.shutdown()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
