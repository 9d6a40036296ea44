//! The eBPF engine end to end, under real uprobes: what it measures on the
//! clean twins, suppressions, report validity, Go versions and the honest
//! failure modes. Every rule's findings on its fixture pair are checked by
//! the fixture harness (harness.rs). These need root: in CI they fail
//! without it, elsewhere they skip and say why.

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

const WATCH: &str = "fixtures-go/leak/goroutines/watch.go";

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

/// The clean twin of alloc/concat (its findings are the fixture harness's):
/// the engine counts what it really allocates, not nothing.
#[test]
fn the_string_builder_twin_allocates_about_what_it_builds() {
    if !require_ebpf() {
        return;
    }
    let (_, _, report) = findings(&["alloc/builder"], &[]);
    let bytes =
        report["binaries"][0]["metrics"]["tests"]["TestReportWithBuilder"]["alloc.bytes"].as_f64();
    assert!(
        bytes.is_some_and(|b| b > 500_000.0 && b < 50_000_000.0),
        "{bytes:?}"
    );
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
fn a_probe_on_a_symbol_no_binary_has_is_not_applicable_and_an_error_only_when_required() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = |required: bool| {
        format!(
            "id = \"my-probe\"\ntitle = \"t\"\nseverity = \"error\"\nscope = \"test\"\nhelp = \"h\"\n\n[[probe]]\nname = \"acquire\"\nsymbol = \"example.com/nope.Acquire\"\nrequired = {required}\n\n[check]\nmetric = \"probe.acquire\"\nmax = 0\n"
        )
    };
    let file = dir.path().join("my-probe.toml");
    let json = dir.path().join("gate.json");
    // Not linked here: the rule does not apply, and the run says so without failing.
    std::fs::write(&file, rule(false)).expect("write");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(&file)
        .arg("--json")
        .arg(&json)
        .arg(fixture_binary("gc/forced")));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let checks = report["binaries"][0]["checks"].as_array().expect("checks");
    assert!(
        !checks.is_empty() && checks.iter().all(|c| c["status"] == "n/a"),
        "{checks:?}"
    );
    let warnings = report["binaries"][0]["warnings"].to_string();
    assert!(
        warnings.contains("my-probe.toml") && warnings.contains("example.com/nope.Acquire"),
        "{warnings}"
    );
    // A rule that marks its symbol required makes the same run a configuration error.
    std::fs::write(&file, rule(true)).expect("write");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(&file)
        .arg(fixture_binary("gc/forced")));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("my-probe.toml") && r.stderr.contains("example.com/nope.Acquire"),
        "{}",
        r.stderr
    );
}

