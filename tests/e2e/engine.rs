//! The eBPF engine end to end, under real uprobes: every engine rule on its
//! violating fixture (exact rule, test and creation site) and its clean
//! twin (nothing), suppressions, and the honest failure modes. These need
//! root: in CI they fail without it, elsewhere they skip and say why.

use crate::support::*;

/// (rule, test, file:line) of the violations of one run of gate on fixture packages.
fn findings(
    packages: &[&str],
    extra: &[&str],
) -> (Run, Vec<(String, String, String)>, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let mut cmd = gate();
    cmd.args(["run", "--json"]).arg(&json).args(extra);
    for p in packages {
        cmd.arg(format!("./fixtures-go/{p}"));
    }
    let run = run(&mut cmd);
    assert!(json.exists(), "no report: {}{}", run.stdout, run.stderr);
    let report = read_json(&json);
    let mut v = violations(&report);
    v.sort();
    (run, v, report)
}

fn f(rule: &str, test: &str, site: String) -> (String, String, String) {
    (rule.to_string(), test.to_string(), site)
}

const LEAK: &str = "fixtures-go/leak/goroutines/goroutines_test.go";
const WATCH: &str = "fixtures-go/leak/goroutines/watch.go";

#[test]
fn leaked_goroutines_are_reported_at_the_line_that_started_them() {
    if !require_ebpf() {
        return;
    }
    let (run, got, report) = findings(&["leak/goroutines"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let mut want = vec![
        // A helper's goroutine: the `go` statement inside startWorker.
        f(
            "goroutine-leak",
            "TestWorkerNeverStopped",
            line_of(LEAK, "go func() { // the worker"),
        ),
        // Started by a goroutine the test started.
        f(
            "goroutine-leak",
            "TestLeakFromGrandchild",
            line_of(LEAK, "go func() { // nobody receives"),
        ),
        // Parallel subtests: each leak charged to its own subtest.
        f(
            "goroutine-leak",
            "TestParallelLeaks/left",
            line_of(LEAK, "// the left leak"),
        ),
        f(
            "goroutine-leak",
            "TestParallelLeaks/right",
            line_of(LEAK, "// the right leak"),
        ),
        // Inside a subtest: charged to the subtest.
        f(
            "goroutine-leak",
            "TestSubtestLeak/inner",
            line_of(LEAK, "go func() { close(started); <-never }()"),
        ),
        // An httptest server never closed: its accept loop and connection goroutine at NewServer,
        // the client's keep-alive goroutines at http.Get.
        f(
            "goroutine-leak",
            "TestServerNeverClosed",
            line_of(LEAK, "srv := httptest.NewServer"),
        ),
        f(
            "goroutine-leak",
            "TestServerNeverClosed",
            line_of(LEAK, "srv := httptest.NewServer"),
        ),
        f(
            "goroutine-leak",
            "TestServerNeverClosed",
            line_of(LEAK, "resp, err := http.Get(srv.URL)"),
        ),
        f(
            "goroutine-leak",
            "TestServerNeverClosed",
            line_of(LEAK, "resp, err := http.Get(srv.URL)"),
        ),
        // Finishes a little after its test, once the binary has exited: a note, not a leak.
        f(
            "goroutine-lingering",
            "TestFinishesLate",
            line_of(LEAK, "go func() { close(started); time.Sleep(time.Second)"),
        ),
        // The last subtest of the binary's last test: the watcher it starts has
        // not run yet when the binary exits, and is a leak all the same. (The
        // previous subtest's watcher, stopped, is runnable then too: it ends.)
        f(
            "goroutine-leak",
            "TestSubscribers/unsubscribed",
            line_of(WATCH, "go func() { // want: goroutine-leak"),
        ),
    ];
    want.sort();
    assert_eq!(got, want);
    // What each goroutine is blocked on, from the runtime's own wait reasons.
    let messages: Vec<String> = report["binaries"][0]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["message"].as_str().unwrap_or("").to_string())
        .collect();
    for needle in [
        "startWorker.func1, chan receive",
        "chan send",
        "chan receive (nil chan)",
        "IO wait",
        "sleep at exit",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "no finding mentions {needle:?}: {messages:#?}"
        );
    }
}

