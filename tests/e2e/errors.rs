//! Every error path of the command line: exit codes of the README and a
//! message on stderr that says what is wrong and what to do.

use crate::support::*;

fn expect(run: &Run, code: i32, needles: &[&str]) {
    assert_eq!(
        run.code, code,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    for n in needles {
        assert!(
            run.stderr.contains(n),
            "stderr lacks {n:?}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_missing_target_is_a_usage_error() {
    expect(
        &run(gate().args(["run", "./no-such.test"])),
        2,
        &["no-such.test", "go test -c"],
    );
    expect(
        &run(gate().args(["run", "./fixtures-go/no/such/dir"])),
        2,
        &["no/such/dir"],
    );
}

#[test]
fn a_pattern_without_packages_is_a_usage_error() {
    expect(
        &run(gate().args(["run", "./fixtures-go/gc/nothing/..."])),
        2,
        &["gc/nothing"],
    );
}

#[test]
fn bad_flags_and_durations_are_usage_errors() {
    expect(
        &run(gate().args(["run", "--bogus", "x.test"])),
        2,
        &["--bogus"],
    );
    expect(
        &run(gate().args(["run", "--timeout", "ten", "x.test"])),
        2,
        &["invalid duration", "10m"],
    );
    expect(&run(gate().args(["run"])), 2, &["TARGET"]);
    // Beyond Go's largest duration: refused, never a panic (exit 101).
    expect(
        &run(gate().args(["run", "--timeout", "5000000000000000h", "x.test"])),
        2,
        &["invalid duration", "2562047h"],
    );
}

#[test]
fn a_binary_named_without_a_directory_runs() {
    if !require_ebpf() {
        return;
    }
    let bin = fixture_binary("outcomes");
    let dir = bin.parent().expect("a directory");
    let name = bin.file_name().expect("a file name");
    let run = run(gate().current_dir(dir).args(["run"]).arg(name).args([
        "--",
        "-test.run",
        "^TestPasses$",
    ]));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 passed"), "{}", run.stdout);
}

#[test]
fn a_directory_outside_any_module_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("x.go"), "package x\n").expect("write");
    expect(
        &run(gate().current_dir(dir.path()).args(["run", "."])),
        2,
        &["go.mod", "pattern"],
    );
}

#[test]
fn a_bad_rule_file_names_file_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = dir.path().join("my-budget.toml");
    std::fs::write(
        &rule,
        "id = \"my-budget\"\ntitle = \"t\"\nseverity = \"error\"\nscope = \"test\"\nhelp = \"h\"\n[check]\nmetric = \"gc.pauses\"\nmax = 1\n",
    )
    .expect("write rule");
    let bin = fixture_binary("gc/forced");
    let r = run(gate().args(["run", "--rules"]).arg(&rule).arg(&bin));
    expect(
        &r,
        2,
        &[
            "my-budget.toml:7: field `check.metric`: unknown metric \"gc.pauses\"",
            "gc.max_pause_ms",
        ],
    );

    std::fs::write(&rule, "id = \"my-budget\"\nseverity = \"fatal\"\n").expect("write rule");
    let r = run(gate().args(["rules", "--rules"]).arg(&rule));
    expect(&r, 2, &["my-budget.toml:2:", "`error`, `warning`"]);

    let empty = tempfile::tempdir().expect("tempdir");
    let r = run(gate().args(["rules", "--rules"]).arg(empty.path()));
    expect(&r, 2, &["no *.toml rule files"]);
}

#[test]
fn a_non_go_file_is_an_environment_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("script.test");
    std::fs::write(&file, "#!/bin/sh\necho hi\n").expect("write");
    expect(
        &run(gate().arg("run").arg(&file)),
        3,
        &["script.test", "go test -c"],
    );
    expect(
        &run(gate().args(["run", "/bin/true"])),
        3,
        &["/bin/true", "not a Go binary"],
    );
}

#[test]
fn a_go_program_that_is_not_a_test_binary_is_an_environment_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("notatest");
    let ok = alone(
        std::process::Command::new("go")
            .args(["build", "-o"])
            .arg(&bin)
            .arg("./notatest")
            .current_dir(repo_root().join("fixtures-go")),
    )
    .status
    .success();
    assert!(ok);
    expect(
        &run(gate().arg("run").arg(&bin)),
        3,
        &["not a test binary", "go test -c"],
    );
}

