//! Report validity with the tools CI systems use: the SARIF 2.1.0 schema,
//! Microsoft's SARIF multitool with GitHub's rules, and junitparser.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// A run with a violation, failed, skipped and passing tests, so that every
/// report element appears: gc/forced plus the outcomes fixture.
fn mixed_reports(dir: &Path) -> Run {
    mixed_reports_with(dir, &[])
}

fn mixed_reports_with(dir: &Path, extra: &[&str]) -> Run {
    let run = run(gate()
        .args(["run", "--no-ebpf"])
        .args(extra)
        .arg("--json")
        .arg(dir.join("gate.json"))
        .arg("--junit")
        .arg(dir.join("junit.xml"))
        .arg("--sarif")
        .arg(dir.join("gate.sarif"))
        .arg(fixture_binary("gc/forced"))
        .arg(fixture_binary("outcomes"))
        .args([
            "--",
            "-test.run",
            "^(TestCacheResetForcesGC|TestPasses|TestSkips|TestFails|TestSubtests)$",
        ]));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    run
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    mixed_reports(dir.path());
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-2.1.0.json")).expect("schema parses");
    let sarif = read_json(&dir.path().join("gate.sarif"));
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every result has a relative location, a line and a fingerprint (GitHub rejects the file otherwise).
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.starts_with('/'),
            "{uri} must be relative to the repository root"
        );
        assert!(loc["region"]["startLine"].as_i64().unwrap_or(0) >= 1);
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    // Rule descriptors come from the rule files, without security-severity.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), crate::support::builtin_rule_ids().len());
    // Rules skipped under --no-ebpf are said so in the invocation's notifications.
    let notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
        .as_array()
        .expect("notifications");
    assert!(
        notes
            .iter()
            .any(|n| n["descriptor"]["id"] == "goroutine-leak"),
        "{notes:?}"
    );
    assert!(
        rules.iter().all(|r| r["help"]["markdown"].is_string()
            && r["properties"].get("security-severity").is_none())
    );
}

#[test]
fn sarif_passes_the_multitool_with_github_rules() {
    if !require(
        "sarif-multitool",
        "validates SARIF with --rule-kind Sarif;Ghas",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    mixed_reports(dir.path());
    let log = dir.path().join("validation.sarif");
    let out = alone(
        Command::new("sarif-multitool")
            .args(["validate", "--rule-kind", "Sarif;Ghas", "--output"])
            .arg(&log)
            .arg(dir.path().join("gate.sarif")),
    );
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    let log = read_json(&log);
    let findings: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["level"] == "error")
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(findings.is_empty(), "{findings:#?}\n{text}");
}

