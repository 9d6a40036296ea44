#!/usr/bin/env python3
"""gate's overhead on whole real Go modules: `go test ./...` vs `gate run ./...`.

For each pinned module from the module proxy, runs `go test -count=1 ./...`
and `gate run ./...` alternately in a writable copy of the module, N pairs
(default 3), and prints the median wall times and the ratio of the medians
(with the per-pair ratios: each gate run against the plain run just before
it). Goal: at most 1.15x with the default rules, at most 1.3x with every rule
enabled (--rules all).

Usage (as root: eBPF needs it; from the repository root):
    cargo build --release && sudo python3 bench/modules.py --runs 3
    sudo python3 bench/modules.py --rules all --runs 3 --json modules.json
    sudo python3 bench/modules.py --gate /tmp/gate --only yaml --parallel 1

The modules (pinned; edit MODULES to change them), chosen for different
profiles, each tested whole (./..., nothing skipped):

  github.com/go-chi/chi/v5 v5.2.3   HTTP-heavy: 2 packages; httptest servers,
      real client round trips, throttle and timeout middleware (tests that
      sleep), and TestMuxContextIsThreadSafe, which starts about a million
      goroutines, each with a context timer. About 27 s plainly.
  gopkg.in/yaml.v3 v3.0.1           allocation-heavy: 1 package, a gocheck
      suite that parses and encodes YAML (CPU-bound, heap peak near 700 MiB).
      About 4 s plainly. Its go.sum lacks the test dependency gopkg.in/check.v1,
      so the copy gets `go mod tidy` (from the module proxy).
  golang.org/x/text v0.37.0         many small packages: 48 packages with
      tests (63 in all) and about 46,000 tests, most packages well under a
      second. About 16-23 s plainly with a warm build cache.

(Rejected: gjson, whose run time is set by fixed-duration random tests, so its
ratio stays near 1 whatever gate costs; echo v4.13.4, whose tests fail with
Go 1.26; gorilla/mux, 0.4 s in all; zap's root package tests fail when the
module's directory name has dots in it, hence the copies' plain names.)

Preparation: `go mod download -json MOD@VER` gives the module's directory in
the read-only module cache; it is copied into a temporary directory and made
writable, `go mod download` fetches its dependencies, and if the tests'
imports do not resolve (`go list -test -deps ./...`), `go mod tidy` completes
go.sum. The Go build cache is the user's, shared and warm: before timing, one
untimed `go test -count=1 ./...` and one untimed `gate run ./...` build
everything, so the timed runs compare running the tests plus gate's own work,
not compiling. gate builds each package with `go test -c`, which hits the warm
build cache the same way `go test` does (both link the test binaries again
each time: the link step is not cached for tests, on either side).

Both sides run up to -p test binaries at once (default: the number of
CPUs; gate, like go test, runs benchmarks one binary at a time, and these
modules are timed without -bench). `--parallel 1` passes -p 1 to both sides:
one package at a time, where each binary's fixed cost (gate's start-up and
detach) is not hidden behind another binary's run.

gate's exit codes: 0 pass; 1 rule findings or failed tests (the timing still
counts; how many runs exited 1 is printed, with gate's verdict once); 2, 3 or
anything else is an error: its stderr tail is printed and the module is
dropped. A failing plain `go test` drops the module too. After each gate run
the script sleeps 1 s: gate detaches the last binaries' probes in a background
process after it exits, and that waiting should not land in the next plain run.

gate runs with GATE_TIMINGS=1 (it only prints its phases), from which the
script sums gate's own start-up and after-the-run work over the binaries.

--rules all enables every opt-in rule listed by `gate rules --format json`
except those that change what runs rather than watch it (as bench/overhead.py
does): build variants (a second build and run with -race or checkptr) and
allocation scopes (-test.memprofilerate=1, every allocation sampled by the Go
runtime itself).

On a shared machine the figures are indicative: run it when nothing else
compiles.
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GATE = os.path.join(ROOT, "target", "release", "gate")

# (module, version, profile)
MODULES = [
    ("github.com/go-chi/chi/v5", "v5.2.3", "HTTP-heavy"),
    ("gopkg.in/yaml.v3", "v3.0.1", "allocation-heavy"),
    ("golang.org/x/text", "v0.37.0", "many small packages"),
]

PAUSE_AFTER_GATE = 1.0


class Skip(Exception):
    """A module that cannot be measured here (the message says why)."""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gate", default=GATE, help=f"the gate binary (default: {GATE})")
    parser.add_argument("--runs", type=int, default=3, help="pairs per module, at least 3 (default 3)")
    parser.add_argument("--rules", choices=["default", "all"], default="default")
    parser.add_argument("--parallel", type=int, metavar="N", help="pass -p N to both go test and gate run (default: neither)")
    parser.add_argument("--only", action="append", default=[], help="measure only modules whose path contains this (repeatable)")
    parser.add_argument("--json", metavar="FILE", help="write the raw timings here")
    parser.add_argument("--keep", action="store_true", help="keep the module copies (the directory is printed)")
    args = parser.parse_args()
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    if args.parallel is not None and args.parallel < 1:
        parser.error("--parallel must be at least 1")
    gate = os.path.abspath(args.gate)
    if not os.path.isfile(gate) or not os.access(gate, os.X_OK):
        sys.exit(f"{gate} missing or not executable: run `cargo build --release` first, or pass --gate PATH")
    if os.geteuid() != 0:
        sys.exit("run as root (sudo): gate attaches eBPF probes")
    if shutil.which("go") is None:
        sys.exit("go not found on PATH")

    extra = []
    if args.rules == "all":
        extra = [a for r in watching_opt_in_rules(gate) for a in ("--enable", r)]
        print("enabled opt-in rules:", " ".join(extra[1::2]))
    p_flag = [] if args.parallel is None else ["-p", str(args.parallel)]
    modules = [m for m in MODULES if not args.only or any(o in m[0] for o in args.only)]
    if not modules:
        sys.exit("--only matched no module")

    go_version = run_ok(["go", "version"], None).strip()
    print(f"{go_version}; {os.cpu_count()} CPUs; gate {gate}; rules {args.rules}; "
          f"-p {args.parallel if args.parallel else 'default (both)'}; {args.runs} pairs")
    if read_file("/proc/sys/kernel/bpf_stats_enabled").strip() == "1":
        print("note: kernel.bpf_stats_enabled=1: the kernel times every BPF program run (adds to gate's cost)")
    print(f"load average before: {read_file('/proc/loadavg').split()[:3]}", flush=True)

    tmp = tempfile.mkdtemp(prefix="gate-modules-")
    results = []
    try:
        for mod, ver, profile in modules:
            print(f"\n== {mod}@{ver} ({profile})", flush=True)
            try:
                results.append(measure(mod, ver, profile, tmp, gate, extra, p_flag, args.runs))
            except Skip as e:
                print(f"   SKIPPED: {e}", flush=True)
                results.append({"module": mod, "version": ver, "profile": profile, "skipped": str(e)})
    finally:
        if args.keep:
            print(f"\nmodule copies kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nload average after: {read_file('/proc/loadavg').split()[:3]}")
    print(f"\nrules: {args.rules}; -p: {args.parallel if args.parallel else 'default'}; pairs: {args.runs}; ratio = median(gate) / median(go test)\n")
    print("| module | profile | packages | go test s | gate s | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    for r in results:
        if "skipped" in r:
            print(f"| {r['module']}@{r['version']} | {r['profile']} | - | - | - | skipped |")
            continue
        print(f"| {r['module']}@{r['version']} | {r['profile']} | {r['packages']} | "
              f"{r['plain_median']:.2f} | {r['gate_median']:.2f} | {r['ratio']:.2f}x |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"go": go_version, "cpus": os.cpu_count(), "gate": gate, "rules": args.rules,
                       "enabled": extra[1::2], "parallel": args.parallel, "runs": args.runs,
                       "modules": results}, f, indent=2)
        print(f"\nraw timings: {args.json}")


def measure(mod, ver, profile, tmp, gate, extra, p_flag, runs):
    dir = prepare(mod, ver, tmp)
    packages = run_ok(["go", "list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}", "./..."], dir).split()
    print(f"   copy: {dir}; packages with tests: {len(packages)}", flush=True)
    plain_cmd = ["go", "test", "-count=1"] + p_flag + ["./..."]
    gate_cmd = [gate, "run"] + p_flag + extra + ["./..."]
    gate_env = dict(os.environ, GATE_TIMINGS="1")

    # Warm-up, untimed: fills the build cache for both sides.
    t, proc = timed(plain_cmd, dir)
    check_plain(proc)
    print(f"   warm-up: go test {t:.1f} s", end="", flush=True)
    t, proc = timed(gate_cmd, dir, gate_env)
    check_gate(proc)
    time.sleep(PAUSE_AFTER_GATE)
    print(f", gate run {t:.1f} s (exit {proc.returncode})", flush=True)

    plain, under, own, exits, verdict = [], [], [], [], None
    for i in range(runs):
        t, proc = timed(plain_cmd, dir)
        check_plain(proc)
        plain.append(t)
        t, proc = timed(gate_cmd, dir, gate_env)
        check_gate(proc)
        time.sleep(PAUSE_AFTER_GATE)
        under.append(t)
        exits.append(proc.returncode)
        own.append(gate_own(proc.stderr))
        if proc.returncode == 1 and verdict is None:
            verdict = verdict_lines(proc.stdout)
        print(f"   pair {i + 1}: go test {plain[-1]:.2f} s, gate {t:.2f} s (exit {proc.returncode}), "
              f"{t / plain[-1]:.2f}x", flush=True)

    pm, gm = statistics.median(plain), statistics.median(under)
    pairs = [g / p for p, g in zip(plain, under)]
    startup = statistics.median(o[0] for o in own)
    after = statistics.median(o[1] for o in own)
    failed = sum(1 for e in exits if e == 1)
    print(f"   {mod}@{ver} ({profile}), packages with tests: {len(packages)}")
    print(f"   go test median {pm:.2f} s, gate median {gm:.2f} s, ratio of medians {gm / pm:.2f}x")
    print(f"   per-pair ratios: {' '.join(f'{r:.2f}' for r in pairs)} (median {statistics.median(pairs):.2f})")
    print(f"   gate's own work (median, summed over binaries): start-up {startup:.2f} s, after the runs {after:.2f} s")
    if failed:
        print(f"   gate exited 1 (findings or failed tests) in {failed} of {runs} runs; its verdict:")
        for line in verdict:
            print(f"     {line}")
    return {
        "module": mod, "version": ver, "profile": profile, "packages": len(packages),
        "plain_s": plain, "gate_s": under, "gate_exit": exits,
        "gate_startup_s": [o[0] for o in own], "gate_after_s": [o[1] for o in own],
        "plain_median": pm, "gate_median": gm, "ratio": gm / pm, "pair_ratios": pairs,
        "verdict": verdict,
    }


def prepare(mod, ver, tmp):
    """A writable copy of MOD@VER whose tests build offline from the module cache."""
    proc = subprocess.run(["go", "mod", "download", "-json", f"{mod}@{ver}"], capture_output=True, text=True)
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        raise Skip(f"go mod download failed: {proc.stderr.strip()[-1000:]}")
    if info.get("Error") or not info.get("Dir"):
        raise Skip(f"go mod download: {info.get('Error')}")
    # A plain name: some tests match their own file paths with [a-z0-9_-]+
    # (zap's caller tests), which a directory named after the version fails.
    name = re.sub(r"[^a-z0-9_-]+", "-", mod.rsplit("/", 1)[-1].lower())
    if re.fullmatch(r"v\d+", name):
        name = re.sub(r"[^a-z0-9_-]+", "-", mod.rsplit("/", 2)[-2].lower())
    dir = os.path.join(tmp, name)
    shutil.copytree(info["Dir"], dir, symlinks=True)
    for parent, dirs, files in os.walk(dir):
        for n in dirs + files:
            p = os.path.join(parent, n)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    os.chmod(dir, os.stat(dir).st_mode | 0o200)
    subprocess.run(["go", "mod", "download"], cwd=dir, capture_output=True, text=True)
    if subprocess.run(["go", "list", "-test", "-deps", "./..."], cwd=dir, capture_output=True).returncode != 0:
        print("   go.sum lacks test dependencies: go mod tidy", flush=True)
        proc = subprocess.run(["go", "mod", "tidy"], cwd=dir, capture_output=True, text=True)
        if proc.returncode != 0:
            raise Skip(f"go mod tidy failed: {proc.stderr.strip()[-1000:]}")
        proc = subprocess.run(["go", "list", "-test", "-deps", "./..."], cwd=dir, capture_output=True, text=True)
        if proc.returncode != 0:
            raise Skip(f"tests do not resolve after go mod tidy: {proc.stderr.strip()[-1000:]}")
    return dir


def check_plain(proc):
    if proc.returncode != 0:
        lines = [l for l in proc.stdout.splitlines() if not l.startswith(("ok ", "?  "))]
        raise Skip(f"go test failed (exit {proc.returncode}), pick another module:\n"
                   + "\n".join(lines[-40:]) + proc.stderr[-2000:])


def check_gate(proc):
    if proc.returncode not in (0, 1):
        time.sleep(PAUSE_AFTER_GATE)
        raise Skip(f"gate failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}{proc.stdout[-1000:]}")


def verdict_lines(stdout, limit=25):
    """gate's verdict: the table of failed and warned checks and its summary."""
    lines = stdout.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("RULE ")), None)
    if start is not None:
        end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
        table = lines[start:min(end, start + limit)]
    else:
        table = [l for l in lines if re.match(r"\s+(FAIL|WARNING|NOTE)\b", l)][:limit]
    summary = [l for l in lines if re.match(r"gate: (PASS|FAIL)", l)]
    return table + summary


