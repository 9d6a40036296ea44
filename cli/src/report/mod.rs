//! Reports: the model every format is written from (the JSON contract of
//! README), and the writers: terminal, JSON, JUnit, SARIF.

pub mod combine;
pub mod github;
pub mod json;
pub mod junit;
pub mod progress;
pub mod sarif;
pub mod terminal;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::check::{CheckKind, CheckResult, CheckStatus};
use crate::observe::{Observations, Subject};
use crate::rules::metrics::{METRICS, MetricKind};
use crate::rules::{RuleSet, Severity};
use crate::run::test_output::TestStatus;
use crate::target::{BinaryInfo, Site};

pub const REPORT_VERSION: u32 = 1;

/// The test that stands for a package that did not compile, as `go test`
/// prints `FAIL pkg [build failed]`.
pub const BUILD_FAILED: &str = "[build failed]";

/// The test that stands for a binary that ran no test (see `--allow-no-tests`).
pub const NO_TESTS: &str = "[no tests]";

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
    /// Benchmarks that completed (`-test.bench`); their figures are in `metrics.benchmarks`.
    #[serde(default)]
    pub benchmarks: Vec<BenchmarkReport>,
    pub metrics: Metrics,
    /// Every sample behind a metric that has more than one: benchmark repetitions
    /// (`-test.count`) and runs of the binary (`--repeat`). `metrics` holds their medians.
    #[serde(default)]
    pub samples: Samples,
    /// How many times the binary ran (`--repeat`, or shards of it merged by `gate merge`).
    #[serde(default = "one")]
    pub runs: u32,
    /// Whether the eBPF engine observed the run (false with --no-ebpf): engine metrics are absent then.
    #[serde(default)]
    pub ebpf: bool,
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
    /// Repetitions in one process (`-test.count`): the test's metrics add up over them.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub runs: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub site: Option<Site>,
    /// Output of failed tests (all of it), to show where CI shows failures.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub output: Vec<String>,
}

fn median_statistic() -> String {
    "median".to_string()
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchmarkReport {
    /// As Go prints it, GOMAXPROCS suffix included: `BenchmarkEncode/small-8`.
    pub name: String,
    /// How many result lines (samples) it printed.
    pub samples: usize,
    pub site: Option<Site>,
}

/// Metric values: one per binary, test and benchmark (the median where there are several samples).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Metrics {
    pub binary: BTreeMap<String, f64>,
    pub tests: BTreeMap<String, BTreeMap<String, f64>>,
    /// Per benchmark, per metric (`bench.ns/op`, `bench.allocs/op`...): the median of its samples.
    #[serde(default)]
    pub benchmarks: BTreeMap<String, BTreeMap<String, f64>>,
}

type SampleMap = BTreeMap<String, BTreeMap<String, Vec<f64>>>;

/// Samples of metrics that have more than one, in run order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Samples {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub binary: BTreeMap<String, Vec<f64>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tests: SampleMap,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub benchmarks: SampleMap,
    /// Per benchmark and metric, the median of each run of the binary (`--repeat`):
    /// independent samples, which statistical comparisons use. Samples of one
    /// process share its luck (CPU frequency, neighbours, memory layout).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub benchmark_runs: SampleMap,
}

/// A comparison with the baseline, on regression findings and checks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    /// The baseline's value (median of its samples).
    pub baseline: f64,
    /// This run's value (median of its samples).
    pub current: f64,
    /// Relative change, (current - baseline) / baseline; None when the baseline is 0.
    pub change: Option<f64>,
    /// `exact` or `statistical`.
    pub mode: String,
    /// The figure of each side compared: `median`, or `min` of the samples.
    #[serde(default = "median_statistic")]
    pub statistic: String,
    /// Samples on each side: [baseline, current].
    pub samples: [usize; 2],
    /// Statistical mode: two-sided Mann-Whitney U p-value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub p_value: Option<f64>,
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
    /// Regression findings: the baseline value, the current value and the change.
    #[serde(flatten, skip_serializing_if = "Option::is_none", default)]
    pub regression: Option<Comparison>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    pub rule: String,
    /// The test, or the benchmark for benchmark-scope rules; null for the binary.
    pub test: Option<String>,
    pub metric: String,
    pub value: Option<f64>,
    pub limit: String,
    /// pass, fail, no data, n/a, skipped; for baseline comparisons also `new`
    /// (not in the baseline), `not enough samples`, `not comparable` and `noisy`.
    pub status: CheckStatus,
    /// `limit` (the rule's [check]) or `regression` (a comparison with the baseline).
    #[serde(default = "limit_kind")]
    pub kind: CheckKind,
    /// Boxed: a check is then no larger than the CheckResult it is made
    /// from, and the conversion reuses that vector's memory.
    #[serde(flatten, skip_serializing_if = "Option::is_none", default)]
    pub regression: Option<Box<Comparison>>,
}

