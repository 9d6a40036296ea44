//! The GC budget rules without the eBPF engine: with --no-ebpf (gctrace
//! needs no privilege) the clean twin passes and the eBPF rules are reported
//! as skipped, never as passed; snapshots of every report format. Each GC
//! rule's findings on its fixture pair are the fixture harness's (harness.rs).

use crate::support::*;

/// Runs gate on one fixture package (built by gate itself from the pattern).
fn check(package: &str, dir: &tempfile::TempDir) -> (Run, serde_json::Value) {
    let json = dir.path().join("gate.json");
    let run = run(gate()
        .args(["run", "--no-ebpf", "--json"])
        .arg(&json)
        .arg("--junit")
        .arg(dir.path().join("junit.xml"))
        .arg("--sarif")
        .arg(dir.path().join("gate.sarif"))
        .arg(format!("./fixtures-go/{package}")));
    let report = read_json(&json);
    (run, report)
}

#[test]
fn the_clean_twin_passes_every_gc_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (run, report) = check("gc/calm", &dir);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(violations(&report), vec![]);
    let names: Vec<String> = tests(&report).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    // Every test-scope rule produced one check per test; the eBPF ones are skipped.
    let checks = report["binaries"][0]["checks"].as_array().expect("checks");
    let rules = builtin_limit_rule_ids().len();
    assert_eq!(checks.len(), rules * 4);
    let skipped = checks.iter().filter(|c| c["status"] == "skipped").count();
    assert_eq!(
        skipped,
        builtin_ebpf_rule_ids().len() * 4,
        "eBPF rules are skipped under --no-ebpf"
    );
    assert!(run.stdout.contains("gate: PASS"), "{}", run.stdout);
}

/// Snapshots of the three report formats for one violating fixture, with
/// volatile fields (timings, measured values, absolute paths) redacted.
#[test]
fn report_formats_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, report) = check("gc/forced", &dir);
    let numbers = vec![
        (r"((?:gc|test)\.\w+) = \d+(\.\d+)?", "$1 = [value]"),
        (r#"time="[0-9.]+""#, r#"time="[time]""#),
        (r"go1\.\d+(\.\d+)?", "go[version]"),
    ];
    insta::with_settings!({filters => numbers.clone()}, {
        insta::assert_json_snapshot!("forced_json", report, {
            ".binaries[].metrics" => "[metrics]",
            ".binaries[].checks[].value" => "[value]",
            ".binaries[].checks[].status" => "[status]",
            ".binaries[].violations[].value" => "[value]",
            ".binaries[].wall_s" => "[wall]",
            // A gctrace line cut off at exit adds a warning on some runs.
            ".binaries[].warnings" => "[warnings]",
            ".binaries[].tests[].duration_s" => "[duration]",
            ".gate_version" => "[version]",
        });
    });
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit written");
    let mut junit_filters = numbers.clone();
    junit_filters.push((
        r"<system-out>[^<]*</system-out>",
        "<system-out>[measured value]</system-out>",
    ));
    insta::with_settings!({filters => junit_filters}, {
        insta::assert_snapshot!("forced_junit", junit);
    });
    let sarif = read_json(&dir.path().join("gate.sarif"));
    insta::with_settings!({filters => numbers}, {
        insta::assert_json_snapshot!("forced_sarif", sarif, {
            ".runs[].originalUriBaseIds" => "[repository root]",
            ".runs[].tool.driver.version" => "[version]",
            ".runs[].tool.driver.semanticVersion" => "[version]",
            ".runs[].results[].properties.value" => "[value]",
        });
    });
}

