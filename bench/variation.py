#!/usr/bin/env python3
"""Measures run-to-run variation of gate's metrics on this machine: the
noise a baseline comparison must tolerate.

Runs `gate run` N times on the same test binaries (same code, same flags),
reads each JSON report, and prints per metric the median and the spread
(largest deviation from the median, and the coefficient of variation),
over tests and benchmarks. Exact-mode tolerances must sit above the spread
of deterministic metrics; noisy metrics need the statistical mode.

Usage (as root, from the repository root):
    cargo build --release
    python3 bench/variation.py [--runs 10]

Targets: fixtures-go/regress/work (tests and a benchmark, -test.count 5) and
the encoding/json tests with their benchmarks filtered to one.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GATE = os.path.join(ROOT, "target", "release", "gate")

# The absolute floors of the built-in regression rules: changes below them are not regressions.
FLOORS = {"alloc.bytes": 262144, "alloc.objects": 1024}

TARGETS = [
    # (label, package, go test -c directory, test flags)
    ("regress/work", "./regress/work", os.path.join(ROOT, "fixtures-go"),
     ["-test.bench", ".", "-test.count", "5", "-test.benchtime", "200x"]),
    ("encoding/json", "encoding/json", ROOT,
     ["-test.run", "^Test(Marshal|Unmarshal|Encode|Decode)", "-test.bench", "^BenchmarkCodeEncoder$",
      "-test.count", "5", "-test.benchtime", "20x"]),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not os.access(GATE, os.X_OK):
        sys.exit(f"{GATE} not found: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        for label, pkg, cwd, flags in TARGETS:
            binary = os.path.join(tmp, label.replace("/", "_") + ".test")
            subprocess.run(["go", "test", "-c", "-o", binary, pkg], cwd=cwd, check=True)
            # subject -> metric -> [value per run]
            values = defaultdict(lambda: defaultdict(list))
            for i in range(args.runs):
                report_path = os.path.join(tmp, f"{i}.json")
                subprocess.run([GATE, "run", "--json", report_path, binary, "--", *flags],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with open(report_path) as f:
                    b = json.load(f)["binaries"][0]
                for test, metrics in b["metrics"]["tests"].items():
                    for m, v in metrics.items():
                        values[test][m].append(v)
                for bench, metrics in b["metrics"]["benchmarks"].items():
                    for m, v in metrics.items():
                        values[bench][m].append(v)
                # Within a run, the spread of ns/op samples (what the U test sees).
                for bench, metrics in b.get("samples", {}).get("benchmarks", {}).items():
                    s = metrics.get("bench.ns/op", [])
                    if len(s) > 1:
                        values[bench]["ns/op within a run (CV)"].append(statistics.pstdev(s) / statistics.mean(s))
            print(f"\n{label}: {args.runs} runs of gate (eBPF on), same code and flags")
            print(f"{'metric':26} {'subjects':>8} {'max abs dev':>12} {'max rel dev':>12} {'rel dev above floor':>20}")
            by_metric = defaultdict(list)  # metric -> [(median, abs dev, rel dev)]
            for subject in values:
                for metric, vs in values[subject].items():
                    if len(vs) < args.runs:
                        continue  # not measured in every run
                    med = statistics.median(vs)
                    dev = max(abs(v - med) for v in vs)
                    by_metric[metric].append((med, dev, dev / abs(med) if med else 0.0))
            for metric in sorted(by_metric):
                rows = by_metric[metric]
                if all(d == 0 for _, d, _ in rows) or metric.startswith("ns/op within"):
                    continue
                floor = FLOORS.get(metric)
                above = [r for m, _, r in rows if floor is not None and m >= floor]
                above_text = f"{max(above):.1%} (>= {floor:g})" if above else "-"
                print(f"{metric:26} {len(rows):8} {max(d for _, d, _ in rows):12.4g} "
                      f"{max(r for _, _, r in rows):11.1%} {above_text:>20}")
            for subject in sorted(values):
                for metric in ("bench.ns/op", "bench.B/op", "bench.allocs/op", "ns/op within a run (CV)"):
                    vs = values[subject].get(metric)
                    if vs:
                        med = statistics.median(vs)
                        dev = max(abs(v - med) for v in vs) / abs(med) if med else 0.0
                        print(f"  {subject}: {metric}: median {med:.4g}, max deviation {dev:.1%}")


if __name__ == "__main__":
    main()
