//! Checks: evaluates observations against rules: one check result per rule and
//! scope (each test for `scope = "test"`, the binary for `"binary"`).
//! Lifecycle metrics carry the objects behind a failure (one finding per
//! leaked goroutine or ticker, at its creation site); per-object metrics
//! are checked object by object (each sync.Pool on its own).

use serde::{Deserialize, Serialize};

use crate::observe::engine::Instance;
use crate::observe::{Observations, PROCESS_TEST, Subject};
use crate::rules::metrics::MetricKind;
use crate::rules::{Limit, Rule, RuleSet, Scope, fmt_num};
use crate::run::test_output::TestStatus;

/// The status of one check. Limit checks end in the first five; comparisons
/// with a baseline (`crate::baseline`) also in the four that judge nothing.
/// Serialized as the strings of the JSON report's `status` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckStatus {
    #[serde(rename = "pass")]
    Pass,
    #[serde(rename = "fail")]
    Fail,
    /// The metric was not observed in this scope (e.g. no GC cycle ran): nothing to judge.
    #[serde(rename = "no data")]
    NoData,
    /// The rule does not apply here: its `only_if` condition does not hold (a test too
    /// short to measure), or the binary does not contain what it probes.
    #[serde(rename = "n/a")]
    NotApplicable,
    /// The rule needs the eBPF engine, which did not run (--no-ebpf): not checked, never passed.
    #[serde(rename = "skipped")]
    Skipped,
    /// A comparison: the test or benchmark is not in the baseline.
    #[serde(rename = "new")]
    New,
    /// A statistical comparison with fewer samples than it needs.
    #[serde(rename = "not enough samples")]
    NotEnoughSamples,
    /// A comparison with a baseline taken under other conditions (another -test.count).
    #[serde(rename = "not comparable")]
    NotComparable,
    /// An exact comparison whose samples disagree beyond the tolerance.
    #[serde(rename = "noisy")]
    Noisy,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::NoData => "no data",
            CheckStatus::NotApplicable => "n/a",
            CheckStatus::Skipped => "skipped",
            CheckStatus::New => "new",
            CheckStatus::NotEnoughSamples => "not enough samples",
            CheckStatus::NotComparable => "not comparable",
            CheckStatus::Noisy => "noisy",
        }
    }

    /// A comparison that judged nothing: reported with a warning, never passed or failed.
    pub fn unjudged(self) -> bool {
        match self {
            CheckStatus::New
            | CheckStatus::NotEnoughSamples
            | CheckStatus::NotComparable
            | CheckStatus::Noisy => true,
            CheckStatus::Pass
            | CheckStatus::Fail
            | CheckStatus::NoData
            | CheckStatus::NotApplicable
            | CheckStatus::Skipped => false,
        }
    }

    /// Which of two statuses of the same check a combined report keeps.
    pub fn rank(self) -> u8 {
        match self {
            CheckStatus::Fail => 6,
            CheckStatus::NotEnoughSamples => 5,
            CheckStatus::Pass => 4,
            CheckStatus::New | CheckStatus::NotComparable | CheckStatus::Noisy => 3,
            CheckStatus::NotApplicable => 2,
            CheckStatus::NoData => 1,
            CheckStatus::Skipped => 0,
        }
    }
}

/// Whether a check holds a rule's limit or compares with a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// The rule's `[check]`.
    Limit,
    /// A `[[regression]]` comparison with the baseline.
    Regression,
}

/// The outcome of one rule in one scope.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub rule: String,
    /// The test, or None for binary scope.
    pub test: Option<String>,
    pub metric: String,
    pub value: Option<f64>,
    pub limit: String,
    pub status: CheckStatus,
    /// What failed, for the finding; empty unless the check failed.
    pub message: String,
    /// The objects that make a failure: one finding each.
    pub instances: Vec<Instance>,
}

pub fn evaluate(rules: &RuleSet, obs: &Observations) -> Vec<CheckResult> {
    // Sized exactly up front: a check per rule and test of a large suite is
    // hundreds of thousands, and doubling would hold up to twice that.
    let checked = |t: &&crate::observe::TestObservation| {
        t.status != TestStatus::Skip && t.name != PROCESS_TEST
    };
    let tests = obs.tests.iter().filter(checked).count();
    let mut results = Vec::with_capacity(
        rules
            .rules
            .iter()
            .filter(|r| r.check.is_some())
            .map(|r| match r.scope {
                Scope::Binary => 1,
                Scope::Test => tests,
                Scope::Benchmark => obs.benchmarks.len(),
            })
            .sum(),
    );
    // Rules without a [check] only compare with a baseline (see crate::baseline).
    for (rule, limit) in rules
        .rules
        .iter()
        .filter_map(|r| Some((r, r.check.as_ref()?)))
    {
        let limit_text = limit.describe();
        let check = |subject| check(rule, limit, &limit_text, obs, subject);
        match rule.scope {
            Scope::Binary => results.push(check(Subject::Binary)),
            Scope::Test => {
                // Skipped tests did nothing to measure; the crash pseudo-test is not a test.
                for test in obs.tests.iter().filter(checked) {
                    results.push(check(Subject::Test(&test.name)));
                }
            }
            Scope::Benchmark => {
                for bench in &obs.benchmarks {
                    results.push(check(Subject::Benchmark(&bench.name)));
                }
            }
        }
    }
    results
}