#[test]
fn the_leak_free_twin_reports_nothing() {
    if !require_ebpf() {
        return;
    }
    let (run, got, report) = findings(&["leak/clean"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(got, vec![]);
    // The engine did see the goroutines: the twin is clean, not unobserved.
    let created =
        report["binaries"][0]["metrics"]["tests"]["TestServerClosed"]["goroutines.created"]
            .as_f64();
    assert!(created.unwrap_or(0.0) >= 3.0, "{created:?}");
}

#[test]
fn suppressions_drop_matching_goroutines() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let builtin =
        std::fs::read_to_string(repo_root().join("rules/goroutine-leak.toml")).expect("rule");
    std::fs::write(
        dir.path().join("goroutine-leak.toml"),
        format!("{builtin}\n[[ignore]]\ncreated_by = \"net/http*\"\n\n[[ignore]]\nentry = \"net/http*\"\n"),
    )
    .expect("write rule");
    let rules = dir.path().to_string_lossy().into_owned();
    let (_, got, _) = findings(&["leak/goroutines"], &["--rules", &rules]);
    let tests: Vec<&str> = got.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(
        tests,
        [
            "TestLeakFromGrandchild",
            "TestParallelLeaks/left",
            "TestParallelLeaks/right",
            "TestSubscribers/unsubscribed",
            "TestSubtestLeak/inner",
            "TestWorkerNeverStopped"
        ]
    );
}

#[test]
fn unstopped_tickers_are_warnings_at_their_creation_site() {
    if !require_ebpf() {
        return;
    }
    let file = "fixtures-go/ticker/unstopped/unstopped_test.go";
    let (run, got, _) = findings(&["ticker/unstopped"], &[]);
    assert_eq!(
        run.code, 0,
        "a warning does not fail the build\n{}{}",
        run.stdout, run.stderr
    );
    assert_eq!(
        got,
        vec![
            f(
                "ticker-not-stopped",
                "TestHeartbeat/subtest",
                line_of(file, "hb := time.NewTicker")
            ),
            f(
                "ticker-not-stopped",
                "TestPollerForgetsStop",
                line_of(file, "p := &poller{ticker: time.NewTicker")
            ),
        ]
    );
    let (run, got, _) = findings(&["ticker/stopped"], &[]);
    assert_eq!((run.code, got), (0, vec![]));
}

#[test]
fn a_pool_that_is_never_put_back_has_low_reuse() {
    if !require_ebpf() {
        return;
    }
    let file = "fixtures-go/pool/lowreuse/lowreuse_test.go";
    let (run, got, report) = findings(&["pool/lowreuse"], &["--enable", "sync-pool-low-reuse"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        got,
        vec![f(
            "sync-pool-low-reuse",
            "TestRenderNeverPutsBack",
            line_of(file, "buf := bufPool.Get()")
        )]
    );
    let message = report["binaries"][0]["violations"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        message.contains("lowreuse.bufPool: 500 Get, 500 New, 0 Put, reuse 0%"),
        "{message}"
    );
    let (run, got, _) = findings(&["pool/reused"], &["--enable", "sync-pool-low-reuse"]);
    assert_eq!((run.code, got), (0, vec![]));
}

#[test]
fn quadratic_string_building_breaks_the_allocation_budget() {
    if !require_ebpf() {
        return;
    }
    let file = "fixtures-go/alloc/concat/concat_test.go";
    let (run, got, _) = findings(&["alloc/concat"], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        got,
        vec![f(
            "alloc-budget",
            "TestReportByConcatenation",
            line_of(file, "func TestReportByConcatenation")
        )]
    );
    let (run, got, report) = findings(&["alloc/builder"], &[]);
    assert_eq!((run.code, got), (0, vec![]));
    let bytes =
        report["binaries"][0]["metrics"]["tests"]["TestReportWithBuilder"]["alloc.bytes"].as_f64();
    assert!(
        bytes.is_some_and(|b| b > 500_000.0 && b < 50_000_000.0),
        "{bytes:?}"
    );
}

#[test]
fn runtime_gc_calls_are_found_by_a_declared_probe() {
    if !require_ebpf() {
        return;
    }
    let file = "fixtures-go/gc/forced/forced_test.go";
    let (run, got, _) = findings(&["gc/forced"], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        got,
        vec![
            f(
                "forced-gc",
                "TestCacheResetForcesGC",
                line_of(file, "func TestCacheResetForcesGC")
            ),
            // The probe's site is the first call in the user's code, inside the helper.
            f(
                "runtime-gc-call",
                "TestCacheResetForcesGC",
                line_of(file, "\truntime.GC()")
            ),
        ]
    );
    let (_, got, _) = findings(&["gc/calm"], &[]);
    assert_eq!(got, vec![]);
}

#[test]
fn engine_reports_validate_as_sarif_and_junit() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif_path = dir.path().join("gate.sarif");
    let junit_path = dir.path().join("junit.xml");
    let run = run(gate()
        .args(["run", "--sarif"])
        .arg(&sarif_path)
        .arg("--junit")
        .arg(&junit_path)
        .arg("./fixtures-go/leak/goroutines"));
    assert_eq!(run.code, 1);
    let sarif = read_json(&sarif_path);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-2.1.0.json")).expect("schema parses");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 11, "10 leaks and 1 note");
    let fingerprints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(
        fingerprints.len(),
        11,
        "each finding has its own fingerprint"
    );
    let xml = std::fs::read_to_string(&junit_path).expect("junit");
    assert!(
        xml.contains(r#"name="goroutine-leak (TestServerNeverClosed)""#),
        "{xml}"
    );
    assert!(
        xml.contains("(and 3 more)"),
        "the four leaks of one test are one failing testcase: {xml}"
    );
}

#[test]
fn without_privilege_gate_exits_3_and_says_how_to_grant_it() {
    let bin = fixture_binary("gc/forced");
    if require_ebpf() {
        // Root here: drop to an unprivileged user to see what they would see.
        let dir = tempfile::tempdir().expect("tempdir");
        let copy = dir.path().join("forced.test");
        std::fs::copy(&bin, &copy).expect("copy");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let gate_bin = env!("CARGO_BIN_EXE_gate");
        let out = std::process::Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
            ])
            .arg(gate_bin)
            .arg("run")
            .arg(&copy)
            .current_dir("/")
            .output()
            .expect("setpriv runs");
        let r = Run::from(out);
        assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("CAP_BPF") && r.stderr.contains("--no-ebpf"),
            "{}",
            r.stderr
        );
    } else {
        let r = run(gate().arg("run").arg(&bin));
        assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("CAP_BPF") && r.stderr.contains("--no-ebpf"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_binary_without_dwarf_names_the_rule_and_the_missing_piece() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("forced-nodwarf.test");
    let ok = alone(
        std::process::Command::new("go")
            .args(["test", "-c", "-ldflags=-w", "-o"])
            .arg(&bin)
            .arg("./gc/forced")
            .current_dir(repo_root().join("fixtures-go")),
    )
    .status
    .success();
    assert!(ok);
    let r = run(gate().arg("run").arg(&bin));
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("goroutine-leak") && r.stderr.contains("runtime.g.goid"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("-ldflags=-s/-w") && r.stderr.contains("--no-ebpf"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_probe_on_a_symbol_no_binary_has_is_a_configuration_error() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("my-probe.toml"),
        "id = \"my-probe\"\ntitle = \"t\"\nseverity = \"error\"\nscope = \"test\"\nhelp = \"h\"\n\n[[probe]]\nname = \"acquire\"\nsymbol = \"example.com/nope.Acquire\"\n\n[check]\nmetric = \"probe.acquire\"\nmax = 0\n",
    )
    .expect("write");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(dir.path())
        .arg(fixture_binary("gc/forced")));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("my-probe.toml") && r.stderr.contains("example.com/nope.Acquire"),
        "{}",
        r.stderr
    );
}

