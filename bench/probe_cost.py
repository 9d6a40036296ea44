#!/usr/bin/env python3
"""Prices gate's probes: nanoseconds per goroutine, timer and allocation,
plainly and under `gate run` (default rules), from bench/churn.

Each operation kind runs 20,000 times (allocations 2,000,000) in its own
test, which writes its ns/op to a file; the script alternates plain and
gate runs and prints the medians and the added cost per operation.

Usage (as root, from the repository root):
    cargo build --release
    python3 bench/probe_cost.py [--runs 5]
"""

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GATE = os.path.join(ROOT, "target", "release", "gate")
CHURN = os.path.join(ROOT, "bench", "churn")


def run(cmd, out):
    if os.path.exists(out):
        os.remove(out)
    proc = subprocess.run(cmd, cwd=CHURN, env=dict(os.environ, CHURN_OUT=out), capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    with open(out) as f:
        return {name: float(ns) for name, ns in (line.split() for line in f)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(GATE):
        sys.exit(f"{GATE} missing: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "churn.test")
        subprocess.run(["go", "test", "-c", "-o", binary, "."], cwd=CHURN, check=True)
        out = os.path.join(tmp, "ns.txt")
        plain, under = collections.defaultdict(list), collections.defaultdict(list)
        for _ in range(args.runs):
            for name, ns in run([binary, "-test.count=1"], out).items():
                plain[name].append(ns)
            for name, ns in run([GATE, "run", binary, "--", "-test.count=1"], out).items():
                under[name].append(ns)
            time.sleep(0.5)  # gate's background detach (one grace period per link)
        print(f"{'operation':<12} {'plain ns':>9} {'gate ns':>9} {'added µs':>9}")
        for name in plain:
            p, g = statistics.median(plain[name]), statistics.median(under[name])
            print(f"{name:<12} {p:>9.0f} {g:>9.0f} {(g - p) / 1000:>9.2f}")


if __name__ == "__main__":
    main()