#[test]
fn a_package_without_tests_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let r = run(gate()
        .args(["run", "--no-ebpf", "--json"])
        .arg(&json)
        .args(["./fixtures-go/notatest", "./fixtures-go/gc/forced"]));
    assert_eq!(r.code, 1, "forced-gc still fails: {}", r.stderr);
    assert!(
        r.stderr
            .contains("gate.example/fixtures/notatest: no test files, skipped"),
        "{}",
        r.stderr
    );
    assert_eq!(
        read_json(&json)["binaries"].as_array().map(Vec::len),
        Some(1)
    );
    // Only packages without tests: nothing to run is a usage error.
    expect(
        &run(gate().args(["run", "./fixtures-go/notatest"])),
        2,
        &["no test binaries to run"],
    );
}

#[test]
fn a_missing_go_toolchain_is_an_environment_error() {
    let r = run(gate()
        .env("PATH", "/nonexistent")
        .args(["run", "./fixtures-go/gc/forced"]));
    expect(&r, 3, &["cannot run the Go toolchain", "install Go"]);
}

#[test]
fn a_package_that_does_not_compile_fails_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("go.mod"), "module broken\n\ngo 1.22\n").expect("go.mod");
    std::fs::write(
        dir.path().join("b_test.go"),
        "package broken\n\nfunc TestX(t *testing.T) { undefined() }\n",
    )
    .expect("src");
    let r = run(gate().arg("run").arg(dir.path()));
    // The package's failure is in the report, with the compiler's words.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("broken: [build failed]"), "{}", r.stderr);
    for n in [
        "=== FAIL broken [build failed]",
        "go test -c",
        "b_test.go:3",
    ] {
        assert!(r.stdout.contains(n), "stdout lacks {n:?}:\n{}", r.stdout);
    }
}

#[test]
fn a_broken_package_is_one_red_package_and_the_others_still_run() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("go.mod", "module example.com/mixed\n\ngo 1.22\n");
    write("a/a.go", "package a\n\nfunc F() int { return \"x\" }\n");
    write(
        "a/a_test.go",
        "package a\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n",
    );
    write("b/b.go", "package b\n\nfunc G() int { return 1 }\n");
    write(
        "b/b_test.go",
        "package b\n\nimport \"testing\"\n\nfunc TestG(t *testing.T) {\n\tif G() != 1 {\n\t\tt.Fatal(G())\n\t}\n}\n",
    );
    let out = dir.path().join("out");
    let (json, junit, sarif) = (out.join("g.json"), out.join("g.xml"), out.join("g.sarif"));
    let r = run(gate()
        .current_dir(dir.path())
        .args(["run", "--json"])
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .arg("--sarif")
        .arg(&sarif)
        .arg("./..."));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let binaries = report["binaries"].as_array().expect("binaries");
    let package = |name: &str| {
        binaries
            .iter()
            .find(|b| b["package"] == name)
            .unwrap_or_else(|| panic!("{name} missing from the report: {report}"))
    };
    // The package that compiles ran, and passed.
    let b = package("example.com/mixed/b");
    assert_eq!(b["tests"][0]["name"], "TestG", "{b}");
    assert_eq!(b["tests"][0]["status"], "pass", "{b}");
    // The one that does not is one failed package with the compiler's words.
    let a = package("example.com/mixed/a");
    assert_eq!(a["exit"], "build failed", "{a}");
    assert_eq!(a["tests"][0]["name"], "[build failed]", "{a}");
    assert_eq!(a["tests"][0]["status"], "fail", "{a}");
    let output = a["tests"][0]["output"].to_string();
    assert!(
        output.contains("a.go:3") && output.contains("cannot use"),
        "{a}"
    );
    let junit = std::fs::read_to_string(&junit).expect("JUnit written");
    assert!(
        junit.contains("[build failed]") && junit.contains("cannot use") && junit.contains("TestG"),
        "{junit}"
    );
    assert!(sarif.is_file(), "SARIF written");
    assert!(r.stdout.contains("[build failed]") || r.stderr.contains("[build failed]"));
}

