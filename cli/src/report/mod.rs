//! Reports: the model every format is written from (the JSON contract of
//! DESIGN.md), and the writers: terminal, JSON, JUnit, SARIF.

pub mod json;
pub mod junit;
pub mod progress;
pub mod sarif;
pub mod terminal;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::observe::{Observations, Subject};
use crate::rules::metrics::{METRICS, MetricKind};
use crate::rules::{CheckResult, CheckStatus, RuleSet, Severity};
use crate::run::test_output::TestStatus;
use crate::target::{BinaryInfo, Site};

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub gate_version: String,
    pub binaries: Vec<BinaryReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BinaryReport {
    /// The test binary, or for binaries gate built with `go test -c`, the package directory.
    pub path: String,
    /// True when gate built the binary from a package pattern.
    #[serde(default)]
    pub built: bool,
    /// Import path of the package under test.
    pub package: String,
    pub go_version: String,
    pub tests: Vec<TestReport>,
    pub metrics: Metrics,
    pub violations: Vec<Violation>,
    pub checks: Vec<CheckReport>,
    /// How the test binary ended: `exit status 0`, `timed out after 10m`...
    pub exit: String,
    pub wall_s: f64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestReport {
    pub name: String,
    pub status: TestStatus,
    pub duration_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub site: Option<Site>,
    /// Output of failed tests (all of it), to show where CI shows failures.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub output: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Metrics {
    pub binary: BTreeMap<String, f64>,
    pub tests: BTreeMap<String, BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Violation {
    pub rule: String,
    pub test: Option<String>,
    pub message: String,
    pub severity: Severity,
    pub site: Option<Site>,
    pub metric: String,
    pub value: Option<f64>,
    pub limit: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    pub rule: String,
    pub test: Option<String>,
    pub metric: String,
    pub value: Option<f64>,
    pub limit: String,
    pub status: String,
}

impl BinaryReport {
    pub fn build(
        info: &BinaryInfo,
        display_path: String,
        obs: &Observations,
        checks: &[CheckResult],
        rules: &RuleSet,
    ) -> Self {
        let tests = obs
            .tests
            .iter()
            .map(|t| TestReport {
                name: t.name.clone(),
                status: t.status,
                duration_s: t.duration_s,
                message: t.message.clone(),
                site: info.test_site(&t.name),
                output: if t.status == TestStatus::Fail {
                    t.output.clone()
                } else {
                    Vec::new()
                },
            })
            .collect();
        let mut metrics = Metrics::default();
        let probe_metrics = rules
            .rules
            .iter()
            .flat_map(|r| r.probes.iter().map(|p| p.metric));
        for m in METRICS.iter().chain(probe_metrics) {
            if let Some(v) = obs.value(m, Subject::Binary) {
                metrics.binary.insert(m.name.to_string(), v);
            }
            for t in &obs.tests {
                if let Some(v) = obs.value(m, Subject::Test(&t.name)) {
                    metrics
                        .tests
                        .entry(t.name.clone())
                        .or_default()
                        .insert(m.name.to_string(), v);
                }
            }
        }
        let mut violations = Vec::new();
        for c in checks.iter().filter(|c| c.status == CheckStatus::Fail) {
            let Some(rule) = rules.get(&c.rule) else {
                continue;
            };
            let test_site = c.test.as_deref().and_then(|t| info.test_site(t));
            let violation = |test: Option<String>,
                             message: String,
                             site: Option<Site>,
                             value: Option<f64>| Violation {
                rule: c.rule.clone(),
                test,
                message,
                severity: rule.severity,
                site,
                metric: c.metric.clone(),
                value,
                limit: c.limit.clone(),
            };
            if c.instances.is_empty() || rule.check.metric.kind == MetricKind::Scalar {
                // A scalar finding is one violation; a probe's first call site sharpens its location.
                let site = c
                    .instances
                    .iter()
                    .find_map(|i| i.site.clone())
                    .or(test_site);
                violations.push(violation(c.test.clone(), c.message.clone(), site, c.value));
                continue;
            }
            for i in &c.instances {
                let site = i
                    .site
                    .clone()
                    .or_else(|| i.test.as_deref().and_then(|t| info.test_site(t)));
                let message = format!("{}: {}", rule.title, i.detail);
                violations.push(violation(
                    i.test.clone().or(c.test.clone()),
                    message,
                    site,
                    i.value.or(c.value),
                ));
            }
        }
        BinaryReport {
            path: display_path,
            built: false,
            package: info.package.clone(),
            go_version: info.go_version.clone(),
            tests,
            metrics,
            violations,
            checks: checks
                .iter()
                .map(|c| CheckReport {
                    rule: c.rule.clone(),
                    test: c.test.clone(),
                    metric: c.metric.clone(),
                    value: c.value,
                    limit: c.limit.clone(),
                    status: c.status.as_str().to_string(),
                })
                .collect(),
            exit: obs.exit.clone(),
            wall_s: obs.wall_s,
            warnings: obs.warnings.clone(),
        }
    }

    /// A location for findings without a sharper site: the TestMain or first test function.
    pub fn anchor_site(&self) -> Option<&Site> {
        self.tests
            .iter()
            .find(|t| t.name == "TestMain")
            .or_else(|| self.tests.iter().find(|t| t.site.is_some()))
            .and_then(|t| t.site.as_ref())
    }
}

impl Report {
    pub fn new(binaries: Vec<BinaryReport>) -> Self {
        Report {
            version: REPORT_VERSION,
            gate_version: env!("CARGO_PKG_VERSION").to_string(),
            binaries,
        }
    }

    pub fn failed_tests(&self) -> usize {
        self.binaries
            .iter()
            .flat_map(|b| &b.tests)
            .filter(|t| t.status == TestStatus::Fail)
            .count()
    }

    /// Violations that fail the build: severity `error`. Warnings and notes are reported only.
    pub fn blocking_violations(&self) -> usize {
        self.binaries
            .iter()
            .flat_map(|b| &b.violations)
            .filter(|v| v.severity == Severity::Error)
            .count()
    }

    pub fn passed(&self) -> bool {
        self.failed_tests() == 0 && self.blocking_violations() == 0
    }
}

/// `10m`, `90s`, `1.5s`: a duration as a Go user writes it.
pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s.fract() == 0.0 && (s as u64).is_multiple_of(60) {
        format!("{}m", s as u64 / 60)
    } else if s.fract() == 0.0 {
        format!("{}s", s as u64)
    } else {
        format!("{}s", crate::rules::fmt_num(s))
    }
}

/// Writes a report file, creating its directory; errors name the file.
pub fn write_file(path: &std::path::Path, text: &str) -> Result<(), crate::error::GateError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::error::GateError::io(format!("cannot create directory {}", dir.display()), e)
        })?;
    }
    std::fs::write(path, text)
        .map_err(|e| crate::error::GateError::io(format!("cannot write {}", path.display()), e))
}
