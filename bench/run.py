"""Benchmarks the CanaryDeployments engine against the floor and its peers, in one run.

Called by bench/run.sh (which builds and installs what it needs first). Steps:
1. `canary-bench generate` writes the workload (N = 10, 50, 200, 500 and a template just under 1 MB).
2. criterion (crates/bench/benches/expand.rs) times, in-process, per N: the floor (serde_json
   parse + serialize), our parse + expand + serialize, and expand alone. Medians are read from
   target/criterion/.
3. aws-sam-translator (peers/sam_translate.py) and serverless-plugin-canary-deployments
   (peers/plugin.js) run on the equivalent templates: in-process (median of repetitions after a
   warm-up, start-up and imports excluded) and as whole processes (start-up included).
4. Our release binaries run as whole processes too; the Lambda binary (or, while it is not built,
   the CLI) expands the 1 MB template for peak RSS; binary sizes are read from disk.
5. Prints the tables, writes bench/results/{results.json,results.md,expand-time.svg}.
"""

import argparse
import json
import math
import os
import re
import resource
import shutil
import tempfile
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
RELEASE = os.path.join(TARGET, "release")
WORK = os.path.join(TARGET, "canary-bench")
RESULTS = os.path.join(BENCH, "results")
SIZES = [10, 50, 200, 500]

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import lambda_once  # noqa: E402

# Repetitions per N: (warm-up, in-process repetitions, extra whole-process runs). Both peers grow
# with the square of N (SAM rebuilds its OpenAPI bodies per path; the plugin scans every resource
# per function): on 2 cores SAM takes about 35 s at N = 200 and minutes at N = 500, the plugin about
# 5 s and 90 s (SAM at N = 500 runs only with --full). So from N = 200 on each peer runs once per N, cold, in one process whose wall time
# is also its whole-process time.
SAM_DEFAULT_MAX_N = 200  # SAM at N = 500 takes minutes on 2 cores: only with --full
SAM_REPS = {10: (1, 10, 3), 50: (1, 3, 2), 200: (0, 1, 0), 500: (0, 1, 0)}
PLUGIN_REPS = {10: (2, 10, 3), 50: (2, 5, 3), 200: (0, 1, 0), 500: (0, 1, 0)}
OUR_PROCESS_RUNS = 10
# Back-to-back pairs of floor and ours per N (None: the large template).
PAIRED_REPS = {10: 400, 50: 100, 200: 40, 500: 20, None: 40}
SCALE_REPS = 15

TARGETS = {"ratio_floor": 1.5, "scaling_500_50": 12.0, "sam_speedup_200": 500.0, "rss_mb": 32.0, "binary_mb": 4.0}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(cmd, **kw):
    """Runs cmd to completion; returns (wall seconds, CPU seconds, stdout, stderr). Children run one at
    a time, so the growth of RUSAGE_CHILDREN is this child's CPU time (user + system, all threads)."""
    cpu_before = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    cpu = children_cpu() - cpu_before
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()[-2000:]}")
    return wall, cpu, out, err