#[test]
fn help_explains_every_flag_with_examples() {
    let r = run(gate().args(["run", "--help"]));
    assert_eq!(r.code, 0);
    for flag in [
        "--rules",
        "--junit",
        "--sarif",
        "--json",
        "--timeout",
        "TEST_FLAGS",
        "Example",
    ] {
        assert!(
            r.stdout.contains(flag),
            "run --help lacks {flag}:\n{}",
            r.stdout
        );
    }
    let r = run(gate().arg("--help"));
    assert!(
        r.stdout.contains("Exit codes") && r.stdout.contains("gate run ./..."),
        "{}",
        r.stdout
    );
}

#[test]
fn rules_lists_the_builtin_catalog_and_metrics() {
    let r = run(gate().arg("rules"));
    assert_eq!(r.code, 0);
    for id in [
        "forced-gc",
        "gc-cpu-budget",
        "gc-pause-budget",
        "heap-peak-budget",
    ] {
        assert!(r.stdout.contains(id), "{}", r.stdout);
    }
    let r = run(gate().args(["rules", "--metrics"]));
    assert!(
        r.stdout.contains("gc.max_pause_ms") && r.stdout.contains("gctrace"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_testmain_that_never_runs_the_tests_is_named_as_such() {
    if !require_ebpf() {
        return;
    }
    let bin = fixture_binary("outcomes/nomrun");
    let r = run(gate().arg("run").arg(&bin));
    expect(&r, 3, &["TestMain never calls m.Run", "os.Exit(m.Run())"]);
    assert!(!r.stderr.contains("stripped"), "{}", r.stderr);
    // Go 1.22 inlines testing.MainStart and carries no module info: the
    // binary is still known for a test binary, by testdeps' package variable.
    let dir = tempfile::tempdir().expect("tempdir");
    for version in ["1.22.12", "1.27.3"] {
        let Some(bin) = build_with(version, "outcomes/nomrun", dir.path()) else {
            return;
        };
        let r = run(gate().arg("run").arg(&bin));
        expect(&r, 3, &["TestMain never calls m.Run"]);
        assert!(
            !r.stderr.contains("not a test binary"),
            "go{version}: {}",
            r.stderr
        );
    }
}

#[test]
fn small_conventions_json_to_stdout_version_completions_errors_once() {
    // --json - : the report alone on stdout, the summary on stderr.
    let r = run(gate().args(["run", "--no-ebpf", "--json", "-", "./fixtures-go/gc/calm"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("stdout is the JSON report");
    assert_eq!(report["binaries"].as_array().map(Vec::len), Some(1));
    assert!(r.stderr.contains("gate: PASS: 1 binary,"), "{}", r.stderr);
    expect(
        &run(gate().args(["run", "--json", "-", "--sarif", "-", "x.test"])),
        2,
        &["--json and --sarif write to stdout"],
    );
    // --version names the commit (or says it is unknown).
    let r = run(gate().arg("--version"));
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match commit {
        Some(hash) => assert!(r.stdout.contains(&hash), "{} lacks {hash}", r.stdout),
        None => assert!(r.stdout.contains("commit unknown"), "{}", r.stdout),
    }
    // Completions: scripts each shell accepts.
    let r = run(gate().args(["completions", "bash"]));
    assert_eq!(r.code, 0);
    let script = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(script.path(), &r.stdout).expect("write");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(script.path())
        .output()
        .expect("bash");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    assert!(
        r.stdout.contains("--allow-no-tests"),
        "the run flags are completed"
    );
    for shell in ["zsh", "fish"] {
        let r = run(gate().args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}");
        assert!(r.stdout.contains("allow-no-tests"), "{shell}");
    }
    // An error whose message already quotes its cause prints it once.
    let r = run(gate().args([
        "run",
        "--no-ebpf",
        "--json",
        "/proc/gate-cannot-write.json",
        "./fixtures-go/gc/calm",
    ]));
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("cannot write /proc/gate-cannot-write.json"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("caused by"), "{}", r.stderr);
}
