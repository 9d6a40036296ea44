//! Baselines, regressions, benchmarks and `gate merge`, on the regress/work
//! fixture whose amount of work GATE_FIXTURE_WORK sets (10000 records by
//! default; 20000 doubles every allocation).

use std::path::Path;

use serde_json::Value;

use crate::support::*;

const FIXTURE: &str = "regress/work";
const SOURCE: &str = "fixtures-go/regress/work/work_test.go";
/// Benchmarks with a fixed iteration count: B/op and allocs/op repeat exactly.
const BENCH: [&str; 4] = ["-test.bench", ".", "-test.benchtime", "100x"];

/// Runs gate on the fixture with a given amount of work, writing `json`.
fn gate_on_work(work: u32, json: &Path, extra: &[&str], test_flags: &[&str]) -> Run {
    let mut cmd = gate();
    cmd.env("GATE_FIXTURE_WORK", work.to_string())
        .args(["run", "--json"])
        .arg(json)
        .args(extra)
        .arg(fixture_binary(FIXTURE));
    if !test_flags.is_empty() {
        cmd.arg("--").args(test_flags);
    }
    run(&mut cmd)
}

fn binary(report: &Value) -> &Value {
    &report["binaries"][0]
}

/// The regression check of a rule, subject and metric.
fn comparison<'a>(report: &'a Value, rule: &str, subject: &str, metric: &str) -> &'a Value {
    binary(report)["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| {
            c["rule"] == rule
                && c["test"] == subject
                && c["metric"] == metric
                && c["kind"] == "regression"
        })
        .unwrap_or_else(|| panic!("no {rule} check of {metric} for {subject}"))
}

fn warnings(report: &Value) -> Vec<String> {
    binary(report)["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect()
}

#[test]
fn same_work_passes_against_its_own_baseline_and_more_allocations_fail() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("base.json");
    let r = gate_on_work(10000, &base, &[], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    // The same work, compared with its own baseline: every comparison passes.
    let same = dir.path().join("same.json");
    let r = gate_on_work(10000, &same, &["--baseline", base.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&same);
    for test in ["TestEncodeRecords", "TestFixedWork"] {
        for metric in ["alloc.bytes", "alloc.objects"] {
            let c = comparison(&report, "alloc-regression", test, metric);
            assert_eq!(c["status"], "pass", "{c}");
            assert!(c["baseline"].as_f64().unwrap() > 0.0, "{c}");
        }
    }

    // Twice the records: alloc-regression at the test's function, with the figures.
    let more = dir.path().join("more.json");
    let junit = dir.path().join("junit.xml");
    let sarif = dir.path().join("gate.sarif");
    let r = gate_on_work(
        20000,
        &more,
        &[
            "--baseline",
            base.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--sarif",
            sarif.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = read_json(&more);
    let site = line_of(SOURCE, "func TestEncodeRecords(");
    let found = violations(&report);
    assert_eq!(
        found,
        [
            (
                "alloc-regression".into(),
                "TestEncodeRecords".into(),
                site.clone()
            ),
            ("alloc-regression".into(), "TestEncodeRecords".into(), site)
        ],
        "only the test whose work doubled regresses, in bytes and in objects"
    );
    let v = &binary(&report)["violations"][0];
    assert_eq!(v["metric"], "alloc.bytes");
    let change = v["change"].as_f64().expect("change");
    assert!((0.8..1.2).contains(&change), "twice the bytes: {v}");
    assert!(v["current"].as_f64().unwrap() > v["baseline"].as_f64().unwrap());
    // The same finding in JUnit (a failure) and SARIF (a result at the test).
    let junit = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        junit.contains("alloc-regression (TestEncodeRecords, alloc.bytes)")
            && junit.contains("<failure"),
        "{junit}"
    );
    let sarif = read_json(&sarif);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "alloc-regression"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == SOURCE));
}

#[test]
fn a_benchmark_regression_in_allocs_per_op_fails_as_bench_regression() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("base.json");
    let r = gate_on_work(10000, &base, &["--no-ebpf"], &BENCH);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&base);
    // Benchmark results are benchmarks with metrics, not tests without a result.
    assert_eq!(tests(&report).len(), 2, "{:?}", tests(&report));
    let bench = binary(&report)["benchmarks"][0]["name"]
        .as_str()
        .expect("a benchmark")
        .to_string();
    assert!(bench.starts_with("BenchmarkEncode"), "{bench}");
    // 8 records of two allocations, plus the slice, per operation.
    assert_eq!(
        binary(&report)["metrics"]["benchmarks"][&bench]["bench.allocs/op"],
        17.0
    );

    let now = dir.path().join("now.json");
    let r = gate_on_work(
        20000,
        &now,
        &["--no-ebpf", "--baseline", base.to_str().unwrap()],
        &BENCH,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = read_json(&now);
    let site = line_of(SOURCE, "func BenchmarkEncode(");
    let found: Vec<_> = violations(&report)
        .into_iter()
        .filter(|v| v.0 == "bench-regression")
        .collect();
    assert_eq!(
        found,
        [
            ("bench-regression".into(), bench.clone(), site.clone()),
            ("bench-regression".into(), bench.clone(), site)
        ],
        "allocs/op and B/op regress"
    );
    let c = comparison(&report, "bench-regression", &bench, "bench.allocs/op");
    assert_eq!(
        (c["baseline"].as_f64(), c["current"].as_f64()),
        (Some(17.0), Some(33.0))
    );
    // One sample a side: ns/op is not judged, and says so.
    let ns = comparison(&report, "bench-regression", &bench, "bench.ns/op");
    assert_eq!(ns["status"], "not enough samples");
    // The allocation rule needs the engine: skipped, never passed.
    let c = comparison(
        &report,
        "alloc-regression",
        "TestEncodeRecords",
        "alloc.bytes",
    );
    assert_eq!(c["status"], "skipped");
}

