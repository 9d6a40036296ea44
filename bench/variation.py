#!/usr/bin/env python3
"""Measures run-to-run variation of gate's metrics on this machine, and how
often the built-in regression rules would fire on identical code.

Runs `gate run` N times on the same packages (same code, same flags), reads
each JSON report, and prints per metric the spread over tests and
benchmarks (largest deviation from the median), then compares every
ordered pair of runs (one as the baseline, the other as the change) with
the tolerances of the built-in rules (read from rules/alloc-regression.toml
and rules/bench-regression.toml): the exact rules on allocation bytes and
objects, allocs/op and B/op, and the statistical ns/op rule (Mann-Whitney
U and a minimum effect) on one sample per run, 4 runs against 4 (random
splits of the N runs), as gate judges with `--repeat 4`; and for contrast
the same test on the -test.count samples of one process against another's,
which gate does not judge on. Every alarm counted is a false alarm: the
code did not change.

Usage (as root, from the repository root):
    cargo build --release
    python3 bench/variation.py [--runs 10]

Targets: fixtures-go/regress/work, and encoding/json's tests with one of its
benchmarks, both with -test.count 5.
"""

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GATE = os.path.join(ROOT, "target", "release", "gate")

# (label, package pattern as gate takes it, test flags)
TARGETS = [
    ("regress/work", "./fixtures-go/regress/work",
     ["-test.bench", ".", "-test.count", "5", "-test.benchtime", "200x"]),
    ("encoding/json", "encoding/json",
     ["-test.run", "^Test(Marshal|Unmarshal|Encode|Decode)", "-test.bench", "^BenchmarkCodeEncoder$",
      "-test.count", "5", "-test.benchtime", "100x"]),
]



def tolerances():
    """metric -> (mode, relative, absolute, alpha) from the built-in regression rules."""
    out = {}
    for rule in ("alloc-regression", "bench-regression"):
        with open(os.path.join(ROOT, "rules", rule + ".toml"), "rb") as f:
            for r in tomllib.load(f)["regression"]:
                for m in r.get("metrics", [r.get("metric")]):
                    out[m] = (r["mode"], r.get("relative", 0.0), r.get("absolute", 0.0), r.get("alpha", 0.05),
                              r.get("statistic", "median"))
    return out


