//! The `--junit` report: `<testsuites>`, one `<testsuite>` per test binary,
//! one `<testcase>` per Go test carrying gate's findings for it, and one per
//! rule and scope only where the rule failed or warned (`--junit-all-checks`:
//! every check, the full matrix). A broken rule of severity `error` and a
//! failed Go test are `<failure>` (some reporters ignore `<error>`); warnings
//! and notes pass with the finding in system-out; a check that did not judge
//! (n/a, no data, skipped, not compared) is `<skipped>`, never a pass.

use std::path::Path;
use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite, XmlString,
};

use super::{BinaryReport, Report};
use crate::check::CheckStatus;
use crate::error::GateError;
use crate::rules::{RuleSet, Severity};
use crate::run::test_output::TestStatus;
use crate::target::Site;

pub fn render(report: &Report, rules: &RuleSet, all_checks: bool) -> Result<String, GateError> {
    let mut junit = JunitReport::new("gate");
    let mut total = Duration::ZERO;
    for binary in &report.binaries {
        let suite = suite(binary, rules, all_checks);
        total += suite.time.unwrap_or_default();
        junit.add_test_suite(suite);
    }
    junit.set_time(total);
    junit.to_string().map_err(|e| {
        GateError::io(
            "encoding the JUnit report",
            std::io::Error::other(e.to_string()),
        )
    })
}

pub fn write(
    report: &Report,
    rules: &RuleSet,
    path: &Path,
    all_checks: bool,
) -> Result<(), GateError> {
    super::write_file(path, &render(report, rules, all_checks)?)
}

/// `file:line: message` for each finding.
fn listed(findings: &[&super::Violation]) -> String {
    findings
        .iter()
        .map(|v| match &v.site {
            Some(site) => format!("{}:{}: [{}] {}", site.file, site.line, v.rule, v.message),
            None => format!("[{}] {}", v.rule, v.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn suite(binary: &BinaryReport, rules: &RuleSet, all_checks: bool) -> TestSuite {
    let mut suite = TestSuite::new(binary.package.clone());
    suite.set_time(Duration::from_secs_f64(binary.wall_s.max(0.0)));
    suite.add_property(("go_version", binary.go_version.as_str()));
    suite.add_property(("binary", binary.path.as_str()));

    for test in &binary.tests {
        // gate's findings for this test: errors fail a passing test.
        let findings: Vec<&super::Violation> = binary
            .violations
            .iter()
            .filter(|v| v.test.as_deref() == Some(test.name.as_str()))
            .collect();
        let errors: Vec<&super::Violation> = findings
            .iter()
            .copied()
            .filter(|v| v.severity == Severity::Error)
            .collect();
        let status = match test.status {
            TestStatus::Pass if !errors.is_empty() => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(match errors.len() {
                    1 => format!("gate: {}", errors[0].message),
                    n => format!("gate: {} (and {} more findings)", errors[0].message, n - 1),
                });
                s.set_type("gate");
                s.set_description(listed(&findings));
                s
            }
            TestStatus::Pass => TestCaseStatus::success(),
            TestStatus::Skip => TestCaseStatus::skipped(),
            TestStatus::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(
                    test.message
                        .clone()
                        .unwrap_or_else(|| format!("{} failed", test.name)),
                );
                s.set_type("go test");
                s.set_description(test.output.join("\n"));
                s
            }
        };
        let mut case = TestCase::new(test.name.clone(), status);
        case.set_classname(binary.package.clone());
        case.set_time(Duration::from_secs_f64(test.duration_s.max(0.0)));
        // Where the finding is, when gate found something; else the test.
        set_site(
            &mut case,
            errors
                .first()
                .or(findings.first())
                .and_then(|v| v.site.as_ref())
                .or(test.site.as_ref()),
        );
        // Warnings and notes of a test that passes (errors are in its failure).
        if errors.is_empty() && !findings.is_empty() {
            case.set_system_out(listed(&findings));
        }
        suite.add_test_case(case);
    }

    for check in &binary.checks {
        let Some(rule) = rules.get(&check.rule) else {
            continue;
        };
        let name = check.name();
        let matching: Vec<_> = binary.violations.iter().filter(|v| check.owns(v)).collect();
        let violation = matching.first().copied();
        if violation.is_none() && !all_checks {
            continue;
        }
        let status = match violation {
            Some(v) if v.severity == Severity::Error => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let message = match matching.len() {
                    1 => v.message.clone(),
                    n => format!("{} (and {} more)", v.message, n - 1),
                };
                s.set_message(message);
                s.set_type(rule.id.clone());
                let findings: Vec<String> = matching
                    .iter()
                    .map(|v| match &v.site {
                        Some(site) => format!("{}:{}: {}", site.file, site.line, v.message),
                        None => v.message.clone(),
                    })
                    .collect();
                s.set_description(format!("{}\n\n{}", findings.join("\n"), rule.help));
                s
            }
            // A rule that could not run is skipped, never passed.
            _ if check.status == CheckStatus::Skipped => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("{}: needs the eBPF engine (--no-ebpf)", rule.id));
                s
            }
            // Nothing to judge here: reported, never passed.
            _ if matches!(
                check.status,
                CheckStatus::NotApplicable | CheckStatus::NoData
            ) =>
            {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!(
                    "{}: {} {}",
                    rule.id,
                    check.metric,
                    check.status.as_str()
                ));
                s
            }
            // Compared with nothing: reported, never passed and never failed.
            _ if check.status.unjudged() => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!(
                    "{}: {} not compared with the baseline: {}",
                    rule.id,
                    check.metric,
                    check.status.as_str()
                ));
                s
            }
            _ => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(format!("{} (gate rules)", binary.package));
        let site = violation.and_then(|v| v.site.as_ref()).or_else(|| {
            check
                .test
                .as_ref()
                .and_then(|t| binary.tests.iter().find(|x| &x.name == t)?.site.as_ref())
        });
        set_site(&mut case, site);
        let value = check.value.map_or("n/a".to_string(), crate::rules::fmt_num);
        let mut out = format!(
            "{} = {value} (limit {}): {}",
            check.metric,
            check.limit,
            check.status.as_str()
        );
        if let Some(v) = violation.filter(|v| v.severity != Severity::Error) {
            out = format!("{} {}: {}", v.severity.as_str(), rule.id, v.message);
        }
        case.set_system_out(out);
        suite.add_test_case(case);
    }
    if !all_checks {
        let skipped: Vec<&str> = binary
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Skipped)
            .map(|c| c.rule.as_str())
            .fold(Vec::new(), |mut ids, id| {
                if !ids.contains(&id) {
                    ids.push(id);
                }
                ids
            });
        if !skipped.is_empty() {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!(
                "{} rules need the eBPF engine, which did not run (--no-ebpf): {}",
                skipped.len(),
                skipped.join(", ")
            ));
            let mut case = TestCase::new("[gate rules skipped]", s);
            case.set_classname(format!("{} (gate rules)", binary.package));
            suite.add_test_case(case);
        }
    }
    suite
}

fn set_site(case: &mut TestCase, site: Option<&Site>) {
    if let Some(site) = site {
        case.extra
            .insert(XmlString::new("file"), XmlString::new(&site.file));
        case.extra.insert(
            XmlString::new("line"),
            XmlString::new(site.line.to_string()),
        );
    }
}