#[test]
fn a_noisy_metric_with_too_few_samples_warns_and_does_not_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Two runs of the binary (--repeat 2), each repeating the benchmark twice.
    let flags = [&BENCH[..], &["-test.count", "2"]].concat();
    let repeat = ["--no-ebpf", "--repeat", "2"];
    let base = dir.path().join("base.json");
    let r = gate_on_work(10000, &base, &repeat, &flags);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&base);
    let bench = binary(&report)["benchmarks"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let samples = &binary(&report)["samples"];
    let count = |v: &Value| v.as_array().map(Vec::len);
    assert_eq!(
        count(&samples["benchmarks"][&bench]["bench.ns/op"]),
        Some(4),
        "one sample per -test.count repetition, of both runs"
    );
    assert_eq!(
        count(&samples["benchmark_runs"][&bench]["bench.ns/op"]),
        Some(2),
        "one median per run"
    );

    let now = dir.path().join("now.json");
    let base_arg = ["--baseline", base.to_str().unwrap()];
    let r = gate_on_work(10000, &now, &[&repeat[..], &base_arg].concat(), &flags);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&now);
    let c = comparison(&report, "bench-regression", &bench, "bench.ns/op");
    assert_eq!(c["status"], "not enough samples", "{c}");
    // ns/op is judged on one sample per run: 2 a side, of the 4 it needs.
    assert_eq!(c["samples"], serde_json::json!([2, 2]));
    let w = warnings(&report);
    assert!(
        w.iter().any(|w| w.contains(
            "bench-regression: bench.ns/op of 1 subject not compared: not enough samples (2 in the baseline, 2 now"
        ) && w.contains("--repeat 4")),
        "{w:?}"
    );
    assert!(
        r.stdout
            .contains("gate: warning: bench-regression: bench.ns/op"),
        "{}",
        r.stdout
    );
    // The exact metrics are compared all the same, and pass.
    let c = comparison(&report, "bench-regression", &bench, "bench.allocs/op");
    assert_eq!(c["status"], "pass");
}

