"""Runs aws-sam-translator offline on a SAM template and times it in-process.

Usage: python3 sam_translate.py FILE [--reps R] [--warmup W] [--output OUT]

Each repetition is what SAM's transform does per request on JSON text: json.loads, transform,
json.dumps (compact), timed as wall time and as CPU time of the thread. The timed section
excludes interpreter start-up and imports; the whole
process is timed by bench/run.py from outside. The managed-policy map is a stub (SAM asks IAM for
it only when a function lists managed policies by name; the workload names none), so nothing
touches the network. Prints one JSON line: per-repetition seconds, output size, resource count.
"""

import argparse
import json
import logging
import os
import sys
import time

# SAM builds partition-aware ARNs from the session's region; give it one without any AWS config.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.translator.transform import transform  # noqa: E402

# SAM logs a warning per function (a feature toggle it cannot find) to stderr. Silencing it takes
# terminal output out of SAM's time, which only makes SAM look faster.
logging.disable(logging.WARNING)


class StubManagedPolicyLoader:
    """Stands in for the IAM lookup of AWS managed policy ARNs by name."""

    def load(self):
        return {
            "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "AWSLambdaSQSQueueExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        }


def once(text):
    template = json.loads(text)
    out = transform(template, {}, StubManagedPolicyLoader())
    return json.dumps(out, separators=(",", ":")), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--output")
    args = ap.parse_args()
    with open(args.file) as f:
        text = f.read()
    for _ in range(args.warmup):
        once(text)
    times, cpu = [], []
    for _ in range(args.reps):
        start, start_cpu = time.perf_counter(), time.thread_time()
        serialized, out = once(text)
        cpu.append(time.thread_time() - start_cpu)
        times.append(time.perf_counter() - start)
    if args.output:
        with open(args.output, "w") as f:
            f.write(serialized)
    resources = out["Resources"]
    report = {
        "times_s": times,
        "cpu_s": cpu,
        "input_bytes": len(text),
        "output_bytes": len(serialized),
        "resources": len(resources),
        "deployment_groups": sum(1 for r in resources.values() if r["Type"] == "AWS::CodeDeploy::DeploymentGroup"),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    sys.exit(main())