def peak_rss_of(cmd):
    """Peak resident set of one run of cmd, in KiB, as /usr/bin/time reports it. Not ru_maxrss of a
    child of this script: Linux counts the forked copy of the parent before exec in that maximum, and
    this Python process is larger than what it measures."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return int(proc.stderr.decode().strip().splitlines()[-1])


def criterion_median(case, bench):
    path = os.path.join(TARGET, "criterion", f"expand_{case}", bench, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / 1e9


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_decade(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale * 0.999:
            return f"{round(seconds / scale):g} {unit}"
    return f"{seconds:g} s"


def fmt_ratio(r):
    if r is None:
        return "-"
    if r >= 100:
        return f"{r:,.0f}×"
    return f"{r:.2f}×"


def ratio(a, b):
    return a / b if a is not None and b else None


# --- peers ---------------------------------------------------------------------------------------

def run_peer(cmd_prefix, path, reps):
    warmup, n_reps, extra = reps
    cmd = cmd_prefix + [path, "--reps", str(n_reps), "--warmup", str(warmup)]
    wall, cpu, out, _ = run_timed(cmd, cwd=BENCH)
    report = json.loads(out.decode().strip().splitlines()[-1])
    process = []
    if warmup == 0 and n_reps == 1:
        process.append((wall, cpu))
    for _ in range(extra):
        w, c, _, _ = run_timed(cmd_prefix + [path], cwd=BENCH)
        process.append((w, c))
    return {
        "in_process_s": statistics.median(report["cpu_s"]),
        "in_process_wall_s": statistics.median(report["times_s"]),
        "in_process_samples_s": report["cpu_s"],
        "process_s": statistics.median(c for _, c in process) if process else None,
        "process_wall_s": statistics.median(w for w, _ in process) if process else None,
        "input_bytes": report["input_bytes"],
        "output_bytes": report["output_bytes"],
        "deployment_groups": report["deployment_groups"],
    }


# --- our binaries --------------------------------------------------------------------------------

def our_expand_command(path):
    """The CLI when it expands; `canary-bench expand` (the same library call) while it is a shell."""
    cli = os.path.join(RELEASE, "canary-deployments")
    if os.path.exists(cli):
        proc = subprocess.run([cli, "expand", path], capture_output=True)
        if proc.returncode == 0 and proc.stdout.strip():
            return [cli, "expand", path], "canary-deployments expand"
    return [os.path.join(RELEASE, "canary-bench"), "expand", path], "canary-bench expand"


def engine_stats(path):
    _, _, _, err = run_timed([os.path.join(RELEASE, "canary-bench"), "expand", path])
    return json.loads(err.decode().strip().splitlines()[-1])


def instructions(args):
    """Instructions executed by one run of `canary-bench ARGS` under callgrind: a count that other
    work on the machine does not disturb. None when valgrind is not installed."""
    if not shutil.which("valgrind"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", os.path.join(RELEASE, "canary-bench")]
        proc = subprocess.run(cmd + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    found = re.search(r"Collected : (\d+)", proc.stderr.decode())
    return int(found.group(1)) if found else None


# --- plot ----------------------------------------------------------------------------------------

def svg_plot(rows, path):
    """Time against N, both axes logarithmic; in-process solid, whole process dashed."""
    series = [
        ("floor: serde_json parse + serialize", "#888888", "floor_s", False),
        ("CanaryDeployments: parse + expand + serialize", "#1f77b4", "ours_s", False),
        ("aws-sam-translator", "#d62728", "sam_s", False),
        ("serverless-plugin-canary-deployments", "#2ca02c", "plugin_s", False),
        ("CanaryDeployments, whole process", "#1f77b4", "ours_process_s", True),
        ("aws-sam-translator, whole process", "#d62728", "sam_process_s", True),
        ("serverless plugin, whole process", "#2ca02c", "plugin_process_s", True),
    ]
    values = [r[key] for r in rows for _, _, key, _ in series if r.get(key)]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    width, height = 900, 480
    left, right, top, bottom = 90, 330, 40, 60
    pw, ph = width - left - right, height - top - bottom
    n_lo, n_hi = math.log10(SIZES[0]), math.log10(SIZES[-1])

    def x(n):
        return left + (math.log10(n) - n_lo) / (n_hi - n_lo) * pw

    def y(t):
        return top + (math.log10(hi) - math.log10(t)) / (math.log10(hi) - math.log10(lo)) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">'
        "Time per template against marked functions (log-log; solid in-process, dashed whole process)</text>",
    ]
    decade = lo
    while decade <= hi * 1.0001:
        yy = y(decade)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{fmt_decade(decade)}</text>')
        decade *= 10
    for n in SIZES:
        xx = x(n)
        out.append(f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + ph}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{xx:.1f}" y="{top + ph + 18}" text-anchor="middle">{n}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(
        f'<text x="{left + pw / 2}" y="{height - 16}" text-anchor="middle">'
        "marked functions N (each with 6 event sources, a hook and an alarm)</text>"
    )
    out.append(
        f'<text x="16" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + ph / 2})">CPU time per template</text>'
    )
    for i, (label, color, key, dashed) in enumerate(series):
        pts = [(x(r["n"]), y(r[key])) for r in rows if r.get(key)]
        if not pts:
            continue
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        d = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for px, py in pts:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>')
        ly = top + 10 + i * 22
        lx = left + pw + 14
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 30}" y="{ly + 4}" font-size="11">{label}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# --- main ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-criterion", action="store_true", help="reuse the last criterion results")
    ap.add_argument("--skip-peers", action="store_true", help="measure only our engine")
    ap.add_argument("--peers-max-n", type=int, default=500, help="run the peers only up to this N")
    ap.add_argument("--full", action="store_true", help="also run aws-sam-translator at N = 500 (minutes)")
    ap.add_argument("--skip-instructions", action="store_true", help="no callgrind instruction counts")
    args = ap.parse_args()
    os.makedirs(RESULTS, exist_ok=True)
    load_start = os.getloadavg()[0]
    bench_bin = os.path.join(RELEASE, "canary-bench")

    log("== workload")
    subprocess.run([bench_bin, "generate", WORK], check=True)
    cases = [str(n) for n in SIZES] + ["large"]
    stats = {case: engine_stats(os.path.join(WORK, f"cfn-{case}.json")) for case in cases}
    real = all(
        s["errors"] == 0 and s["functions_marked"] > 0 and s["resources_added"] > 0 for s in stats.values()
    )
    if not real:
        log("!! the engine did not expand the workload (pass-through or errors): numbers are not real yet")

    if not args.skip_criterion:
        log("== criterion (in-process): cargo bench -p canary-bench --bench expand")
        subprocess.run(
            ["cargo", "bench", "-p", "canary-bench", "--bench", "expand", "--", "--noplot"],
            cwd=ROOT,
            check=True,
            stdout=sys.stderr,
        )

    rows = []
    for case in cases:
        path = os.path.join(WORK, f"cfn-{case}.json")
        row = {"case": case, "n": int(case) if case.isdigit() else None, "engine": stats[case]}
        row["floor_s"] = criterion_median(case, "floor")
        row["ours_s"] = criterion_median(case, "parse_expand_serialize")
        row["expand_only_s"] = criterion_median(case, "expand_only")
        # Floor and ours back to back, REPS pairs: the ratio of each pair, median over pairs.
        log(f"== paired floor / ours, {case}")
        _, _, out, _ = run_timed([bench_bin, "time", path, str(PAIRED_REPS.get(row["n"], 40))])
        row["paired_ratio"] = json.loads(out)["paired_ratio"]
        cmd, row["ours_process_cmd"] = our_expand_command(path)
        log(f"== our whole process, {case}: {' '.join(cmd)}")
        runs = [run_timed(cmd)[:2] for _ in range(OUR_PROCESS_RUNS)]
        row["ours_process_wall_s"] = statistics.median(w for w, _ in runs)
        row["ours_process_s"] = statistics.median(c for _, c in runs)
        if not args.skip_instructions:
            log(f"== instruction counts (callgrind), {case}")
            row["floor_instructions"] = instructions(["floor", path])
            row["ours_instructions"] = instructions(["expand", path])
        if row["n"] and not args.skip_peers and row["n"] <= args.peers_max_n:
            n = row["n"]
            sam = None
            if n <= SAM_DEFAULT_MAX_N or args.full:
                log(f"== aws-sam-translator, N={n}")
                sam = run_peer([sys.executable, "peers/sam_translate.py"], os.path.join(WORK, f"sam-{n}.json"), SAM_REPS[n])
            log(f"== serverless-plugin-canary-deployments, N={n}")
            plugin = run_peer(["node", "peers/plugin.js"], os.path.join(WORK, f"sls-{n}.json"), PLUGIN_REPS[n])
            row.update({
                "plugin": plugin, "plugin_s": plugin["in_process_s"],
                "plugin_process_s": plugin["process_s"], "plugin_process_wall_s": plugin["process_wall_s"],
            })
            if sam:
                row.update({
                    "sam": sam, "sam_s": sam["in_process_s"],
                    "sam_process_s": sam["process_s"], "sam_process_wall_s": sam["process_wall_s"],
                })
        rows.append(row)

    log("== Lambda process figures")
    lambda_bin = os.path.join(RELEASE, "canary-lambda")
    cli_bin = os.path.join(RELEASE, "canary-deployments")
    large = os.path.join(WORK, "cfn-large.json")
    rss_kib, rss_status = (None, None)
    rss_of = None
    if os.path.exists(lambda_bin):
        with open(os.path.join(WORK, "event-large.json"), "rb") as f:
            answer = lambda_once.run(lambda_bin, f.read())
        rss_kib = answer["peak_rss_kb"]
        rss_status = answer["status"] if rss_kib is not None else None
        rss_of = "canary-lambda (one macro event through a local runtime API)"
    if rss_kib is None:
        cmd, what = our_expand_command(large)
        rss_kib = peak_rss_of(cmd)
        rss_of = f"{what} on the 1 MB template (canary-lambda did not answer an event)"
    sizes = {b: os.path.getsize(os.path.join(RELEASE, b)) for b in ("canary-lambda", "canary-deployments") if os.path.exists(os.path.join(RELEASE, b))}

    by_n = {r["n"]: r for r in rows if r["n"]}
    # Growth from N = 50 to N = 500 timed back to back, per repetition, as the floor pairs are:
    # two criterion medians taken minutes apart moved by up to 2x between runs on a shared machine.
    log("== paired scaling, N = 50 to N = 500")
    _, _, out, _ = run_timed(
        [bench_bin, "scale", os.path.join(WORK, "cfn-50.json"), os.path.join(WORK, "cfn-500.json"), str(SCALE_REPS)]
    )
    paired_scaling = json.loads(out)
    scaling_paired, scaling_floor_paired = paired_scaling["ours_scaling"], paired_scaling["floor_scaling"]
    scaling = ratio(by_n[500]["ours_s"], by_n[50]["ours_s"])
    scaling_expand = ratio(by_n[500]["expand_only_s"], by_n[50]["expand_only_s"])
    scaling_instr = ratio(by_n[500].get("ours_instructions"), by_n[50].get("ours_instructions"))
    worst_floor = max(r["ours_s"] / r["floor_s"] for r in rows)
    worst_paired = max(r["paired_ratio"] for r in rows)
    worst_expand_alone = max(r["expand_only_s"] / r["floor_s"] for r in rows)
    sam200 = ratio(by_n[200].get("sam_s"), by_n[200]["ours_s"])
    sam200_process = ratio(by_n[200].get("sam_process_s"), by_n[200]["ours_process_s"])
    lambda_mb = sizes.get("canary-lambda", 0) / 1e6
    rss_mib = rss_kib / 1024
    scaling_floor = ratio(by_n[500]["floor_s"], by_n[50]["floor_s"])
    scaling_text = (
        f"{scaling_paired:.1f} in back-to-back runs (the floor itself {scaling_floor_paired:.1f}); "
        f"from criterion's medians {scaling:.1f} (expand alone {scaling_expand:.1f}, the floor {scaling_floor:.1f})"
    )
    verdicts = [
        (
            "parse + expand + serialize ≤ 1.5 × floor at every N",
            f"worst {worst_paired:.2f} in back-to-back pairs ({worst_floor:.2f} from criterion's medians)",
            worst_paired <= TARGETS["ratio_floor"],
        ),
        (
            "expand alone ≤ 1.5 × floor at every N (the narrower reading: the expansion, without the parse and serialize it shares with the floor)",
            f"worst {worst_expand_alone:.2f}",
            worst_expand_alone <= TARGETS["ratio_floor"],
        ),
        ("time(500) / time(50) ≤ 12, the whole request by CPU time", scaling_text, scaling_paired <= TARGETS["scaling_500_50"]),
        (
            "time(500) / time(50) ≤ 12, the whole request by instructions (what the machine's caches do not change)",
            f"{scaling_instr:.1f}" if scaling_instr else "not measured (no valgrind)",
            scaling_instr is not None and scaling_instr <= TARGETS["scaling_500_50"],
        ),
        (
            "≥ 500× faster than aws-sam-translator at N = 200",
            f"{fmt_ratio(sam200)} in-process, {fmt_ratio(sam200_process)} as processes",
            sam200 is not None and sam200 >= TARGETS["sam_speedup_200"],
        ),
        ("peak RSS ≤ 32 MB (MiB, as Lambda counts) on the 1 MB template", f"{rss_mib:.1f} MiB ({rss_of})", rss_mib <= TARGETS["rss_mb"]),
        ("canary-lambda release binary ≤ 4 MB", f"{lambda_mb:.2f} MB" if sizes.get("canary-lambda") else "not built", bool(sizes.get("canary-lambda")) and lambda_mb <= TARGETS["binary_mb"]),
    ]

    def label(r):
        return str(r["n"]) if r["n"] else f"1 MB ({stats['large']['functions_marked']} fns)"

    md = []
    md.append(
        f"Machine: {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"load average {load_start:.1f} at the start and {os.getloadavg()[0]:.1f} at the end."
    )
    md.append("Times are CPU time (user + system), which other work on a shared machine disturbs far less than wall time.")
    md.append("")
    if not real:
        md.append("**The engine did not expand the workload in this run (pass-through or errors): these are not real numbers.**")
        md.append("")
    md.append("In-process, median CPU time per template (ours: criterion; peers: their own timers around one transform, start-up and imports excluded; \"pairs\": the median ratio of floor and ours run back to back, which machine load disturbs least):")
    md.append("")
    md.append("| N | input | floor (parse + serialize) | ours (parse + expand + serialize) | expand alone | ours / floor | ours / floor (pairs) | aws-sam-translator | SAM / ours | serverless plugin | plugin / ours |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        md.append(
            f"| {label(r)} | {r['engine']['input_bytes'] / 1e3:.0f} kB | {fmt_time(r['floor_s'])} | {fmt_time(r['ours_s'])} | "
            f"{fmt_time(r['expand_only_s'])} | {r['ours_s'] / r['floor_s']:.2f} | {r['paired_ratio']:.2f} | {fmt_time(r.get('sam_s'))} | "
            f"{fmt_ratio(ratio(r.get('sam_s'), r['ours_s']))} | {fmt_time(r.get('plugin_s'))} | "
            f"{fmt_ratio(ratio(r.get('plugin_s'), r['ours_s']))} |"
        )
    if any(r.get("ours_instructions") for r in rows):
        md.append("")
        md.append("Instructions executed (callgrind, one `canary-bench floor|expand FILE` process each; independent of machine load):")
        md.append("")
        md.append("| N | floor | ours | ours / floor |")
        md.append("|---|---|---|---|")
        for r in rows:
            fi, oi = r.get("floor_instructions"), r.get("ours_instructions")
            if fi and oi:
                md.append(f"| {label(r)} | {fi / 1e6:.1f} M | {oi / 1e6:.1f} M | {oi / fi:.2f} |")
    md.append("")
    md.append("Whole process, median CPU time (wall time in brackets); interpreter start-up, reading the file and writing the output included:")
    md.append("")
    md.append("| N | ours | aws-sam-translator (python3) | SAM / ours | serverless plugin (node) | plugin / ours |")
    md.append("|---|---|---|---|---|---|")

    def both(r, key):
        if r.get(f"{key}_s") is None:
            return "-"
        return f"{fmt_time(r[f'{key}_s'])} ({fmt_time(r.get(f'{key}_wall_s'))})"

    for r in rows:
        if not r["n"]:
            continue
        md.append(
            f"| {r['n']} | {both(r, 'ours_process')} | {both(r, 'sam_process')} | "
            f"{fmt_ratio(ratio(r.get('sam_process_s'), r['ours_process_s']))} | {both(r, 'plugin_process')} | "
            f"{fmt_ratio(ratio(r.get('plugin_process_s'), r['ours_process_s']))} |"
        )
    md.append("")
    md.append(f"Our whole process is `{rows[0]['ours_process_cmd']} FILE`.")
    if not args.full:
        md.append("aws-sam-translator at N = 500 runs only with `--full` (minutes on 2 cores).")
    md.append("")
    md.append("| target | measured | holds |")
    md.append("|---|---|---|")
    for what, measured, ok in verdicts:
        md.append(f"| {what} | {measured} | {'yes' if ok else 'NO'} |")
    md.append("")
    md.append("Release binaries: " + ", ".join(f"`{b}` {s / 1e6:.2f} MB" for b, s in sizes.items()) + ".")
    text = "\n".join(md) + "\n"

    with open(os.path.join(RESULTS, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(RESULTS, "results.json"), "w") as f:
        json.dump({
            "engine_expanded": real, "rows": rows, "peak_rss_kib": rss_kib, "peak_rss_of": rss_of,
            "lambda_response_status": rss_status, "binary_bytes": sizes, "paired_scaling_50_to_500": paired_scaling,
            "targets": [{"target": w, "measured": m, "holds": ok} for w, m, ok in verdicts],
        }, f, indent=1)
    if not args.skip_peers:
        svg_plot([r for r in rows if r["n"]], os.path.join(RESULTS, "expand-time.svg"))
    print(text)


if __name__ == "__main__":
    main()