#[test]
fn repeat_runs_the_binary_again_and_keeps_every_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let r = gate_on_work(10000, &json, &["--no-ebpf", "--repeat", "4"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    assert_eq!(binary(&report)["runs"], 4);
    let durations = &binary(&report)["samples"]["tests"]["TestEncodeRecords"]["test.duration_s"];
    assert_eq!(durations.as_array().map(Vec::len), Some(4), "{durations}");
    // Each test is listed once, with its median in metrics.
    assert_eq!(tests(&report).len(), 2);
}

#[test]
fn a_baseline_that_is_not_a_report_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("base.json");
    std::fs::write(&bad, "{\"version\": 1,\n \"binaries\": 3}\n").unwrap();
    let r = run(gate()
        .args(["run", "--no-ebpf", "--baseline"])
        .arg(&bad)
        .arg(fixture_binary(FIXTURE)));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("baseline {}:2:", bad.display()))
            && r.stderr.contains("not a gate JSON report"),
        "{}",
        r.stderr
    );
    // Nothing ran: the error comes before the tests.
    assert!(!r.stdout.contains("PASS"), "{}", r.stdout);
    let r = run(gate()
        .args(["run", "--no-ebpf", "--baseline", "no/such/base.json"])
        .arg(fixture_binary(FIXTURE)));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("baseline no/such/base.json: cannot read"),
        "{}",
        r.stderr
    );
}

type Verdict = (Vec<(String, String)>, Vec<(String, String, String)>);

/// What a verdict consists of: tests and their statuses, and findings.
fn verdict_of(report: &Value) -> Verdict {
    let mut t = tests(report);
    t.sort();
    let mut v = violations(report);
    v.sort();
    (t, v)
}

#[test]
fn merge_of_two_shards_equals_one_run_of_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name);
    let shard = |json: &Path, binary: &str| {
        run(gate()
            .args(["run", "--no-ebpf", "--json"])
            .arg(json)
            .arg(fixture_binary(binary))
            .args([
                "--",
                "-test.run",
                "^(TestCacheResetForcesGC|TestPasses|TestSkips|TestFails)$",
            ]))
    };
    // One run of both: a forced GC (a violation), a failed, a skipped and a passing test.
    let both = run(gate()
        .args(["run", "--no-ebpf", "--json"])
        .arg(path("both.json"))
        .arg(fixture_binary("gc/forced"))
        .arg(fixture_binary("outcomes"))
        .args([
            "--",
            "-test.run",
            "^(TestCacheResetForcesGC|TestPasses|TestSkips|TestFails)$",
        ]));
    assert_eq!(both.code, 1, "{}{}", both.stdout, both.stderr);
    let a = shard(&path("a.json"), "gc/forced");
    let b = shard(&path("b.json"), "outcomes");
    assert_eq!((a.code, b.code), (1, 1));

    let merged = run(gate()
        .args(["merge", "--json"])
        .arg(path("merged.json"))
        .arg("--junit")
        .arg(path("junit.xml"))
        .arg("--sarif")
        .arg(path("gate.sarif"))
        .arg(path("a.json"))
        .arg(path("b.json")));
    assert_eq!(merged.code, both.code, "{}{}", merged.stdout, merged.stderr);
    let one = read_json(&path("both.json"));
    let joined = read_json(&path("merged.json"));
    assert_eq!(verdict_of(&joined), verdict_of(&one));
    assert!(!verdict_of(&one).1.is_empty() && verdict_of(&one).0.len() >= 4);
    // The last line of the terminal report is the same verdict.
    let last = |s: &str| {
        s.lines()
            .rfind(|l| l.starts_with("gate: "))
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(last(&merged.stdout), last(&both.stdout));
    let junit = std::fs::read_to_string(path("junit.xml")).expect("junit");
    assert!(
        junit.contains("TestFails") && junit.contains("forced-gc"),
        "{junit}"
    );
    let sarif = read_json(&path("gate.sarif"));
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(1)
    );

    // Merging all passing shards passes; a missing shard file is a usage error.
    let r = run(gate().arg("merge").arg(path("missing.json")));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("missing.json: cannot read"),
        "{}",
        r.stderr
    );
}

