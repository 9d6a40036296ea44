#!/usr/bin/env python3
"""Measures gate's overhead as a ratio against the plain test binary.

For each test binary: runs it plainly and under `gate run` (default rules,
eBPF engine on), alternating, N times each, and prints the median wall
times and their ratio. Also prints gate's own start-up (inspect, plan,
load and attach), reported by gate with GATE_TIMINGS=1.

Usage (as root, from the repository root):
    cargo build --release
    python3 bench/overhead.py [--runs 7]

Binaries: the clean fixtures (fixtures-go) and the test binaries of the
standard library packages encoding/json, sync and context.
"""

import argparse
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
STDLIB = ["encoding/json", "sync", "context"]


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
    args = parser.parse_args()
    if not os.path.exists(GATE):
        sys.exit(f"{GATE} missing: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        binaries = build(tmp)
        print(f"{'binary':<24} {'size MB':>7} {'plain s':>8} {'gate s':>8} {'ratio':>6} {'start-up ms':>12}")
        for name, path, cwd in binaries:
            plain, under, startup = [], [], []
            for _ in range(args.runs):
                t, proc = timed([path, "-test.count=1"], cwd)
                if proc.returncode != 0:
                    sys.exit(f"{name} failed plainly:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
                plain.append(t)
                env = dict(os.environ, GATE_TIMINGS="1")
                t, proc = timed([GATE, "run", path, "--", "-test.count=1"], cwd, env)
                if proc.returncode not in (0, 1):
                    sys.exit(f"gate failed on {name} (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
                under.append(t)
                # gate detaches its uprobes in a background process after it exits
                # (about 150 ms of kernel grace period per probe, 3 s for a full
                # plan here): let that finish, or it slows the next attach.
                time.sleep(3.5)
                m = re.search(r"start-up (\d+(?:\.\d+)?) ms", proc.stderr)
                if m:
                    startup.append(float(m.group(1)))
            p, g = statistics.median(plain), statistics.median(under)
            s = statistics.median(startup) if startup else float("nan")
            size = os.path.getsize(path) / 1e6
            print(f"{name:<24} {size:>7.1f} {p:>8.3f} {g:>8.3f} {g / p:>6.2f} {s:>12.0f}", flush=True)


if __name__ == "__main__":
    main()