/// Builds a fixture with an older Go toolchain (downloaded through the module
/// proxy by GOTOOLCHAIN); None, with a message, where that is impossible outside CI.
fn build_with(version: &str, package: &str, dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let out = dir.join(format!("{}-{version}.test", package.replace('/', "_")));
    let status = alone(
        std::process::Command::new("go")
            .env("GOTOOLCHAIN", format!("go{version}"))
            .args(["test", "-c", "-o"])
            .arg(&out)
            .arg(format!("./{package}"))
            .current_dir(repo_root().join("fixtures-go")),
    )
    .status;
    if !status.success() {
        assert!(!in_ci(), "GOTOOLCHAIN=go{version} go test -c failed in CI");
        eprintln!("SKIPPED: cannot build with go{version} (no toolchain download here)");
        return None;
    }
    Some(out)
}

/// The runtime changed under the probes between Go versions (timers moved to
/// runtime.newTimer in 1.23, test binaries lack module info before 1.24):
/// the same fixtures give the same findings on Go 1.22, 1.24 and this machine's Go.
#[test]
fn older_go_versions_give_the_same_findings() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for package in ["leak/goroutines", "ticker/unstopped"] {
        let mut native = None;
        for version in [None, Some("1.22.12"), Some("1.24.11")] {
            let bin = match version {
                None => fixture_binary(package),
                Some(v) => match build_with(v, package, dir.path()) {
                    Some(bin) => bin,
                    None => return,
                },
            };
            let go = version.unwrap_or("native");
            let json = dir.path().join("gate.json");
            let run = run(gate()
                .env("GATE_TIMINGS", "1")
                .args(["run", "--json"])
                .arg(&json)
                .arg(&bin)
                .current_dir(repo_root().join("fixtures-go").join(package)));
            assert!(
                run.code == 0 || run.code == 1,
                "go {go} {package}: {}{}",
                run.stdout,
                run.stderr
            );
            // New goroutines and timers are caught where newproc and newTimer
            // call on (emulated CALLs), not at RETs (single-stepped, 25x dearer).
            let probes: Vec<&str> = run
                .stderr
                .lines()
                .find_map(|l| l.split_once(": probes ").map(|(_, p)| p))
                .unwrap_or_default()
                .split("; ")
                .collect();
            assert!(
                probes
                    .contains(&"go_create_queued@runtime.newproc.func1 (call of runtime.runqput)"),
                "go {go}: {probes:?}"
            );
            assert!(
                !probes
                    .iter()
                    .any(|p| p.starts_with("go_create_ret@") || *p == "timer_made@time.newTimer"),
                "go {go}: {probes:?}"
            );
            let report = read_json(&json);
            let mut got = violations(&report);
            got.sort();
            assert!(!got.is_empty(), "go {go} {package}: no findings");
            if package == "leak/goroutines" {
                // The last test's last subtest's leak, not yet started at exit.
                let last = f(
                    "goroutine-leak",
                    "TestSubscribers/unsubscribed",
                    line_of(WATCH, "go func() { // want: goroutine-leak"),
                );
                assert!(got.contains(&last), "go {go}: {got:#?}");
            }
            match (version, &native) {
                (None, _) => native = Some(got),
                (Some(v), Some(native)) => {
                    assert_eq!(report["binaries"][0]["go_version"], format!("go{v}"));
                    assert_eq!(&got, native, "go{v} {package}");
                }
                (Some(_), None) => unreachable!("the native build runs first"),
            }
        }
    }
}