fn limit_kind() -> CheckKind {
    CheckKind::Limit
}

impl CheckReport {
    /// Whether a violation is a finding of this check.
    pub fn owns(&self, v: &Violation) -> bool {
        v.rule == self.rule
            && v.test == self.test
            && v.metric == self.metric
            && v.regression.is_some() == (self.kind == CheckKind::Regression)
    }

    /// A name for the check that is unique in its binary: `rule (test)`, plus the metric of a comparison.
    pub fn name(&self) -> String {
        let subject = self.test.as_deref().unwrap_or("binary");
        if self.kind == CheckKind::Regression {
            format!("{} ({subject}, {})", self.rule, self.metric)
        } else {
            format!("{} ({subject})", self.rule)
        }
    }
}

impl BinaryReport {
    /// A package whose test binary did not compile: one failed test carrying
    /// the compiler's output, no checks (nothing ran).
    pub fn build_failed(failure: &crate::target::BuildFailure, display_path: String) -> Self {
        let output: Vec<String> = failure.output.lines().map(str::to_string).collect();
        let first = output
            .iter()
            .find(|l| !l.starts_with('#'))
            .cloned()
            .unwrap_or_default();
        BinaryReport {
            path: display_path,
            built: true,
            package: failure.package.clone(),
            go_version: String::new(),
            tests: vec![TestReport {
                name: BUILD_FAILED.to_string(),
                status: TestStatus::Fail,
                duration_s: 0.0,
                runs: 1,
                message: Some(format!("go test -c did not compile the package: {first}")),
                site: None,
                output,
            }],
            benchmarks: Vec::new(),
            metrics: Metrics::default(),
            samples: Samples::default(),
            runs: 1,
            ebpf: false,
            violations: Vec::new(),
            checks: Vec::new(),
            exit: "build failed".to_string(),
            wall_s: 0.0,
            warnings: Vec::new(),
        }
    }

