#!/usr/bin/env python3
"""Measures gate's overhead as a ratio against the plain test binary.

For each test binary: runs it plainly and under `gate run` (default rules,
eBPF engine on), alternating, N times each, and prints the median wall
times and their ratio. Also prints gate's own start-up (inspect, plan,
load and attach), reported by gate with GATE_TIMINGS=1.

Usage (as root, from the repository root):
    cargo build --release
    python3 bench/overhead.py [--runs 7] [--rules default|all]

--rules all enables every opt-in rule too, except those that change what
runs rather than watch it: build variants (a second build and run with
-race or checkptr) and allocation scopes (-test.memprofilerate=1, every
allocation sampled by the Go runtime itself).

Binaries: the clean fixtures (fixtures-go) and the test binaries of the
standard library packages encoding/json, sync and context. The ratio is the
median of the per-pair ratios (each gate run against the plain run just
before it, which cancels slow drifts of a shared machine's speed), with the
25th-75th percentile of those pairs beside it.

Then start-up alone on large test binaries (net/http, 15.8 MB, and cmd/go,
23 MB), run with -test.run='^$' so that no test runs.
"""

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GATE = os.path.join(ROOT, "target", "release", "gate")
FIXTURES = ["gc/calm", "leak/clean", "pool/reused", "alloc/builder", "ticker/stopped"]
STDLIB = ["encoding/json", "sync", "compress/flate", "regexp", "context"]
LARGE = ["net/http", "cmd/go"]


def build(out_dir):
    binaries = []
    for pkg in FIXTURES:
        out = os.path.join(out_dir, pkg.replace("/", "_") + ".test")
        subprocess.run(["go", "test", "-c", "-o", out, "./" + pkg], cwd=os.path.join(ROOT, "fixtures-go"), check=True)
        binaries.append(("fixtures-go/" + pkg, out, os.path.join(ROOT, "fixtures-go", pkg)))
    for pkg in STDLIB:
        out = os.path.join(out_dir, pkg.replace("/", "_") + ".test")
        subprocess.run(["go", "test", "-c", "-o", out, pkg], check=True)
        src = subprocess.run(["go", "list", "-f", "{{.Dir}}", pkg], check=True, capture_output=True, text=True).stdout.strip()
        binaries.append((pkg, out, src))
    return binaries


def timed(cmd, cwd, env=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", action="append", default=[], help="measure only this binary (repeatable), e.g. --only encoding/json")
    parser.add_argument("--rules", choices=["default", "all"], default="default")
    args = parser.parse_args()
    global EXTRA
    EXTRA = [] if args.rules == "default" else [a for r in watching_opt_in_rules() for a in ("--enable", r)]
    if EXTRA:
        print("enabled opt-in rules:", " ".join(EXTRA[1::2]))
    if not os.path.exists(GATE):
        sys.exit(f"{GATE} missing: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        binaries = [b for b in build(tmp) if not args.only or b[0] in args.only]
        print(f"{'binary':<24} {'size MB':>7} {'plain s':>8} {'gate s':>8} {'ratio':>6} {'p25-p75':>10} {'start-up ms':>12} {'after ms':>9}")
        for name, path, cwd in binaries:
            plain, under, startup, after = [], [], [], []
            for _ in range(args.runs):
                t, proc = timed([path, "-test.count=1"], cwd)
                if proc.returncode != 0:
                    sys.exit(f"{name} failed plainly:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
                plain.append(t)
                t, proc = gate_run(path, cwd, ["-test.count=1"])
                under.append(t)
                startup.extend(phase(proc, "start-up"))
                after.extend(phase(proc, "after the run"))
            ratios = sorted(g / p for p, g in zip(plain, under))
            q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
            size = os.path.getsize(path) / 1e6
            print(
                f"{name:<24} {size:>7.1f} {statistics.median(plain):>8.3f} {statistics.median(under):>8.3f} "
                f"{statistics.median(ratios):>6.2f} {q[0]:>4.2f}-{q[2]:<5.2f} {median(startup):>12.0f} {median(after):>9.0f}",
                flush=True,
            )
        print(f"\n{'start-up only':<24} {'size MB':>7} {'start-up ms':>12} {'inspect':>8} {'plan':>6} {'load+attach':>12}")
        for pkg in [p for p in LARGE if not args.only or p in args.only]:
            out = os.path.join(tmp, pkg.replace("/", "_") + ".test")
            subprocess.run(["go", "test", "-c", "-o", out, pkg], check=True)
            src = subprocess.run(["go", "list", "-f", "{{.Dir}}", pkg], check=True, capture_output=True, text=True).stdout.strip()
            parts = []
            for _ in range(args.runs):
                _, proc = gate_run(out, src, ["-test.run=^$"])
                m = re.search(r"start-up ([\d.]+) ms \(inspect ([\d.]+), plan ([\d.]+), load\+attach ([\d.]+)\)", proc.stderr)
                if m:
                    parts.append([float(x) for x in m.groups()])
            cols = [median([p[i] for p in parts]) for i in range(4)]
            size = os.path.getsize(out) / 1e6
            print(f"{pkg:<24} {size:>7.1f} {cols[0]:>12.0f} {cols[1]:>8.0f} {cols[2]:>6.0f} {cols[3]:>12.0f}", flush=True)


EXTRA = []


def watching_opt_in_rules():
    """Opt-in rules that only watch the run (no build variant, no heap profile)."""
    import tomllib

    ids = []
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.toml"))):
        with open(path, "rb") as f:
            rule = tomllib.load(f)
        if rule.get("enabled", True) or rule.get("build"):
            continue
        if any(p.get("kind") == "alloc" for p in rule.get("probe", [])):
            continue
        ids.append(rule["id"])
    return ids


def gate_run(path, cwd, flags):
    env = dict(os.environ, GATE_TIMINGS="1")
    # A start-up-only run (-test.run=^$) runs no test on purpose.
    t, proc = timed([GATE, "run", "--allow-no-tests"] + EXTRA + [path, "--"] + flags, cwd, env)
    if proc.returncode not in (0, 1):
        sys.exit(f"gate failed on {path} (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    # gate detaches its probes in a background process after it exits: one
    # kernel grace period per program with uprobe-multi links (a few hundred
    # ms in all, waiting rather than working). A short pause keeps that
    # waiting out of the next plain run.
    time.sleep(0.5)
    return t, proc


def phase(proc, label):
    """The milliseconds gate reported for one phase (GATE_TIMINGS=1)."""
    return [float(m) for m in re.findall(label + r" ([\d.]+) ms", proc.stderr)]


def median(values):
    return statistics.median(values) if values else float("nan")

if __name__ == "__main__":
    main()
