//! How Go tests end, as gate reports them: pass, fail, skip, subtests,
//! parallel tests, panics, os.Exit, timeouts, and GODEBUG merging.

use crate::support::*;

fn outcomes(filter: &str, extra: &[&str]) -> (Run, serde_json::Value) {
    let mut with_extra = vec!["--no-ebpf"];
    with_extra.extend(extra);
    outcomes_with(filter, &with_extra)
}

/// One case of the outcomes fixture under gate (`extra` before the binary),
/// and the JSON report.
fn outcomes_with(filter: &str, extra: &[&str]) -> (Run, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let bin = fixture_binary("outcomes");
    let mut cmd = gate();
    cmd.args(["run", "--json"])
        .arg(&json)
        .args(extra)
        .arg(&bin)
        .args(["--", "-test.run", filter]);
    let run = run(&mut cmd);
    let report = read_json(&json);
    (run, report)
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn passing_and_skipped_tests_exit_zero() {
    let (run, report) = outcomes("^(TestPasses|TestSkips)$", &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        tests(&report),
        pairs(&[("TestPasses", "pass"), ("TestSkips", "skip")])
    );
    assert!(
        run.stdout.contains("1 passed, 0 failed, 1 skipped"),
        "{}",
        run.stdout
    );
}

#[test]
fn failures_subtests_and_parallel_tests_are_reported_exactly() {
    let (run, report) = outcomes("^(TestFails|TestSubtests|TestParallelGroup)$", &[]);
    assert_eq!(run.code, 1);
    let mut got = tests(&report);
    got.sort();
    assert_eq!(
        got,
        pairs(&[
            ("TestFails", "fail"),
            ("TestParallelGroup", "pass"),
            ("TestParallelGroup/10ms", "pass"),
            ("TestParallelGroup/20ms", "pass"),
            ("TestParallelGroup/30ms", "pass"),
            ("TestSubtests", "fail"),
            ("TestSubtests/first", "pass"),
            ("TestSubtests/second", "fail"),
            ("TestSubtests/third", "pass"),
        ])
    );
    // The failed test's own output is shown at the end, like gotestsum.
    assert!(
        run.stdout
            .contains("=== FAIL gate.example/fixtures/outcomes TestFails"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("output printed before the failure"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("want 1, got 2"), "{}", run.stdout);
    // Subtests point at their top-level test function.
    let sub = &report["binaries"][0]["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .find(|t| t["name"] == "TestSubtests/second")
        .expect("subtest reported")["site"];
    assert_eq!(
        format!("{}:{}", sub["file"].as_str().unwrap_or(""), sub["line"]),
        line_of("fixtures-go/outcomes/outcomes_test.go", "func TestSubtests")
    );
}

#[test]
fn a_panic_is_a_failed_test_with_its_output() {
    let (run, report) = outcomes("^(TestPasses|TestPanics)$", &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        tests(&report),
        pairs(&[("TestPasses", "pass"), ("TestPanics", "fail")])
    );
    assert!(
        run.stdout.contains("assignment to entry in nil map"),
        "{}",
        run.stdout
    );
}

#[test]
fn os_exit_inside_a_test_is_a_failure_never_a_pass() {
    let (run, report) = outcomes("^TestExitsEarly$", &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(tests(&report), pairs(&[("TestExitsEarly", "fail")]));
    let t = &report["binaries"][0]["tests"][0];
    assert!(
        t["message"]
            .as_str()
            .unwrap_or("")
            .contains("exit status 3"),
        "{t}"
    );
    assert!(
        run.stdout.contains("calling os.Exit(3) from inside a test"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_timeout_kills_the_binary_and_names_the_running_test() {
    let started = std::time::Instant::now();
    let (run, report) = outcomes("^(TestPasses|TestHangsWithTimer)$", &["--timeout", "2s"]);
    assert!(
        started.elapsed().as_secs() < 30,
        "timeout not enforced: {:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        tests(&report),
        pairs(&[("TestPasses", "pass"), ("TestHangsWithTimer", "fail")])
    );
    let message = report["binaries"][0]["tests"][1]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        message.contains("timed out after 2s while TestHangsWithTimer was running"),
        "{message}"
    );
    assert_eq!(report["binaries"][0]["exit"], "timed out after 2s");
    // SIGQUIT first: the Go runtime's goroutine dump shows where it was stuck.
    let output = report["binaries"][0]["tests"][1]["output"].to_string();
    assert!(
        output.contains("SIGQUIT: quit") && output.contains("outcomes.TestHangsWithTimer("),
        "{output}"
    );
}

#[test]
fn a_flag_the_binary_rejects_is_a_usage_error_with_its_complaint() {
    for bad in ["-test.bogus", "-test.count=x"] {
        let run = run(gate()
            .args(["run", "--no-ebpf"])
            .arg(fixture_binary("outcomes"))
            .args(["--", bad]));
        assert_eq!(run.code, 2, "{bad}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("rejected its flags: ")
                && (run
                    .stderr
                    .contains("flag provided but not defined: -test.bogus")
                    || run
                        .stderr
                        .contains("invalid value \"x\" for flag -test.count")),
            "{}",
            run.stderr
        );
        // One line, not the binary's usage.
        assert!(!run.stdout.contains("Usage of") && !run.stderr.contains("Usage of"));
    }
}

#[test]
fn go_test_flags_work_as_go_users_type_them() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    // Before the targets, as with go test.
    let r = run(gate()
        .args(["run", "--json"])
        .arg(&json)
        .args(["-run", "^TestPasses$", "-count", "2", "-short", "-p", "1"])
        .arg("./fixtures-go/outcomes"));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    assert_eq!(tests(&report), pairs(&[("TestPasses", "pass")]));
    assert_eq!(report["binaries"][0]["tests"][0]["runs"], 2, "{report}");
    // After `--`, with or without the test. prefix; -test.v does not turn it red.
    for flags in [
        ["-run", "^TestPasses$", "-test.v"],
        ["-test.run", "^TestPasses$", "-v"],
    ] {
        let r = run(gate()
            .args(["run", "--json"])
            .arg(&json)
            .arg("./fixtures-go/outcomes")
            .arg("--")
            .args(flags));
        assert_eq!(r.code, 0, "{flags:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(tests(&read_json(&json)), pairs(&[("TestPasses", "pass")]));
    }
}

#[test]
fn godebug_is_merged_with_the_users_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let mut cmd = gate();
    cmd.env("GODEBUG", "madvdontneed=1,gctrace=0")
        .env("WANT_GODEBUG", "madvdontneed=1")
        .args(["run", "--no-ebpf", "--json"])
        .arg(&json)
        .arg(fixture_binary("outcomes"))
        .args(["--", "-test.run", "^TestSeesGODEBUG$"]);
    let run = run(&mut cmd);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        tests(&read_json(&json)),
        pairs(&[("TestSeesGODEBUG", "pass")])
    );
}

#[test]
fn ctrl_c_takes_the_test_binary_down_with_gate() {
    let bin = fixture_binary("outcomes");
    // No other test may run this binary meanwhile: the check looks for any process running it.
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = [
        "run".as_ref(),
        "--no-ebpf".as_ref(),
        bin.as_os_str(),
        "--".as_ref(),
        "-test.run".as_ref(),
        "^TestHangsWithTimer$".as_ref(),
    ];
    let (code, stderr) =
        interrupt_gate(gate().args(args).env("TMPDIR", tmp.path()), &bin, 1, "-INT");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT while running"),
        "{stderr}"
    );
}

#[test]
fn a_killed_gate_takes_the_test_binary_down_too() {
    let bin = fixture_binary("outcomes");
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = [
        "run".as_ref(),
        "--no-ebpf".as_ref(),
        bin.as_os_str(),
        "--".as_ref(),
        "-test.run".as_ref(),
        "^TestHangsWithTimer$".as_ref(),
    ];
    let (code, _) = interrupt_gate(
        gate().args(args).env("TMPDIR", tmp.path()),
        &bin,
        1,
        "-KILL",
    );
    assert_eq!(code, None);
}

#[test]
fn sigterm_removes_the_temporary_build_directory() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = [
        "run",
        "--no-ebpf",
        "./fixtures-go/outcomes",
        "--",
        "-test.run",
        "^TestHangsWithTimer$",
    ];
    let (code, stderr) = interrupt_gate(
        gate().args(args).env("TMPDIR", tmp.path()),
        tmp.path(),
        1,
        "-TERM",
    );
    assert_eq!(code, Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("tmpdir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn output_without_a_final_newline_does_not_hide_the_result() {
    let (run, report) = outcomes("^(TestNoNewline|TestPasses)$", &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        tests(&report),
        pairs(&[("TestPasses", "pass"), ("TestNoNewline", "pass")])
    );
}

#[test]
fn a_result_line_printed_by_a_test_cannot_turn_a_failure_into_a_pass() {
    let (run, report) = outcomes("^(TestForgedFails|TestForger)$", &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        tests(&report),
        pairs(&[("TestForgedFails", "fail"), ("TestForger", "pass")])
    );
    assert!(run.stdout.contains("gate: FAIL"), "{}", run.stdout);
}

#[test]
fn reports_keep_a_bounded_tail_of_a_flooding_tests_output() {
    let (run, report) = outcomes("^TestFloods$", &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let output = report["binaries"][0]["tests"][0]["output"]
        .as_array()
        .expect("output");
    assert_eq!(output.len(), 2001, "the last 2000 lines and a note");
    let note = output[0].as_str().unwrap_or("");
    assert!(note.contains("earlier lines left out"), "{note}");
    assert_eq!(output[2000], "flood line 4999");
}

/// gate's memory does not grow with what a test prints: 200 MB of output
/// (stdout and stderr) are read as they come and only each test's last
/// lines are held. Was 580 MB of peak RSS, reports of hundreds of MB.
#[test]
fn two_hundred_megabytes_of_output_leave_gates_memory_flat() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (json, junit) = (dir.path().join("gate.json"), dir.path().join("junit.xml"));
    let mut child = gate()
        .args(["run", "--no-ebpf", "--json"])
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .arg(fixture_binary("outcomes"))
        .args(["--", "-test.run", "^TestFloodsMegabytes$"])
        .env("OUTCOMES_FLOOD_MB", "200")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("gate starts");
    // Peak RSS of gate and of the processes it waited for (the test binary).
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let _ = child.try_wait();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "status {status}"
    );
    let peak_mb = usage.ru_maxrss / 1024;
    assert!(peak_mb < 100, "gate peaked at {peak_mb} MB");
    for report in [&json, &junit] {
        let size = std::fs::metadata(report).expect("report written").len();
        assert!(size < 1 << 20, "{} is {size} bytes", report.display());
    }
}

#[test]
fn the_gc_trace_is_the_test_binarys_own_not_its_childrens() {
    if !require_ebpf() {
        return;
    }
    // Under the eBPF engine gctrace is switched on in the test binary's
    // memory: a process it starts sees no GODEBUG=gctrace=1 and prints no GC
    // lines, while the test's own cycle is counted.
    let (r, report) = outcomes_with("^TestChildSeesNoGctrace$", &[]);
    // Exit 1: the forced-gc rule flags the test's runtime.GC(), which proves it seen.
    assert_eq!(
        r.code, 1,
        "{}{}\nmetrics: {}\nwarnings: {}",
        r.stdout, r.stderr, report["binaries"][0]["metrics"], report["binaries"][0]["warnings"]
    );
    assert_eq!(tests(&report), pairs(&[("TestChildSeesNoGctrace", "pass")]));
    let cycles = report["binaries"][0]["metrics"]["tests"]["TestChildSeesNoGctrace"]["gc.cycles"]
        .as_f64()
        .unwrap_or(0.0);
    assert!(cycles >= 1.0, "{}", report["binaries"][0]["metrics"]);
}

/// GC figures come from the runtime's own gctrace prints, not from the text
/// on stderr: a test that prints a gctrace-shaped line (through the runtime's
/// println, which writes to fd 2 as the GC does; os.Stderr is stdout under
/// test2json) forges no cycle. Its 6-second "pause" is not counted, and a
/// warning says a line was set aside.
#[test]
fn a_gctrace_line_a_test_prints_is_no_gc_cycle() {
    if !require_ebpf() {
        return;
    }
    let (r, report) = outcomes_with("^TestForgedGcLines$", &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let binary = &report["binaries"][0];
    let metrics = &binary["metrics"]["tests"]["TestForgedGcLines"];
    let pause = metrics["gc.max_pause_ms"].as_f64().unwrap_or(0.0);
    assert!(pause < 5000.0, "{metrics}");
    assert!(
        binary["warnings"]
            .to_string()
            .contains("not printed by the Go runtime's GC"),
        "{}",
        binary["warnings"]
    );
}

#[test]
fn a_run_that_executes_no_test_is_red_unless_allowed() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let bin = fixture_binary("outcomes");
    let no_test = |extra: &[&str]| {
        run(gate()
            .args(["run", "--json"])
            .arg(&json)
            .args(extra)
            .arg(&bin)
            .args(["--", "-test.run", "^TestNoSuchTest$"]))
    };
    let r = no_test(&[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(tests(&read_json(&json)), pairs(&[("[no tests]", "fail")]));
    assert!(r.stdout.contains("--allow-no-tests"), "{}", r.stdout);
    // Opted in: green, with the warning kept in the report.
    let r = no_test(&["--allow-no-tests"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    assert_eq!(tests(&report), pairs(&[]));
    assert!(
        report["binaries"][0]["warnings"]
            .to_string()
            .contains("no test ran"),
        "{report}"
    );
    // One test selected: no warning, no failure.
    let r = run(gate().args(["run", "--json"]).arg(&json).arg(&bin).args([
        "--",
        "-test.run",
        "^TestPasses$",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!read_json(&json).to_string().contains("no test ran"));
}