#[test]
fn absolute_budgets_warn_until_the_team_makes_them_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Built in: the heap fixture breaks the 512 MiB budget, a warning.
    let (run_default, report) = check("gc/heap", &dir);
    assert_eq!(
        run_default.code, 0,
        "{}{}",
        run_default.stdout, run_default.stderr
    );
    let found: Vec<(String, String)> = report["binaries"][0]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| (v["rule"].to_string(), v["severity"].to_string()))
        .collect();
    assert!(
        found.contains(&("\"heap-peak-budget\"".into(), "\"warning\"".into())),
        "{found:?}"
    );
    // The team's copy with severity = "error" fails the build.
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    let builtin = std::fs::read_to_string(repo_root().join("rules/heap-peak-budget.toml"))
        .expect("built-in rule");
    std::fs::write(
        rules.join("heap-peak-budget.toml"),
        builtin.replacen("severity = \"warning\"", "severity = \"error\"", 1),
    )
    .expect("write");
    let r = run(gate()
        .args(["run", "--no-ebpf", "--rules"])
        .arg(&rules)
        .arg("./fixtures-go/gc/heap"));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_terminal_shows_findings_first_and_names_skipped_rules_once() {
    let status = |l: &str| {
        l.split_whitespace()
            .find(|t| ["FAIL", "WARNING", "NOTE", "pass", "skipped", "n/a", "no"].contains(t))
            .unwrap_or("")
            .to_string()
    };
    let table = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .skip_while(|l| !l.starts_with("RULE "))
            .skip(1)
            .take_while(|l| !l.is_empty() && !l.starts_with("gate: "))
            .map(str::to_string)
            .collect()
    };
    let r = run(gate().args(["run", "--no-ebpf", "./fixtures-go/gc/..."]));
    // By default: each finding with its detail, grouped by package and test...
    let forced = r
        .stdout
        .find("\ngate.example/fixtures/gc/forced\n  TestCacheResetForcesGC\n    FAIL    forced-gc fixtures-go/gc/forced/forced_test.go:8: ")
        .is_some();
    assert!(forced, "{}", r.stdout);
    // ...the findings' rows only, errors first, and a count of the rest.
    let rows = table(&r.stdout);
    assert!(rows.len() >= 4, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|l| ["FAIL", "WARNING", "NOTE"].contains(&status(l).as_str())),
        "{rows:#?}"
    );
    assert_eq!(
        status(&rows[0]),
        "FAIL",
        "errors before warnings: {rows:#?}"
    );
    assert!(
        r.stdout
            .contains(" checks passed or had nothing to judge (-v lists every check"),
        "{}",
        r.stdout
    );
    // No row per test for a rule that did not run; one line names them all.
    let skipped: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains(" skipped: the eBPF engine did not run"))
        .collect();
    assert_eq!(skipped.len(), 1, "{}", r.stdout);
    assert!(skipped[0].contains("goroutine-leak"), "{}", skipped[0]);
    // -v: every check, findings still first, never a row for a skipped rule.
    let r = run(gate().args(["run", "-v", "--no-ebpf", "./fixtures-go/gc/..."]));
    let rows = table(&r.stdout);
    let first_pass = rows
        .iter()
        .position(|l| status(l) == "pass")
        .expect("passing rows with -v");
    assert!(first_pass >= 4, "{rows:#?}");
    assert!(
        rows[..first_pass]
            .iter()
            .all(|l| ["FAIL", "WARNING", "NOTE"].contains(&status(l).as_str())),
        "{rows:#?}"
    );
    assert!(!rows.iter().any(|l| status(l) == "skipped"), "{rows:#?}");
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // Not a terminal (captured): no escape codes.
    let r = run(gate().args(["run", "--no-ebpf", "./fixtures-go/gc/forced"]));
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
    if !require("script", "util-linux's script gives gate a terminal") {
        return;
    }
    let on_tty = |no_color: Option<&str>| {
        let mut cmd = std::process::Command::new("script");
        cmd.current_dir(repo_root())
            .env_remove("NO_COLOR")
            .args(["-qec"])
            .arg(format!(
                "{} run --no-ebpf ./fixtures-go/gc/forced",
                env!("CARGO_BIN_EXE_gate")
            ))
            .arg("/dev/null");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        String::from_utf8_lossy(&alone(&mut cmd).stdout).into_owned()
    };
    let coloured = on_tty(None);
    assert!(coloured.contains("\u{1b}[31;1mFAIL"), "{coloured}");
    let plain = on_tty(Some("1"));
    assert!(
        // (The progress line still erases itself on a terminal: that is no colour.)
        plain.contains("FAIL") && !plain.contains("\u{1b}[31") && !plain.contains("\u{1b}[0m"),
        "{plain}"
    );
}
