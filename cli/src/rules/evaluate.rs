//! Evaluates observations against rules: one check result per rule and
//! scope (each test for `scope = "test"`, the binary for `"binary"`).

use serde::Serialize;

use super::{Rule, RuleSet, Scope, fmt_num};
use crate::observe::{Observations, PROCESS_TEST, Subject};
use crate::run::test_output::TestStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// The metric was not observed in this scope (e.g. no GC cycle ran): nothing to judge.
    NoData,
    /// The rule's `only_if` condition does not hold here (e.g. the test was too short to measure).
    NotApplicable,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::NoData => "no data",
            CheckStatus::NotApplicable => "n/a",
        }
    }
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
    pub message: String,
}

pub fn evaluate(rules: &RuleSet, obs: &Observations) -> Vec<CheckResult> {
    let mut results = Vec::new();
    for rule in &rules.rules {
        match rule.scope {
            Scope::Binary => results.push(check(rule, obs, Subject::Binary)),
            Scope::Test => {
                for test in &obs.tests {
                    // Skipped tests did nothing to measure; the crash pseudo-test is not a test.
                    if test.status == TestStatus::Skip || test.name == PROCESS_TEST {
                        continue;
                    }
                    results.push(check(rule, obs, Subject::Test(&test.name)));
                }
            }
        }
    }
    results
}

fn check(rule: &Rule, obs: &Observations, subject: Subject) -> CheckResult {
    let metric = rule.check.metric;
    let value = obs.metric(metric.name, subject);
    let where_ = match subject {
        Subject::Binary => "the test binary".to_string(),
        Subject::Test(t) => t.to_string(),
    };
    let applicable = match &rule.only_if {
        None => true,
        Some(cond) => obs
            .metric(cond.metric.name, subject)
            .is_some_and(|v| cond.holds(v)),
    };
    let unit = if metric.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", metric.unit)
    };
    let (status, message) = match value {
        _ if !applicable => {
            let cond = rule
                .only_if
                .as_ref()
                .map(|c| format!("{} {}", c.metric.name, c.describe()));
            (
                CheckStatus::NotApplicable,
                format!(
                    "not checked in {where_}: applies only where {}",
                    cond.unwrap_or_default()
                ),
            )
        }
        None => (
            CheckStatus::NoData,
            format!("{} not observed in {where_}", metric.name),
        ),
        Some(v) if rule.check.holds(v) => (
            CheckStatus::Pass,
            format!(
                "{} = {}{unit} in {where_} (limit {})",
                metric.name,
                fmt_num(v),
                rule.check.describe()
            ),
        ),
        Some(v) => (
            CheckStatus::Fail,
            format!(
                "{}: {} = {}{unit} in {where_}, limit {}",
                rule.title,
                metric.name,
                fmt_num(v),
                rule.check.describe()
            ),
        ),
    };
    CheckResult {
        rule: rule.id.clone(),
        test: match subject {
            Subject::Binary => None,
            Subject::Test(t) => Some(t.to_string()),
        },
        metric: metric.name.to_string(),
        value,
        limit: rule.check.describe(),
        status,
        message,
    }
}
