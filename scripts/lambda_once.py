"""Runs the macro's Lambda binary on one event through a minimal Lambda Runtime API and reports what
Lambda would: the answer, the peak resident memory (what Lambda's memory size caps) and the CPU time.

A module, not a command: scripts/e2e_lambda.py, bench/worst.py and bench/run.py import
`run(binary, event)`, which returns {"status", "bytes_in", "bytes_out", "peak_rss_kb", "cpu_s", "wall_s",
"message"} ("status" is the response's, or "lambda error" or "no answer"; the figures are None when
no answer came).

The Runtime API part serves `GET /2018-06-01/runtime/invocation/next` once with the event (as the
Lambda service does, with the request id and deadline headers) and takes the answer from
`POST .../response` or `.../error`. The peak RSS is the process's VmHWM read from /proc after the
answer, before the process is stopped, and the CPU time its user plus system time: the process
is the whole function, runtime and all, as it runs in Lambda. Only the standard library is used.
"""

import http.server
import json
import os
import signal
import subprocess
import threading
import time

API = "/2018-06-01/runtime"


def run(binary, event, timeout=60):
    answer = {}
    done = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        served = False

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path != f"{API}/invocation/next":
                self.send_error(404)
                return
            if Handler.served:
                # The function asks for the next event: hold it until the process is stopped.
                done.wait(timeout)
                time.sleep(timeout)
                return
            Handler.served = True
            answer["sent"] = time.monotonic()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Lambda-Runtime-Aws-Request-Id", "lambda-once-1")
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                             "arn:aws:lambda:us-east-1:123456789012:function:canary")
            self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
            self.send_header("Content-Length", str(len(event)))
            self.end_headers()
            self.wfile.write(event)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            answer["kind"] = self.path.rsplit("/", 1)[-1]
            answer["body"] = body
            answer["at"] = time.monotonic()
            done.set()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "canary",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "WARN",
    })
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        done.wait(timeout)
        stats = proc_stats(proc.pid) if proc.poll() is None else {}
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        server.shutdown()
    if "body" not in answer:
        return {"status": "no answer", "peak_rss_kb": None, "cpu_s": None}
    res = {"peak_rss_kb": stats.get("rss_kb"), "cpu_s": stats.get("cpu_s"),
           "wall_s": round(answer["at"] - answer["sent"], 3), "bytes_in": len(event),
           "bytes_out": len(answer["body"])}
    if answer["kind"] != "response":
        res.update(status="lambda error", message=answer["body"][:500].decode(errors="replace"))
        return res
    body = json.loads(answer["body"])
    res["status"] = body.get("status")
    res["message"] = body.get("errorMessage", "")
    return res


def proc_stats(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    # Fields 14 and 15 of stat (utime, stime), counted from after the command name.
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    return {"rss_kb": rss, "cpu_s": round(cpu, 3)}