#[test]
fn merge_compares_the_joined_shards_with_a_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name);
    let r = gate_on_work(10000, &path("base.json"), &["--no-ebpf"], &BENCH);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Two shards of one package, split by -test.run as a CI matrix would.
    let mut shard_flags = BENCH.to_vec();
    shard_flags.extend(["-test.run", "^TestEncodeRecords$"]);
    let r = gate_on_work(20000, &path("a.json"), &["--no-ebpf"], &shard_flags);
    assert_eq!(r.code, 0, "no baseline in the shard: {}", r.stderr);
    let r = gate_on_work(
        20000,
        &path("b.json"),
        &["--no-ebpf"],
        &["-test.run", "^TestFixedWork$"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let merged = run(gate()
        .args(["merge", "--json"])
        .arg(path("merged.json"))
        .arg("--baseline")
        .arg(path("base.json"))
        .arg(path("a.json"))
        .arg(path("b.json")));
    assert_eq!(merged.code, 1, "{}{}", merged.stdout, merged.stderr);
    let report = read_json(&path("merged.json"));
    assert_eq!(
        report["binaries"].as_array().map(Vec::len),
        Some(1),
        "one package"
    );
    let mut names: Vec<String> = tests(&report).into_iter().map(|t| t.0).collect();
    names.sort();
    assert_eq!(names, ["TestEncodeRecords", "TestFixedWork"]);
    assert!(
        violations(&report)
            .iter()
            .any(|v| v.0 == "bench-regression"),
        "{:?}",
        violations(&report)
    );
}

#[test]
fn benchmark_budgets_apply_to_go_and_custom_units() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let rule = |id: &str, metric: &str, max: u32| {
        format!(
            "id = \"{id}\"\ntitle = \"{id}\"\nseverity = \"error\"\nscope = \"benchmark\"\nhelp = \"Keep the hot path lean; fix by reusing buffers.\"\nbench_units = [\"records/op\"]\n[check]\nmetric = \"{metric}\"\nmax = {max}\n"
        )
    };
    std::fs::write(
        rules.join("allocs-per-op.toml"),
        rule("allocs-per-op", "bench.allocs/op", 20),
    )
    .unwrap();
    std::fs::write(
        rules.join("records-per-op.toml"),
        rule("records-per-op", "bench.records/op", 8),
    )
    .unwrap();
    let json = dir.path().join("gate.json");
    let args = ["--no-ebpf", "--rules", rules.to_str().unwrap()];
    // 8 records and 17 allocations per operation: within both budgets.
    let r = gate_on_work(10000, &json, &args, &BENCH);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let bench = binary(&report)["benchmarks"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        binary(&report)["metrics"]["benchmarks"][&bench]["bench.records/op"],
        8.0
    );
    // Twice the work: 16 records and 33 allocations per operation break both, at the benchmark.
    let r = gate_on_work(20000, &json, &args, &BENCH);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let site = line_of(SOURCE, "func BenchmarkEncode(");
    let mut found = violations(&read_json(&json));
    found.sort();
    assert_eq!(
        found,
        [
            ("allocs-per-op".into(), bench.clone(), site.clone()),
            ("records-per-op".into(), bench, site)
        ]
    );
}

