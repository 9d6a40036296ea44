//! The `--junit` report: `<testsuites>`, one `<testsuite>` per test binary,
//! one `<testcase>` per Go test and one per rule and scope. A broken rule of
//! severity `error` and a failed Go test are `<failure>` (some reporters
//! ignore `<error>`); warnings and notes pass with the finding in system-out.

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

pub fn render(report: &Report, rules: &RuleSet) -> Result<String, GateError> {
    let mut junit = JunitReport::new("gate");
    let mut total = Duration::ZERO;
    for binary in &report.binaries {
        let suite = suite(binary, rules);
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

pub fn write(report: &Report, rules: &RuleSet, path: &Path) -> Result<(), GateError> {
    super::write_file(path, &render(report, rules)?)
}

fn suite(binary: &BinaryReport, rules: &RuleSet) -> TestSuite {
    let mut suite = TestSuite::new(binary.package.clone());
    suite.set_time(Duration::from_secs_f64(binary.wall_s.max(0.0)));
    suite.add_property(("go_version", binary.go_version.as_str()));
    suite.add_property(("binary", binary.path.as_str()));

    for test in &binary.tests {
        let status = match test.status {
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
        set_site(&mut case, test.site.as_ref());
        suite.add_test_case(case);
    }

    for check in &binary.checks {
        let Some(rule) = rules.get(&check.rule) else {
            continue;
        };
        let name = check.name();
        let matching: Vec<_> = binary.violations.iter().filter(|v| check.owns(v)).collect();
        let violation = matching.first().copied();
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