#[test]
fn unclosed_response_bodies_are_reported_at_the_call_that_received_them() {
    if !require_ebpf() {
        return;
    }
    let rule = repo_root()
        .join("rules/response-body-not-closed.toml")
        .to_string_lossy()
        .into_owned();
    let file = "fixtures-go/http/unclosed/unclosed_test.go";
    let (run, got, report) = findings(&["http/unclosed"], &["--rules", &rule]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The empty response (http.NoBody, no connection behind it) is not a finding;
    // HTTP/1, HTTP/2 and a timeout client's wrapped body are.
    let helper = line_of(file, "resp, err := client.Get(url)");
    let mut got = got;
    got.sort();
    assert_eq!(
        got,
        vec![
            f(
                "response-body-not-closed",
                "TestFetchForgetsClose",
                helper.clone()
            ),
            f(
                "response-body-not-closed",
                "TestHTTP2FetchForgetsClose",
                line_of(file, "resp, err := client.Get(srv.URL)")
            ),
            f(
                "response-body-not-closed",
                "TestTimeoutClientForgetsClose",
                helper
            ),
        ]
    );
    let empty = &report["binaries"][0]["metrics"]["tests"]["TestEmptyResponse"];
    assert_eq!(empty["http.bodies_returned"], 0.0, "{empty}");
    let (run, got, report) = findings(&["http/closed"], &["--rules", &rule]);
    assert_eq!((run.code, got), (0, vec![]));
    // A refused redirect: Get returns the response with the error, its body
    // already closed by net/http; the caller rightly closes nothing.
    let refused = &report["binaries"][0]["metrics"]["tests"]["TestRefusedRedirect"];
    assert_eq!(refused["http.bodies_unclosed"], 0.0, "{refused}");
    for test in [
        "TestFetchCloses",
        "TestHTTP2FetchCloses",
        "TestTimeoutClientCloses",
    ] {
        let m = &report["binaries"][0]["metrics"]["tests"][test];
        assert_eq!(
            (
                m["http.bodies_returned"].as_f64(),
                m["http.bodies_closed"].as_f64()
            ),
            (Some(1.0), Some(1.0)),
            "{test}: {m}"
        );
    }
}
