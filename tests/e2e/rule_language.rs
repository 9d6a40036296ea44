//! The rule language's predicates under real uprobes: every form (named
//! arguments of every width, bit masks, strings, lengths, fields one and two
//! pointers deep, all/any, a generic function behind its dictionary, whose
//! code, exclusions by caller, a goroutine taken from an argument) counted
//! on calls whose number the fixture knows.

use crate::support::*;

/// Runs gate with one rule file (a path, or a test rule of tests/e2e/rule-language
/// edited by `edit`) on the predicates fixture; the exit code and the JSON report.
fn with_rule(
    rule: &str,
    edit: impl Fn(String) -> String,
    extra: &[&str],
) -> (Run, serde_json::Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo_root().join("tests/e2e/rule-language").join(rule))
        .expect("the test rule");
    let file = dir.path().join(rule);
    std::fs::write(&file, edit(text)).expect("write");
    let json = dir.path().join("gate.json");
    let r = run(gate()
        .arg("run")
        .args(extra)
        .arg("--rules")
        .arg(&file)
        .arg("--json")
        .arg(&json)
        .arg(fixture_binary("probes/predicates")));
    let report = read_json(&json);
    (r, report)
}

#[test]
fn every_predicate_form_counts_exactly_the_calls_it_describes() {
    if !require_ebpf() {
        return;
    }
    let (r, report) = with_rule("predicates.toml", |t| t, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let metrics = &report["binaries"][0]["metrics"]["tests"]["TestDrive"];
    let count = |name: &str| metrics[format!("probe.{name}")].as_f64();
    // (probe, calls) as Drive makes them: see fixtures-go/probes/predicates.
    let want = [
        ("narrow_ok", 3.0),       // a bool among garbage upper bits
        ("narrow_negative", 3.0), // an int8 sign-extended
        ("mode_bit", 3.0),
        ("mode_no_bit", 2.0),
        ("prefix_eq", 2.0),
        ("prefix_starts", 3.0),
        ("prefix_len", 1.0),
        ("limit_field", 2.0), // a nil cfg has no field: not counted
        ("depth_field", 2.0), // two pointers deep
        ("cfg_nil", 3.0),     // with the helper's two
        ("either", 2.0),
        ("both", 2.0),
        ("sum_limit", 3.0), // both shapes of the generic Sum
        ("drive_calls", 6.0),
        ("named_not_skipped", 4.0), // not the two made through viaSkipped
    ];
    let got: Vec<(&str, Option<f64>)> = want.iter().map(|(n, _)| (*n, count(n))).collect();
    let expected: Vec<(&str, Option<f64>)> = want.iter().map(|(n, c)| (*n, Some(*c))).collect();
    assert_eq!(got, expected, "{metrics}");
    // No probed function here is small and uncalled: no inlining warning.
    assert_eq!(report["binaries"][0]["warnings"], serde_json::json!([]));
}

#[test]
fn calls_from_test_files_count_only_for_rules_about_tests() {
    if !require_ebpf() {
        return;
    }
    // The same probe with code = "tests": Drive (code under test) makes every call.
    let (r, report) = with_rule(
        "predicates.toml",
        |t| t.replace("code = \"under-test\"", "code = \"tests\""),
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let metrics = &report["binaries"][0]["metrics"]["tests"]["TestDrive"];
    assert_eq!(
        metrics["probe.drive_calls"].as_f64(),
        Some(0.0),
        "{metrics}"
    );
    assert_eq!(metrics["probe.narrow_ok"].as_f64(), Some(0.0), "{metrics}");
}

#[test]
fn a_parameter_name_the_binary_lacks_makes_the_rule_not_applicable_and_says_which_exist() {
    if !require_ebpf() {
        return;
    }
    // Parameter names are the binary's (Go releases rename them): a name this
    // binary lacks makes the probe n/a here, with a warning listing the real ones;
    // an error only where the rule marks the probe required.
    let rule = |required: bool| {
        format!(
            "id = \"typo\"\ntitle = \"t\"\nseverity = \"note\"\nscope = \"test\"\nhelp = \"h\"\n\n[[probe]]\nname = \"sleep\"\nsymbol = \"time.Sleep\"\nrequired = {required}\n[[probe.where]]\narg = \"d\"\nop = \"<=\"\nvalue = 0\n\n[check]\nmetric = \"probe.sleep\"\nmax = 0\n"
        )
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("typo.toml");
    let json = dir.path().join("gate.json");
    std::fs::write(&file, rule(false)).expect("write");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(&file)
        .arg("--json")
        .arg(&json)
        .arg(fixture_binary("probes/predicates")));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let warnings = report["binaries"][0]["warnings"].to_string();
    // time.Sleep is runtime.timeSleep(ns int64): the warning names what exists.
    assert!(
        warnings.contains("\\\"d\\\"") && warnings.contains("ns"),
        "{warnings}"
    );
    let checks = report["binaries"][0]["checks"].as_array().expect("checks");
    assert!(checks.iter().all(|c| c["status"] == "n/a"), "{checks:?}");
    std::fs::write(&file, rule(true)).expect("write");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(&file)
        .arg(fixture_binary("probes/predicates")));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("typo.toml") && r.stderr.contains("\"d\"") && r.stderr.contains("ns"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_hit_on_the_system_stack_is_charged_through_the_goroutine_argument() {
    if !require_ebpf() {
        return;
    }
    let (r, report) = with_rule("stack-growth.toml", |t| t, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let metrics = &report["binaries"][0]["metrics"];
    let deep = &metrics["tests"]["TestDeepRecursion"];
    // Deep(2000) with 1 KiB frames grows its goroutine's stack past 1 MiB at least once.
    let grown = deep["probe.big_stack"].as_f64().expect("a count");
    assert!(grown >= 1.0, "{deep}");
    assert_eq!(
        metrics["tests"]["TestDrive"]["probe.big_stack"].as_f64(),
        Some(0.0)
    );
    // Read from R14 (g0 on the system stack), the same hits belong to no test.
    assert_eq!(deep["probe.big_stack_on_g0"].as_f64(), Some(0.0), "{deep}");
    assert_eq!(
        metrics["binary"]["probe.big_stack_on_g0"].as_f64(),
        Some(grown)
    );
}

#[test]
fn a_duration_probe_times_each_call_from_entry_to_return() {
    if !require_ebpf() {
        return;
    }
    let (r, report) = with_rule("durations.toml", |t| t, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let metrics = &report["binaries"][0]["metrics"];
    let wait = &metrics["tests"]["TestWait"];
    // Slow(10) and Slow(30): sleeps last at least that long, and not ten times more.
    assert_eq!(wait["probe.slow.calls"].as_f64(), Some(2.0), "{wait}");
    let total = wait["probe.slow"].as_f64().expect("total ms");
    let longest = wait["probe.slow.max_ms"].as_f64().expect("max ms");
    assert!((40.0..400.0).contains(&total), "{wait}");
    assert!(
        (30.0..300.0).contains(&longest) && longest < total,
        "{wait}"
    );
    assert_eq!(
        metrics["tests"]["TestDrive"]["probe.slow.calls"].as_f64(),
        Some(0.0)
    );
    // Over the binary the longest call is the longest of the tests', not a sum.
    assert_eq!(
        metrics["binary"]["probe.slow.max_ms"].as_f64(),
        Some(longest)
    );
}

#[test]
fn a_syscall_probe_tests_arguments_and_results_and_places_the_call() {
    if !require_ebpf() {
        return;
    }
    let (r, report) = with_rule("syscalls.toml", |t| t.replace("max = 1000", "max = 0"), &[]);
    assert_eq!(
        r.code, 0,
        "a note never fails the run: {}{}",
        r.stdout, r.stderr
    );
    let tests = &report["binaries"][0]["metrics"]["tests"];
    // 100 one-byte writes and 3 failed opens, all in TestSyscalls' code under test.
    assert_eq!(
        tests["TestSyscalls"]["probe.tiny_writes"].as_f64(),
        Some(100.0)
    );
    assert_eq!(
        tests["TestSyscalls"]["probe.failed_opens"].as_f64(),
        Some(3.0)
    );
    assert_eq!(tests["TestDrive"]["probe.tiny_writes"].as_f64(), Some(0.0));
    let sites: Vec<String> = violations(&report)
        .into_iter()
        .map(|(rule, test, site)| format!("{rule} {test} {site}"))
        .collect();
    assert_eq!(
        sites,
        [format!(
            "syscalls TestSyscalls {}",
            line_of(
                "fixtures-go/probes/predicates/syscalls.go",
                "f.Write([]byte{'x'})"
            )
        )]
    );
}

#[test]
fn an_alloc_probe_reads_the_heap_profile_and_places_allocations_in_the_code() {
    if !require_ebpf() {
        return;
    }
    // The heap profile needs no eBPF: the rule runs the same with --no-ebpf.
    let (r, report) = with_rule("alloc.toml", |t| t, &["--no-ebpf"]);
    assert_eq!(
        r.code, 0,
        "a note never fails the run: {}{}",
        r.stdout, r.stderr
    );
    let tests = &report["binaries"][0]["metrics"]["tests"];
    // Labels(100): 100 Sprintf results of 6 to 7 bytes, which the runtime's
    // tiny allocator packs two to a 16-byte block: 50 to 100 objects.
    let objects = tests["TestAllocScope"]["probe.sprintf.objects"]
        .as_f64()
        .expect("objects");
    let bytes = tests["TestAllocScope"]["probe.sprintf"]
        .as_f64()
        .expect("bytes");
    assert!((50.0..=110.0).contains(&objects), "{tests}");
    assert!(bytes >= 600.0, "{tests}");
    assert_eq!(
        tests["TestDrive"]["probe.sprintf.objects"].as_f64(),
        Some(0.0)
    );
    let sites: Vec<String> = violations(&report)
        .into_iter()
        .map(|(rule, test, site)| format!("{rule} {test} {site}"))
        .collect();
    assert_eq!(
        sites,
        [format!(
            "alloc TestAllocScope {}",
            line_of(
                "fixtures-go/probes/predicates/alloc.go",
                "fmt.Sprintf(\"item-%d\", i)"
            )
        )]
    );
}

#[test]
fn a_build_variant_needs_a_package_and_says_so_for_a_binary() {
    // A test binary cannot be built again with other flags: the variant's rules
    // are not checked, and the report says why (never a silent pass).
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let r = run(gate()
        .args([
            "run",
            "--no-ebpf",
            "--enable",
            "checkptr-violation",
            "--json",
        ])
        .arg(&json)
        .arg(fixture_binary("checkptr-violation/arith")));
    let report = read_json(&json);
    let warnings = report["binaries"][0]["warnings"].to_string();
    assert!(
        warnings.contains("checkptr-violation") && warnings.contains("package pattern"),
        "{warnings}\n{}{}",
        r.stdout,
        r.stderr
    );
    assert!(
        !report["binaries"][0]["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|c| c["rule"] == "checkptr-violation"),
        "no check of a variant that did not run"
    );
}

#[test]
fn a_users_probe_on_a_missing_function_says_so_and_built_in_rules_stay_quiet() {
    if !require_ebpf() {
        return;
    }
    // A symbol no binary contains would pass silently. Built-in rules about
    // packages these tests do not link are "n/a" in their checks, without a
    // warning each.
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    let rule = |id: &str, symbol: &str| {
        format!(
            "id = \"{id}\"\ntitle = \"t\"\nseverity = \"error\"\nscope = \"test\"\nhelp = \"h\"\n\n[[probe]]\nname = \"{}\"\nsymbol = \"{symbol}\"\n\n[check]\nmetric = \"probe.{}\"\nmax = 0\n",
            id.replace('-', "_"),
            id.replace('-', "_")
        )
    };
    std::fs::write(
        rules.join("typo-symbol.toml"),
        rule("typo-symbol", "time.Slep"),
    )
    .expect("write");
    let json = dir.path().join("gate.json");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(&rules)
        .arg("--json")
        .arg(&json)
        .arg(fixture_binary("outcomes"))
        .args(["--", "-test.run", "^TestPasses$"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let warnings: Vec<String> = report["binaries"][0]["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    let about = |needle: &str| warnings.iter().filter(|w| w.contains(needle)).count();
    assert_eq!(
        about("no test binary contains time.Slep"),
        1,
        "{warnings:?}"
    );
    assert_eq!(about("(built-in)"), 0, "{warnings:?}");
}

#[test]
fn a_negative_value_for_an_unsigned_argument_is_a_rule_error() {
    if !require_ebpf() {
        return;
    }
    // mode is a uint32: `mode < -1` could never hold (nor `mode > -1` fail).
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo_root().join("tests/e2e/rule-language/predicates.toml"))
        .expect("the test rule")
        .replacen(
            "arg = \"mode\"\nop = \"any-bits\"\nvalue = 0x40",
            "arg = \"mode\"\nop = \"<\"\nvalue = -1",
            1,
        );
    let file = dir.path().join("predicates.toml");
    std::fs::write(&file, text).expect("write");
    let r = run(gate()
        .arg("run")
        .arg("--rules")
        .arg(&file)
        .arg(fixture_binary("probes/predicates")));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("predicates.toml") && r.stderr.contains("mode is unsigned"),
        "{}",
        r.stderr
    );
}