def gate_own(stderr):
    """Seconds of gate's own start-up and after-the-run work, summed over binaries (GATE_TIMINGS=1)."""
    startup = sum(float(m) for m in re.findall(r": start-up ([\d.]+) ms", stderr))
    after = sum(float(m) for m in re.findall(r": after the run ([\d.]+) ms", stderr))
    return startup / 1000, after / 1000


def watching_opt_in_rules(gate):
    """Opt-in rules that only watch the run (no build variant, no heap profile).

    The ids come from `gate rules --format json` (the rules that binary has);
    the selection is bench/overhead.py's, made on the rule files in rules/.
    A rule with no file there is enabled, with a note.
    """
    import tomllib

    proc = subprocess.run([gate, "rules", "--format", "json"], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"gate rules --format json failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    listed = [r["id"] for r in json.loads(proc.stdout) if not r.get("enabled", True)]
    files = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.toml"))):
        with open(path, "rb") as f:
            rule = tomllib.load(f)
        files[rule["id"]] = rule
    ids = []
    for id in listed:
        rule = files.get(id)
        if rule is None:
            print(f"note: no rules/{id}.toml to inspect; enabling {id}")
            ids.append(id)
            continue
        if rule.get("build"):
            continue
        if any(p.get("kind") == "alloc" for p in rule.get("probe", [])):
            continue
        ids.append(id)
    return ids


def timed(cmd, cwd, env=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    return time.perf_counter() - start, proc


def run_ok(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise Skip(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-1000:]}")
    return proc.stdout


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


if __name__ == "__main__":
    main()
