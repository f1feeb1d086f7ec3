#!/usr/bin/env python3
"""Worst-case benchmark: each shape of crates/bench/src/worst.rs at growing sizes, through the release CLI
(`canary-deployments expand`) and the release Lambda binary (scripts/lambda_once.py), with CPU time
(user + system) and peak RSS against the input's size. Driven by bench/worst.sh.

Usage: worst.py TARGET_DIR [--quick]
Writes bench/results/worst.{md,json,svg} and prints the table. --quick runs the two smallest sizes.
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import lambda_once  # noqa: E402

# What N counts per shape, and the sizes: each doubles, up to about the 6 MB an event may have (or,
# for conditions, to the nesting limit).
SHAPES = [
    ("glob", "stars in one IAM Action", [250_000, 500_000, 1_000_000, 2_000_000, 4_000_000]),
    ("conditions", "named conditions, each Fn::Or of the next 10x", [5, 10, 20, 40]),
    ("long-hook", "characters of PreTrafficHook", [250_000, 500_000, 1_000_000, 2_000_000, 4_000_000]),
    ("long-ids", "characters of each of 30 hooks (200-char IDs)", [25_000, 50_000, 100_000, 200_000]),
    ("long-default", "functions inheriting a 1 MB trigger name from the defaults", [10, 20, 40, 80]),
    ("rollback", "functions with every RollbackOn metric", [1250, 2500, 5000, 10000, 15000]),
    ("small", "small marked functions", [3125, 6250, 12500, 25000]),
    ("triggers", "functions x 10 trigger topics", [375, 750, 1500, 3000]),
]


def cli_run(cli, path):
    with tempfile.NamedTemporaryFile("r") as times:
        cmd = ["/usr/bin/time", "-o", times.name, "-f", "%U %S %M", cli, "expand", path]
        run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
        user, system, rss_kb = times.read().split()[-3:]
    return {"cpu_s": round(float(user) + float(system), 3), "rss_mb": round(int(rss_kb) / 1024, 1),
            "exit": run.returncode}


def measure(target, shape, n, tmp):
    bench = os.path.join(target, "canary-bench")
    template = subprocess.run([bench, "worst", shape, str(n)], capture_output=True, check=True).stdout
    event = subprocess.run([bench, "worst", shape, str(n), "event"], capture_output=True, check=True).stdout
    path = os.path.join(tmp, f"{shape}-{n}.json")
    with open(path, "wb") as f:
        f.write(template)
    cli = cli_run(os.path.join(target, "canary-deployments"), path)
    lam = lambda_once.run(os.path.join(target, "canary-lambda"), event)
    return {
        "shape": shape, "n": n, "event_mb": round(len(event) / 1e6, 3),
        "cli_cpu_s": cli["cpu_s"], "cli_rss_mb": cli["rss_mb"], "cli_exit": cli["exit"],
        "lambda_cpu_s": lam["cpu_s"], "lambda_rss_mb": round((lam["peak_rss_kb"] or 0) / 1024, 1),
        "lambda_status": lam["status"],
    }


def table(rows):
    out = ["| shape | N | event MB | CLI CPU s | CLI peak RSS MB | CLI exit | Lambda CPU s | Lambda peak RSS MB | Lambda answer |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        out.append(f"| {r['shape']} | {r['n']:,} | {r['event_mb']:.2f} | {r['cli_cpu_s']:.2f} | {r['cli_rss_mb']:.0f} | "
                   f"{r['cli_exit']} | {r['lambda_cpu_s']:.2f} | {r['lambda_rss_mb']:.0f} | {r['lambda_status']} |")
    return "\n".join(out)


def svg(rows, path):
    """Two panels against the event's size: the CLI's CPU time and both binaries' peak RSS."""
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    width, height, pad = 900, 360, 50
    panel = (width - 3 * pad) // 2
    xmax = max(r["event_mb"] for r in rows) or 1
    panels = [("CLI CPU time (s)", "cli_cpu_s"), ("peak RSS (MB): CLI solid, Lambda dashed", "cli_rss_mb")]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>']
    for p, (title, key) in enumerate(panels):
        x0 = pad + p * (panel + pad)
        keys = [key] + (["lambda_rss_mb"] if key == "cli_rss_mb" else [])
        ymax = max(r[k] for r in rows for k in keys) or 1
        sx = lambda v: x0 + v / xmax * panel  # noqa: E731
        sy = lambda v: height - pad - v / ymax * (height - 2 * pad)  # noqa: E731
        out.append(f'<text x="{x0}" y="{pad - 20}" font-size="13">{title}</text>')
        out.append(f'<line x1="{x0}" y1="{height - pad}" x2="{x0 + panel}" y2="{height - pad}" stroke="black"/>')
        out.append(f'<line x1="{x0}" y1="{pad}" x2="{x0}" y2="{height - pad}" stroke="black"/>')
        out.append(f'<text x="{x0 + panel / 2}" y="{height - 15}" text-anchor="middle">event size (MB)</text>')
        for frac in (0, 0.5, 1):
            out.append(f'<text x="{sx(xmax * frac)}" y="{height - pad + 14}" text-anchor="middle">{xmax * frac:.1f}</text>')
            out.append(f'<text x="{x0 - 5}" y="{sy(ymax * frac) + 4}" text-anchor="end">{ymax * frac:.2g}</text>')
        for i, (shape, _, _) in enumerate(SHAPES):
            pts = [r for r in rows if r["shape"] == shape]
            for k in keys:
                dash = ' stroke-dasharray="4,3"' if k == "lambda_rss_mb" else ""
                line = " ".join(f"{sx(r['event_mb']):.1f},{sy(r[k]):.1f}" for r in pts)
                out.append(f'<polyline points="{line}" fill="none" stroke="{colors[i]}" stroke-width="1.5"{dash}/>')
            if p == 0:
                out.append(f'<text x="{x0 + 10}" y="{pad + 14 * i}" fill="{colors[i]}">{shape}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    target, quick = argv[1], "--quick" in argv
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape, _, sizes in SHAPES:
            for n in sizes[:2] if quick else sizes:
                row = measure(target, shape, n, tmp)
                rows.append(row)
                print(json.dumps(row), flush=True)
    os.makedirs(RESULTS, exist_ok=True)
    text = table(rows)
    legend = "\n".join(f"- `{shape}`: N = {what}" for shape, what, _ in SHAPES)
    with open(os.path.join(RESULTS, "worst.md"), "w") as f:
        f.write(text + "\n\n" + legend + "\n")
    with open(os.path.join(RESULTS, "worst.json"), "w") as f:
        json.dump(rows, f, indent=1)
    svg(rows, os.path.join(RESULTS, "worst.svg"))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
