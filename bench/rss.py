#!/usr/bin/env python3
"""gate's own peak memory on a large suite.

Writes a Go package with N tests (default 5,000; each logs a line, a tenth
of them leak nothing but allocate a little, every hundredth fails), builds
it with `go test -c`, runs `gate run` on it with the default rules and all
three reports, and prints the peak RSS.

The figure is an upper bound of gate's own: ru_maxrss from wait4 is the
largest of gate and the processes it waited for (the test binary, its
guard), so it cannot be less than gate's.

Usage: cargo build --release && sudo python3 bench/rss.py [--tests 5000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GATE = os.path.join(ROOT, "target", "release", "gate")


def write_suite(dir, n):
    with open(os.path.join(dir, "go.mod"), "w") as f:
        f.write("module example.com/big\n\ngo 1.22\n")
    with open(os.path.join(dir, "big.go"), "w") as f:
        f.write("package big\n\n// Work allocates a little.\nfunc Work(i int) []byte { return make([]byte, 64+i%512) }\n")
    with open(os.path.join(dir, "big_test.go"), "w") as f:
        f.write('package big\n\nimport "testing"\n\n')
        for i in range(n):
            body = f'\tt.Logf("test {i} ran")\n'
            if i % 10 == 0:
                body += f"\t_ = Work({i})\n"
            if i % 100 == 99:
                body += f'\tt.Errorf("planned failure {i}")\n'
            f.write(f"func TestCase{i:05d}(t *testing.T) {{\n{body}}}\n\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", type=int, default=5000)
    args = ap.parse_args()
    if not os.path.exists(GATE):
        sys.exit(f"{GATE} not found: cargo build --release first")
    with tempfile.TemporaryDirectory() as dir:
        write_suite(dir, args.tests)
        binary = os.path.join(dir, "big.test")
        subprocess.run(["go", "test", "-c", "-o", binary, "."], cwd=dir, check=True)
        out = os.path.join(dir, "out")
        cmd = [GATE, "run", "--json", out + "/gate.json", "--junit", out + "/junit.xml",
               "--sarif", out + "/gate.sarif", binary]
        started = time.monotonic()
        # stderr to a file: a pipe nobody drains while we wait would block gate.
        log = open(os.path.join(dir, "gate.stderr"), "w+")
        proc = subprocess.Popen(cmd, cwd=dir, stdout=subprocess.DEVNULL, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            log.seek(0)
            sys.exit(f"gate failed (exit {code}): {log.read()[-2000:]}")
        sizes = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))}
        print(f"tests: {args.tests}, gate exit {code}, wall {wall:.1f} s")
        print(f"peak RSS (gate, or the largest process it waited for): {usage.ru_maxrss / 1024:.1f} MB")
        for name, size in sizes.items():
            print(f"  {name}: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