#[test]
fn junit_parses_with_junitparser_and_counts_are_right() {
    let python_ok = Command::new("python3")
        .args(["-c", "import junitparser"])
        .status()
        .is_ok_and(|s| s.success());
    if !python_ok {
        assert!(
            !in_ci(),
            "python3 with junitparser is required in CI; .ci/run installs it"
        );
        eprintln!("SKIPPED: python3 -c 'import junitparser' failed; pip install junitparser");
        return;
    }
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Skipped, Error
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    cases = list(suite)
    failures = sum(1 for c in cases for r in c.result if isinstance(r, Failure))
    skipped = sum(1 for c in cases for r in c.result if isinstance(r, Skipped))
    errors = sum(1 for c in cases for r in c.result if isinstance(r, Error))
    assert suite.tests == len(cases), (suite.name, suite.tests, len(cases))
    assert suite.failures == failures, (suite.name, suite.failures, failures)
    assert suite.skipped == skipped, (suite.name, suite.skipped, skipped)
    assert errors == 0
    print(suite.name, len(cases), failures, skipped)
"#;
    let counts = |extra: &[&str]| {
        let dir = tempfile::tempdir().expect("tempdir");
        mixed_reports_with(dir.path(), extra);
        let out = alone(
            Command::new("python3")
                .args(["-c", script])
                .arg(dir.path().join("junit.xml")),
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines().map(str::to_string).collect::<Vec<_>>()
    };
    // By default: one testcase per Go test (TestCacheResetForcesGC passes but
    // forced-gc's error is its failure), one per rule that failed or warned,
    // and one <skipped> naming the rules that needed eBPF.
    // outcomes: 7 Go tests (3 failed, 1 skipped) and the eBPF rules' one.
    assert_eq!(
        counts(&[]),
        [
            "gate.example/fixtures/gc/forced 3 2 1",
            "gate.example/fixtures/outcomes 8 3 2",
        ]
    );
    // --junit-all-checks: the full matrix, a testcase per rule and test; the
    // eBPF rules (and n/a, no data) are <skipped>, never passed.
    let rules = crate::support::builtin_limit_rule_ids().len();
    let ebpf = crate::support::builtin_ebpf_rule_ids().len();
    let full = counts(&["--junit-all-checks"]);
    let field = |line: &str, i: usize| -> usize {
        line.split(' ')
            .nth(i)
            .and_then(|n| n.parse().ok())
            .expect("a count")
    };
    assert_eq!(field(&full[0], 1), 1 + rules, "{full:?}");
    assert_eq!(field(&full[0], 2), 2, "{full:?}");
    assert!(field(&full[0], 3) >= ebpf, "{full:?}");
    assert_eq!(field(&full[1], 1), 7 + 6 * rules, "{full:?}");
    assert_eq!(field(&full[1], 2), 3, "{full:?}");
    assert!(field(&full[1], 3) > 6 * ebpf, "{full:?}");
}

#[test]
fn junit_testcases_carry_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    mixed_reports(dir.path());
    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    let want = line_of(
        "fixtures-go/gc/forced/forced_test.go",
        "func TestCacheResetForcesGC",
    );
    let (file, line) = want.split_once(':').expect("file:line");
    assert!(
        xml.contains(r#"name="forced-gc (TestCacheResetForcesGC)" classname="gate.example/fixtures/gc/forced (gate rules)""#),
        "{xml}"
    );
    assert!(
        xml.contains(&format!(r#"file="{file}" line="{line}""#)),
        "{xml}"
    );
    assert!(
        xml.starts_with("<?xml") && xml.contains("<testsuites"),
        "{xml}"
    );
}

#[test]
fn a_report_that_cannot_be_written_loses_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("new/dir/junit.xml");
    let summary = dir.path().join("summary.md");
    let run = run(gate()
        .args(["run", "--no-ebpf", "--json", "/dev/full", "--junit"])
        .arg(&junit)
        .arg("--sarif")
        .arg(dir.path().join("gate.sarif"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .arg(fixture_binary("outcomes"))
        .args(["--", "-test.run", "^TestPasses$"]));
    // The verdict is printed and every other report written; then the error.
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("gate: PASS"), "{}", run.stdout);
    assert!(
        run.stderr.contains("cannot write /dev/full"),
        "{}",
        run.stderr
    );
    assert!(junit.is_file() && dir.path().join("gate.sarif").is_file());
    assert!(summary.is_file());
}

#[test]
fn a_report_replaces_a_symlink_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").expect("write");
    let json = dir.path().join("gate.json");
    std::os::unix::fs::symlink(&victim, &json).expect("symlink");
    let run = run(gate()
        .args(["run", "--no-ebpf", "--json"])
        .arg(&json)
        .arg(fixture_binary("outcomes"))
        .args(["--", "-test.run", "^TestPasses$"]));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(&json).expect("the report");
    assert!(meta.is_file(), "the report is a regular file now");
    assert!(read_json(&json)["binaries"].is_array());
    // Nothing half-written is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".gate-report-")),
        "{names:?}"
    );
}

#[test]
fn junit_of_a_large_suite_stays_small() {
    if !require_ebpf() || !require("go", "gate builds encoding/json's tests") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("junit.xml");
    let r = run(gate()
        .current_dir(dir.path())
        .args(["run", "--junit"])
        .arg(&junit)
        .arg("encoding/json"));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let xml = std::fs::read_to_string(&junit).expect("junit");
    let cases = xml.matches("<testcase ").count();
    // One testcase per Go test (about 590), none per passing check.
    assert!((400..=800).contains(&cases), "{cases} testcases");
    assert!(xml.len() < 200 * 1024, "{} bytes", xml.len());
}

#[test]
fn repeated_objects_are_one_finding_without_run_specific_ids() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (json, sarif) = (dir.path().join("gate.json"), dir.path().join("gate.sarif"));
    let r = run(gate()
        .args(["run", "--json"])
        .arg(&json)
        .arg("--sarif")
        .arg(&sarif)
        .arg("./fixtures-go/ticker/unstopped")
        .args(["--", "-test.count", "3"]));
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let messages: Vec<String> = report["binaries"][0]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["rule"] == "ticker-not-stopped")
        .map(|v| v["message"].as_str().unwrap_or("").to_string())
        .collect();
    // Two lines make tickers, three times each: two findings, counted.
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .all(|m| m.contains("(3 of them from this line)")),
        "{messages:#?}"
    );
    assert!(!messages.iter().any(|m| m.contains("0x")), "{messages:#?}");
    let log = read_json(&sarif);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "ticker-not-stopped")
            .count(),
        2,
        "{results:#?}"
    );
}