def mann_whitney_p(a, b):
    """Two-sided exact p-value by enumeration (small samples), as gate computes it without ties."""
    pooled = sorted(a + b)
    if len(set(pooled)) < len(pooled):
        return None  # ties: gate uses the normal approximation; skipped here
    rank = {v: i + 1 for i, v in enumerate(pooled)}
    n1, n2 = len(a), len(b)
    u = sum(rank[v] for v in a) - n1 * (n1 + 1) / 2
    mean = n1 * n2 / 2
    count = extreme = 0
    for combo in itertools.combinations(range(1, n1 + n2 + 1), n1):
        uc = sum(combo) - n1 * (n1 + 1) / 2
        count += 1
        if abs(uc - mean) >= abs(u - mean) - 1e-9:
            extreme += 1
    return extreme / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not os.access(GATE, os.X_OK):
        sys.exit(f"{GATE} not found: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        for label, pattern, flags in TARGETS:
            values = defaultdict(lambda: defaultdict(list))  # subject -> metric -> [median per run]
            ns_samples = defaultdict(list)                    # benchmark -> [[ns/op samples] per run]
            all_samples = defaultdict(lambda: defaultdict(list))  # benchmark -> metric -> [[samples] per run]
            for i in range(args.runs):
                report_path = os.path.join(tmp, f"{i}.json")
                subprocess.run([GATE, "run", "--json", report_path, pattern, "--", *flags],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with open(report_path) as f:
                    b = json.load(f)["binaries"][0]
                for scope in ("tests", "benchmarks"):
                    for subject, metrics in b["metrics"][scope].items():
                        for m, v in metrics.items():
                            values[subject][m].append(v)
                for bench, metrics in b.get("samples", {}).get("benchmarks", {}).items():
                    ns_samples[bench].append(metrics.get("bench.ns/op", []))
                    for m, v in metrics.items():
                        all_samples[bench][m].append(v)
            print(f"\n{label}: {args.runs} runs of gate (eBPF on), same code, {' '.join(flags)}")
            print(f"{'metric':19} {'subjects':>8} {'max abs dev':>12} {'max rel dev':>12} {'false alarms / pairs':>21}")
            by_metric = defaultdict(list)
            alarms = defaultdict(lambda: [0, 0])
            tol = tolerances()
            alarmed = defaultdict(set)
            noisy = defaultdict(int)
            for subject in values:
                for metric, vs in values[subject].items():
                    if len(vs) < args.runs:
                        continue  # not measured in every run
                    med = statistics.median(vs)
                    dev = max(abs(v - med) for v in vs)
                    by_metric[metric].append((dev, dev / abs(med) if med else 0.0))
                    if metric in tol and tol[metric][0] == "exact":
                        _, rel, absolute, _, stat = tol[metric]
                        exceeds = lambda worse, base: worse > max(rel * abs(base), absolute)
                        # As gate does with statistic = "min": the smallest sample, when a
                        # second one confirms it; otherwise the comparison is "noisy".
                        sides = [(v, True) for v in vs]
                        if stat == "min" and subject in all_samples:
                            sides = []
                            for run in all_samples[subject][metric]:
                                low = min(run)
                                near = sum(1 for x in run if not exceeds(x - low, low))
                                sides.append((low, len(run) < 2 or near >= 2))
                        for (base, ok_b), (now, ok_n) in itertools.permutations(sides, 2):
                            alarms[metric][1] += 1
                            if not (ok_b and ok_n):
                                noisy[metric] += 1
                            elif exceeds(now - base, base):
                                alarms[metric][0] += 1
                                alarmed[metric].add(subject)
            # ns/op, statistical: gate judges one sample per run of the binary (--repeat).
            # Compared here: 4 runs against 4 other runs, each run one sample (its median);
            # and, for contrast, the -test.count samples of one process against another's.
            _, ns_rel, _, ns_alpha, _ = tol["bench.ns/op"]
            rng = random.Random(1)
            for bench, runs in ns_samples.items():
                medians = [statistics.median(r) for r in runs if r]
                for _ in range(200 if len(medians) >= 8 else 0):
                    picked = rng.sample(medians, 8)
                    base, now = picked[:4], picked[4:]
                    p = mann_whitney_p(base, now)
                    alarms["bench.ns/op"][1] += 1
                    if p is not None and p < ns_alpha and statistics.median(now) > (1 + ns_rel) * statistics.median(base):
                        alarms["bench.ns/op"][0] += 1
                for base, now in itertools.permutations(runs, 2):
                    if len(base) < 4 or len(now) < 4:
                        continue
                    p = mann_whitney_p(base, now)
                    alarms["ns/op, one process"][1] += 1
                    if p is not None and p < ns_alpha and statistics.median(now) > (1 + ns_rel) * statistics.median(base):
                        alarms["ns/op, one process"][0] += 1
                by_metric["ns/op, one process"].append((0.0, 0.0))
            for metric in sorted(by_metric):
                rows = by_metric[metric]
                if all(d == 0 for d, _ in rows) and metric not in alarms:
                    continue
                a = alarms.get(metric)
                a_text = f"{a[0]} / {a[1]}" if a else "-"
                print(f"{metric:19} {len(rows):8} {max(d for d, _ in rows):12.4g} "
                      f"{max(r for _, r in rows):11.1%} {a_text:>21}")
            for metric, n in sorted(noisy.items()):
                print(f"  {metric}: {n} comparisons not judged (\"noisy\": smallest sample unconfirmed)")
            for metric, subjects in sorted(alarmed.items()):
                print(f"  false alarms of {metric} in: {', '.join(sorted(subjects))}")


if __name__ == "__main__":
    main()
