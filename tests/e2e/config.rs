//! `.gate.toml`: found by walking up from the working directory, it adds
//! rule files to the built-in catalog, changes and disables rules, ignores
//! objects of a built-in rule, and sets default `gate run` flags; an id or an
//! ignore that matches nothing is a warning.

use std::path::Path;

use crate::support::*;

const TEST: &str = r#"package sub

import (
	"fmt"
	"testing"
	"time"
)

func spin(stop chan struct{}) { <-stop }

func TestLeak(t *testing.T) {
	go spin(make(chan struct{}))
	fmt.Println("CUSTOM-MARK here")
	time.Sleep(10 * time.Millisecond)
}

func TestOther(t *testing.T) { t.Fatal("the configuration's -test.run should have left this out") }
"#;

const RULE: &str = r#"id = "custom-mark"
title = "A test printed the custom mark"
severity = "error"
scope = "test"
help = "**What it checks.** Lines with CUSTOM-MARK."

[[output]]
name = "custom_mark"
pattern = 'CUSTOM-MARK'

[check]
metric = "output.custom_mark"
max = 0
"#;

const CONFIG: &str = r#"rule_files = ["ci/rules"]
disable = ["gc-pause-budget", "no-such-rule"]

[run]
test_flags = ["-test.run=^TestLeak$"]

[rule.heap-peak-budget]
severity = "error"

[[rule.goroutine-leak.ignore]]
created_by = "example.com/cfg/sub.TestLeak"

[[rule.goroutine-leak.ignore]]
entry = "example.com/cfg/sub.neverStarted"
"#;

fn module(dir: &Path) {
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("go.mod", "module example.com/cfg\n\ngo 1.22\n");
    write("sub/m_test.go", TEST);
    write("ci/rules/custom-mark.toml", RULE);
    write(".gate.toml", CONFIG);
}

#[test]
fn the_configuration_adds_changes_disables_ignores_and_sets_defaults() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    module(dir.path());
    let json = dir.path().join("out/gate.json");
    // Run from a subdirectory: the file is found by walking up.
    let r = run(gate()
        .current_dir(dir.path().join("sub"))
        .args(["run", "--json"])
        .arg(&json)
        .arg("./..."));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let binary = &report["binaries"][0];
    // [run] test_flags: TestOther, which fails, was filtered out.
    assert_eq!(
        tests(&report),
        [("TestLeak".to_string(), "pass".to_string())]
    );
    // The team's rule runs beside the built-in catalog, not instead of it.
    let rules: Vec<&str> = binary["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"custom-mark") && rules.contains(&"goroutine-leak"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"gc-pause-budget"), "disabled");
    let found: Vec<String> = violations(&report)
        .into_iter()
        .map(|(rule, _, _)| rule)
        .collect();
    assert_eq!(found, ["custom-mark"], "the leak is ignored by created_by");
    let warnings = binary["warnings"].to_string();
    assert!(
        warnings.contains(".gate.toml:2: disable: no rule \\\"no-such-rule\\\""),
        "{warnings}"
    );
    assert!(
        warnings.contains("an ignore of goroutine-leak matched nothing")
            && warnings.contains("neverStarted"),
        "{warnings}"
    );
    assert!(
        !warnings.contains("TestLeak\\\", created_by"),
        "the used ignore is not warned about: {warnings}"
    );
    // The command line wins over [run]: TestOther runs, and fails.
    let r = run(gate()
        .current_dir(dir.path().join("sub"))
        .args(["run", "--json"])
        .arg(&json)
        .args(["./...", "--", "-test.run=^TestOther$"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        tests(&read_json(&json)),
        [("TestOther".to_string(), "fail".to_string())]
    );
    // gate rules shows the effective set, for people and machines.
    let r = run(gate()
        .current_dir(dir.path())
        .args(["rules", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let rule = |id: &str| {
        listed
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    };
    assert_eq!(
        rule("heap-peak-budget").expect("listed")["severity"],
        "error"
    );
    assert_eq!(rule("goroutine-leak").expect("listed")["ignores"], 2);
    assert!(rule("custom-mark").is_some() && rule("gc-pause-budget").is_none());
}

#[test]
fn a_broken_configuration_is_a_usage_error_naming_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".gate.toml"),
        "\n[rule.heap-peak-budgt]\nmax = 1\n",
    )
    .expect("write");
    let r = run(gate().current_dir(dir.path()).args(["rules"]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            ".gate.toml:2: [rule.heap-peak-budgt]: no such rule; did you mean heap-peak-budget?"
        ),
        "{}",
        r.stderr
    );
    // --config names another file; a missing one is an error too.
    let r = run(gate().args(["rules", "--config", "/nonexistent/gate.toml"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("/nonexistent/gate.toml: cannot read"),
        "{}",
        r.stderr
    );
}