    pub fn build(
        info: &BinaryInfo,
        display_path: String,
        obs: &Observations,
        checks: Vec<CheckResult>,
        rules: &RuleSet,
    ) -> Self {
        let tests = obs
            .tests
            .iter()
            .map(|t| TestReport {
                name: t.name.clone(),
                status: t.status,
                duration_s: t.duration_s,
                runs: t.runs.max(1),
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
        let probe_metrics = rules.rules.iter().flat_map(|r| {
            r.probes
                .iter()
                .flat_map(|p| p.metrics.iter().copied())
                .chain(r.outputs.iter().map(|o| o.metric))
        });
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
        let mut samples = Samples::default();
        let mut benchmarks = Vec::new();
        for b in &obs.benchmarks {
            let mut units: Vec<&str> = Vec::new();
            for (unit, _) in b.samples.iter().flatten() {
                if !units.contains(&unit.as_str()) {
                    units.push(unit);
                }
            }
            for unit in units {
                let series = b.series(unit);
                let name = format!("{}{unit}", crate::rules::metrics::BENCH_PREFIX);
                if let Some(m) = crate::stats::median(&series) {
                    metrics
                        .benchmarks
                        .entry(b.name.clone())
                        .or_default()
                        .insert(name.clone(), m);
                }
                samples
                    .benchmarks
                    .entry(b.name.clone())
                    .or_default()
                    .insert(name, series);
            }
            benchmarks.push(BenchmarkReport {
                name: b.name.clone(),
                samples: b.samples.len(),
                site: info.test_site(b.function()),
            });
        }
        let mut violations = Vec::new();
        for c in checks.iter().filter(|c| c.status == CheckStatus::Fail) {
            let Some(rule) = rules.get(&c.rule) else {
                continue;
            };
            // The subject is a test, or a benchmark (`BenchmarkX-8`) defined by its function.
            let test_site =
                c.test
                    .as_deref()
                    .and_then(|t| match obs.benchmarks.iter().find(|b| b.name == t) {
                        Some(b) => info.test_site(b.function()),
                        None => info.test_site(t),
                    });
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
                regression: None,
            };
            let scalar = rule
                .check
                .as_ref()
                .is_none_or(|l| l.metric.kind == MetricKind::Scalar);
            // (A sited metric's sites are its findings, like a lifecycle's objects.)
            if c.instances.is_empty() || scalar {
                // A scalar finding is one violation; a probe's first call site sharpens its location.
                let site = c
                    .instances
                    .iter()
                    .find_map(|i| i.site.clone())
                    .or(test_site);
                violations.push(violation(c.test.clone(), c.message.clone(), site, c.value));
                continue;
            }
            // Several objects made at one line by one test (a loop, -test.count
            // repetitions) are one finding with their count.
            let mut grouped: Vec<(&crate::observe::engine::Instance, usize)> = Vec::new();
            for i in &c.instances {
                let same = |g: &&crate::observe::engine::Instance| {
                    g.test == i.test
                        && g.site == i.site
                        && g.detail == i.detail
                        && g.value.map(f64::to_bits) == i.value.map(f64::to_bits)
                };
                match grouped.iter_mut().find(|(g, _)| same(g)) {
                    Some((_, n)) => *n += 1,
                    None => grouped.push((i, 1)),
                }
            }
            for (i, n) in grouped {
                let site = i
                    .site
                    .clone()
                    .or_else(|| i.test.as_deref().and_then(|t| info.test_site(t)));
                let message = match n {
                    1 => format!("{}: {}", rule.title, i.detail),
                    n => format!("{}: {} ({n} of them from this line)", rule.title, i.detail),
                };
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
            benchmarks,
            metrics,
            samples,
            runs: 1,
            ebpf: obs.engine.is_some(),
            violations,
            // Moved, not copied: on a suite of thousands of tests these are
            // most of gate's memory.
            checks: checks
                .into_iter()
                .map(|c| CheckReport {
                    rule: c.rule,
                    test: c.test,
                    metric: c.metric,
                    value: c.value,
                    limit: c.limit,
                    status: c.status,
                    kind: CheckKind::Limit,
                    regression: None,
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

/// `-` as a report path: standard output.
pub fn is_stdout(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes a report file (`-`: stdout), creating its directory; errors name the file.
/// A regular file is replaced atomically (written beside it, then renamed
/// into place): a reader never sees half a report, and a symlink left at the
/// path is replaced, never written through. Devices and pipes
/// (`/dev/stdout`) are written directly.
pub fn write_file(path: &std::path::Path, text: &str) -> Result<(), crate::error::GateError> {
    write_with(path, |out| out.write_all(text.as_bytes()))
}

/// As [`write_file`], with the content written by `fill` through a buffer,
/// so that a large report is streamed instead of built in memory first.
pub fn write_with(
    path: &std::path::Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), crate::error::GateError> {
    use std::io::Write;
    if is_stdout(path) {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return fill(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| crate::error::GateError::io("cannot write a report to stdout", e));
    }
    let cannot = |e| crate::error::GateError::io(format!("cannot write {}", path.display()), e);
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if special {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| {
                let mut out = std::io::BufWriter::new(f);
                fill(&mut out)?;
                out.flush()
            })
            .map_err(cannot);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::error::GateError::io(format!("cannot create directory {}", dir.display()), e)
    })?;
    let temp = tempfile::Builder::new()
        .prefix(".gate-report-")
        .tempfile_in(dir)
        .map_err(cannot)?;
    {
        let mut out = std::io::BufWriter::new(temp.as_file());
        fill(&mut out).and_then(|()| out.flush()).map_err(cannot)?;
    }
    temp.as_file().sync_all().map_err(cannot)?;
    // Reports are for reading by the CI runner and other users: not the temp file's 0600.
    let _ = std::fs::set_permissions(
        temp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    );
    temp.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}