/// The runtime changed under the probes between Go versions (timers moved to
/// runtime.newTimer in 1.23, test binaries lack module info before 1.24, 1.27
/// names no itabs and moved HTTP/2 into net/http/internal/http2): the same
/// fixtures give the same findings on every Go release from 1.22 to 1.27
/// (this machine's Go is one of them). Besides the built-in signals, a chain
/// walk (context-too-deep), a call inside a function (request-body-unread) and
/// a field of a parameter Go 1.24 renamed (http-server-no-timeouts).
#[test]
fn older_go_versions_give_the_same_findings() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for package in [
        "leak/goroutines",
        "ticker/unstopped",
        "http/unclosed",
        "context-too-deep/violating",
        "request-body-unread/violating",
        // A parameter renamed between releases (srv before Go 1.24, s since).
        "http-server-no-timeouts/violating",
    ] {
        let mut native = None;
        for version in [
            None,
            Some("1.22.12"),
            Some("1.23.12"),
            Some("1.24.11"),
            Some("1.25.5"),
            Some("1.27.3"),
        ] {
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

/// Go 1.22's `Timer.Stop` hands the runtime `&t.r`, 8 bytes into the Timer
/// `time.AfterFunc` returned: the lifecycle joins them by that field's offset
/// (from DWARF), so a stopped timer is released there as on later Go, and an
/// unstopped one is still found.
#[test]
fn a_release_that_takes_a_field_of_the_acquired_object_matches_it() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = repo_root()
        .join("rules/afterfunc-not-stopped.toml")
        .to_string_lossy()
        .into_owned();
    for version in [None, Some("1.22.12")] {
        let mut found = Vec::new();
        for twin in ["violating", "clean"] {
            let package = format!("afterfunc-not-stopped/{twin}");
            let bin = match version {
                None => fixture_binary(&package),
                Some(v) => match build_with(v, &package, dir.path()) {
                    Some(bin) => bin,
                    None => return,
                },
            };
            let json = dir.path().join("gate.json");
            let run = run(gate()
                .args(["run", "--rules", &rule, "--json"])
                .arg(&json)
                .arg(&bin)
                .current_dir(repo_root().join("fixtures-go").join(&package)));
            assert!(
                run.code == 0 || run.code == 1,
                "{}{}",
                run.stdout,
                run.stderr
            );
            let mut got = violations(&read_json(&json));
            got.sort();
            found.push(got);
        }
        let go = version.unwrap_or("native");
        assert_eq!(found[1], vec![], "go {go}: the clean twin stops its timers");
        assert_eq!(found[0].len(), 1, "go {go}: {:?}", found[0]);
        let site = line_of(
            "fixtures-go/afterfunc-not-stopped/violating/watchdog.go",
            "// want: afterfunc-not-stopped",
        );
        assert_eq!(found[0][0].2, site, "go {go}: {:?}", found[0]);
    }
}

/// Where the findings come from (they are the fixture harness's): what the
/// engine counted per test, including the empty response that is no finding.
#[test]
fn response_bodies_are_counted_returned_and_closed() {
    if !require_ebpf() {
        return;
    }
    let rule = repo_root()
        .join("rules/response-body-not-closed.toml")
        .to_string_lossy()
        .into_owned();
    let (_, _, report) = findings(&["http/unclosed"], &["--rules", &rule]);
    // The empty response (http.NoBody, no connection behind it) is not counted.
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

/// A position-independent test binary runs at a load bias: the findings, their
/// sites and `[[ignore]] entry` patterns are the same as for the plain build.
#[test]
fn a_pie_binary_gives_the_same_findings_and_ignores_the_same_goroutines() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let package = "leak/goroutines";
    let pie = dir.path().join("pie.test");
    let built = alone(
        std::process::Command::new("go")
            .args(["test", "-c", "-buildmode=pie", "-o"])
            .arg(&pie)
            .arg(format!("./{package}"))
            .current_dir(repo_root().join("fixtures-go")),
    )
    .status
    .success();
    assert!(built, "go test -c -buildmode=pie failed");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    let rule = std::fs::read_to_string(repo_root().join("rules/goroutine-leak.toml"))
        .expect("the rule")
        + "\n[[ignore]]\nentry = \"gate.example/fixtures/leak/goroutines.startWorker.func1\"\n";
    std::fs::write(rules.join("goroutine-leak.toml"), rule).expect("write");
    let mut found = Vec::new();
    for bin in [fixture_binary(package), pie] {
        let json = dir.path().join("gate.json");
        let r = run(gate()
            .args(["run", "--rules"])
            .arg(&rules)
            .arg("--json")
            .arg(&json)
            .arg(&bin)
            .current_dir(repo_root().join("fixtures-go").join(package)));
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        let mut got = violations(&read_json(&json));
        got.sort();
        assert!(
            !got.iter().any(|v| v.1 == "TestWorkerNeverStopped"),
            "{}: the ignored worker was reported: {got:#?}",
            bin.display()
        );
        assert!(got.iter().all(|v| v.2.contains(".go:")), "{got:#?}");
        found.push(got);
    }
    assert_eq!(found[0], found[1], "plain and PIE builds differ");
}

/// A note must survive a rerun. Connection goroutines still winding down at
/// exit (the standard library's, after correct Closes) are never noted; a
/// goroutine of the test's own code still sleeping at exit is, every time.
#[test]
fn lingering_notes_do_not_come_and_go_with_timing() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..5 {
        for (package, lingering) in [("http/closed", 0), ("leak/goroutines", 1)] {
            let json = dir.path().join("gate.json");
            let r = run(gate()
                .args(["run", "--json"])
                .arg(&json)
                .arg(fixture_binary(package))
                .current_dir(repo_root().join("fixtures-go").join(package)));
            assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
            let got = violations(&read_json(&json))
                .into_iter()
                .filter(|v| v.0 == "goroutine-lingering")
                .count();
            assert_eq!(got, lingering, "round {round}, {package}: {}", r.stdout);
        }
    }
}