#[test]
fn a_doubled_package_another_go_release_and_a_shard_merged_twice_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name);
    let base = path("base.json");
    let r = gate_on_work(10000, &base, &["--no-ebpf"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&base);

    // The same package twice: an error, not the first copy silently.
    let mut doubled = report.clone();
    let copy = doubled["binaries"][0].clone();
    doubled["binaries"]
        .as_array_mut()
        .expect("binaries")
        .push(copy);
    std::fs::write(path("doubled.json"), doubled.to_string()).expect("write");
    let r = gate_on_work(
        10000,
        &path("x.json"),
        &[
            "--no-ebpf",
            "--baseline",
            path("doubled.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("doubled.json") && r.stderr.contains("appears twice"),
        "{}",
        r.stderr
    );

    // Another Go release: compared, with a warning that says so.
    let mut older = report.clone();
    older["binaries"][0]["go_version"] = "go1.22.12".into();
    std::fs::write(path("older.json"), older.to_string()).expect("write");
    let out = path("against-older.json");
    let r = gate_on_work(
        10000,
        &out,
        &[
            "--no-ebpf",
            "--baseline",
            path("older.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        warnings(&read_json(&out))
            .iter()
            .any(|w| w.contains("built with go1.22.12")),
        "{:?}",
        warnings(&read_json(&out))
    );

    // One shard twice, by the same path or a copy: refused.
    std::fs::copy(&base, path("copy.json")).expect("copy");
    for second in [base.clone(), path("copy.json")] {
        let r = run(gate().arg("merge").arg(&base).arg(&second));
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("same report"), "{}", r.stderr);
    }
}

#[test]
fn benchmarks_compare_across_cpu_counts_and_a_foreign_baseline_is_loud() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (base, head) = (dir.path().join("base.json"), dir.path().join("head.json"));
    // The baseline ran on one CPU (no -N suffix), this run on two (-2).
    let r = gate_on_work(
        10_000,
        &base,
        &[],
        &[&BENCH[..], &["-test.cpu", "1"]].concat(),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = gate_on_work(
        10_000,
        &head,
        &["--baseline", base.to_str().expect("utf-8")],
        &[&BENCH[..], &["-test.cpu", "2"]].concat(),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&head);
    let names: Vec<String> = binary(&report)["benchmarks"]
        .as_array()
        .expect("benchmarks")
        .iter()
        .map(|b| b["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| n.ends_with("-2")),
        "{names:?}"
    );
    let check = comparison(&report, "bench-regression", &names[0], "bench.allocs/op");
    assert_eq!(check["status"], "pass", "{check}");
    assert!(
        warnings(&report)
            .iter()
            .any(|w| w.contains("GOMAXPROCS 1 (no suffix)")),
        "{:?}",
        warnings(&report)
    );
    // A baseline of another package entirely: nothing compared, and it says so.
    let mut foreign = read_json(&base);
    foreign["binaries"][0]["package"] = "example.com/another/repo".into();
    std::fs::write(&base, foreign.to_string()).expect("write");
    let r = gate_on_work(
        10_000,
        &head,
        &["--baseline", base.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("the baseline matches nothing in this run"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_terminal_shows_benchmarks_with_their_change_from_the_baseline() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (base, head) = (dir.path().join("base.json"), dir.path().join("head.json"));
    let r = gate_on_work(10_000, &base, &[], &BENCH);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = gate_on_work(
        20_000,
        &head,
        &["--baseline", base.to_str().expect("utf-8")],
        &BENCH,
    );
    let table: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("BENCHMARK "))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(table.len() >= 2, "{}", r.stdout);
    assert!(
        table[0].contains("NS/OP") && table[0].contains("B/OP") && table[0].contains("ALLOCS/OP")
    );
    let row = table
        .iter()
        .find(|l| l.starts_with("BenchmarkEncode"))
        .expect("BenchmarkEncode row");
    // Twice the work: allocs/op doubles, and the row says from what to what.
    assert!(
        row.contains("allocs/op ") && row.contains(" -> ") && row.contains("(+"),
        "{row}"
    );
}