/// One rule's check of one subject. Only a failure gets a message (it becomes
/// the finding's): a large suite has hundreds of thousands of passes, and
/// formatting words nobody reads was most of the time spent checking.
fn check(
    rule: &Rule,
    limit: &Limit,
    limit_text: &str,
    obs: &Observations,
    subject: Subject,
) -> CheckResult {
    let metric = limit.metric;
    let where_ = || match subject {
        Subject::Binary => "the test binary".to_string(),
        Subject::Test(t) | Subject::Benchmark(t) => t.to_string(),
    };
    let mut result = CheckResult {
        rule: rule.id.clone(),
        test: match subject {
            Subject::Binary => None,
            Subject::Test(t) | Subject::Benchmark(t) => Some(t.to_string()),
        },
        metric: metric.name.to_string(),
        value: None,
        limit: limit_text.to_string(),
        status: CheckStatus::NoData,
        message: String::new(),
        instances: Vec::new(),
    };
    if rule.needs_ebpf() && obs.engine.is_none() {
        result.status = CheckStatus::Skipped;
        return result;
    }
    // A probed function this binary lacks (its package is not linked): nothing to check here.
    if rule.metrics().any(|m| obs.absent(m.name).is_some()) {
        result.status = CheckStatus::NotApplicable;
        return result;
    }
    if metric.kind == MetricKind::PerObject {
        return check_objects(rule, limit, obs, subject, &where_(), result);
    }
    let applicable = match &rule.only_if {
        None => true,
        Some(cond) => obs
            .value(cond.metric, subject)
            .is_some_and(|v| cond.holds(v)),
    };
    if !applicable {
        result.status = CheckStatus::NotApplicable;
        return result;
    }
    let ignored = |i: &Instance| {
        rule.ignores
            .iter()
            .any(|ig| ig.matches(i.entry.as_deref(), &i.created_by))
    };
    let value = if metric.kind == MetricKind::Sited {
        // Counted after the rule's [[ignore]] suppressions.
        obs.value(metric, subject).map(|_| {
            obs.instances(metric.name, subject)
                .into_iter()
                .filter(|i| !ignored(i))
                .filter_map(|i| i.value)
                .fold(0.0, |a, b| a + b)
        })
    } else if metric.kind == MetricKind::Lifecycle {
        // Counted after the rule's [[ignore]] suppressions; a finding may stand
        // for several objects acquired at one site.
        obs.value(metric, subject).map(|_| {
            obs.instances(metric.name, subject)
                .into_iter()
                .filter(|i| !ignored(i))
                .map(|i| i.value.unwrap_or(1.0))
                .fold(0.0, |a, b| a + b)
        })
    } else {
        obs.value(metric, subject)
    };
    let Some(v) = value else { return result };
    result.value = Some(v);
    if limit.holds(v) {
        result.status = CheckStatus::Pass;
    } else {
        result.status = CheckStatus::Fail;
        let space = if metric.unit.is_empty() { "" } else { " " };
        result.message = format!(
            "{}: {} = {}{space}{} in {}, limit {limit_text}",
            rule.title,
            metric.name,
            fmt_num(v),
            metric.unit,
            where_()
        );
        // Lifecycle objects, or the call sites of a probe, sharpen the finding.
        result.instances = obs
            .instances(metric.name, subject)
            .into_iter()
            .filter(|i| !ignored(i))
            .cloned()
            .collect();
    }
    result
}

/// Checks each object (e.g. each sync.Pool used in the test) on its own.
fn check_objects(
    rule: &Rule,
    check: &Limit,
    obs: &Observations,
    subject: Subject,
    where_: &str,
    mut result: CheckResult,
) -> CheckResult {
    let metric = check.metric;
    let figure = |i: &Instance, limit: &Limit| -> Option<f64> {
        if limit.metric.name == metric.name {
            i.value
        } else {
            i.figures.get(limit.metric.name).copied()
        }
    };
    let objects = obs.instances(metric.name, subject);
    let applicable: Vec<&Instance> = objects
        .iter()
        .copied()
        .filter(|i| {
            rule.only_if
                .as_ref()
                .is_none_or(|c| figure(i, c).is_some_and(|v| c.holds(v)))
        })
        .collect();
    if applicable.is_empty() {
        if !objects.is_empty() {
            result.status = CheckStatus::NotApplicable;
        }
        return result;
    }
    let failing: Vec<Instance> = applicable
        .iter()
        .filter(|i| figure(i, check).is_some_and(|v| !check.holds(v)))
        .map(|i| (*i).clone())
        .collect();
    // The value shown for the scope is the worst object's.
    let values = applicable.iter().filter_map(|i| figure(i, check));
    result.value = if check.min.is_some() {
        values.reduce(f64::min)
    } else {
        values.reduce(f64::max)
    };
    if failing.is_empty() {
        result.status = CheckStatus::Pass;
    } else {
        result.status = CheckStatus::Fail;
        result.message = format!(
            "{}: {} in {where_}, limit {}",
            rule.title,
            failing.len(),
            check.describe()
        );
        result.instances = failing;
    }
    result
}
