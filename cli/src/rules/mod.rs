//! Rules: the schema of a rule file, loading and validation, and the
//! registry of metrics. Pure data: nothing here reads observations
//! (`crate::check` does).

mod load;
pub mod metrics;
pub mod probe;
pub mod syscalls;

pub use load::{BUILTIN_SUFFIX, CATALOG_ITEMS, RuleError, load_builtin, load_paths};

use serde::Serialize;

use metrics::MetricDef;

pub use crate::units::fmt_num;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Where a rule is evaluated: once per Go test, or once per test binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Test,
    Binary,
    /// Each benchmark (`-test.bench`), with `bench.*` metrics.
    Benchmark,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Test => "test",
            Scope::Binary => "binary",
            Scope::Benchmark => "benchmark",
        }
    }
}

/// A limit on one metric: the value must lie within [min, max].
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub metric: &'static MetricDef,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Limit {
    pub fn holds(&self, value: f64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }

    /// "<= 50 ms", ">= 0.3", "0.1..2 s"
    pub fn describe(&self) -> String {
        let unit = match self.metric.unit {
            "" => String::new(),
            u => format!(" {u}"),
        };
        match (self.min, self.max) {
            (Some(min), Some(max)) => format!("{}..{}{unit}", fmt_num(min), fmt_num(max)),
            (Some(min), None) => format!(">= {}{unit}", fmt_num(min)),
            (None, Some(max)) => format!("<= {}{unit}", fmt_num(max)),
            (None, None) => "any".to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// The checklist items the rule enforces (`catalog = 42` or `[33, 42, 98]`), in file order.
    pub catalog: Vec<u32>,
    pub title: String,
    pub severity: Severity,
    pub scope: Scope,
    /// Markdown: why it matters and how to fix it. The one source for every report's help text.
    pub help: String,
    /// The absolute limit; None for a rule that only compares with a baseline.
    pub check: Option<Limit>,
    /// Comparisons with a baseline report (`gate run --baseline`), one per metric.
    pub regressions: Vec<Regression>,
    /// The check applies only where this limit holds (e.g. tests that ran long enough to measure).
    pub only_if: Option<Limit>,
    /// Probes (`[[probe]]`), whose metrics are `probe.<name>...`.
    pub probes: Vec<probe::ProbeSpec>,
    /// Output patterns (`[[output]]`), whose metrics are `output.<name>`.
    pub outputs: Vec<probe::OutputSpec>,
    /// Objects lifecycle metrics do not count (`[[ignore]]`).
    pub ignores: Vec<Ignore>,
    /// The file it came from, for messages: a path, or `rules/x.toml (built-in)`.
    pub origin: String,
    /// Opt-in rules (`enabled = false`) run only when named with `--enable`.
    pub enabled: bool,
    /// `go test -c` flags of the build variant the rule judges (`-race`); empty: the plain build.
    pub build: Vec<String>,
}

/// A suppression: an object matches when every given field matches.
/// A trailing `*` matches a prefix (`net/http.*`).
#[derive(Debug, Clone, PartialEq)]
pub struct Ignore {
    pub entry: Option<String>,
    pub created_by: Option<String>,
    /// Where a `.gate.toml` added it (`file:line`), to warn when it matches nothing.
    pub origin: Option<String>,
}

impl Ignore {
    pub fn matches(&self, entry: Option<&str>, created_by: &[String]) -> bool {
        let like = |pattern: &str, name: &str| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == pattern,
        };
        self.entry
            .as_deref()
            .is_none_or(|p| entry.is_some_and(|e| like(p, e)))
            && self
                .created_by
                .as_deref()
                .is_none_or(|p| created_by.iter().any(|f| like(p, f)))
    }
}

/// How a metric is compared with its baseline value (`[[regression]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub metric: &'static MetricDef,
    pub mode: RegressionMode,
    /// Tolerated change as a fraction of the baseline (0.1 = 10%).
    pub relative: Option<f64>,
    /// Tolerated change in the metric's unit. A change is a regression only beyond every tolerance given.
    pub absolute: Option<f64>,
    pub higher_is_worse: bool,
    /// Exact mode: the figure of each side that is compared.
    pub statistic: Statistic,
    /// Statistical mode: significance level of the Mann-Whitney U test.
    pub alpha: f64,
    /// Statistical mode: samples needed on each side.
    pub min_samples: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegressionMode {
    /// Deterministic metrics: the medians are compared, one run against one is enough.
    Exact,
    /// Noisy metrics: a Mann-Whitney U test on the samples and a minimum effect size.
    Statistical,
}

/// Which figure of a side's samples exact mode compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Median,
    /// For metrics whose noise only adds (allocations per op: a GC cycle that empties a
    /// sync.Pool costs a sample fresh allocations), the smallest sample is the code's own figure.
    Min,
}

impl Statistic {
    pub fn as_str(self) -> &'static str {
        match self {
            Statistic::Median => "median",
            Statistic::Min => "min",
        }
    }

    pub fn of(self, samples: &[f64]) -> Option<f64> {
        match self {
            Statistic::Median => crate::stats::median(samples),
            Statistic::Min => samples
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .reduce(f64::min),
        }
    }
}

impl RegressionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RegressionMode::Exact => "exact",
            RegressionMode::Statistical => "statistical",
        }
    }
}

impl Regression {
    /// Whether a worsening by `worse_by` from `base` goes beyond every tolerance given.
    pub fn exceeds(&self, worse_by: f64, base: f64) -> bool {
        worse_by > 0.0
            && self.relative.is_none_or(|r| worse_by > r * base.abs())
            && self.absolute.is_none_or(|a| worse_by > a)
    }

    /// "+10% and +64 KiB": the tolerance in words.
    pub fn describe(&self) -> String {
        let sign = if self.higher_is_worse { "+" } else { "-" };
        let mut parts = Vec::new();
        if let Some(r) = self.relative {
            parts.push(format!("{sign}{}%", fmt_num(r * 100.0)));
        }
        if let Some(a) = self.absolute {
            parts.push(format!("{sign}{} {}", fmt_num(a), self.metric.unit));
        }
        let how = match (self.mode, self.statistic) {
            (RegressionMode::Exact, Statistic::Min) => "exact, min of samples",
            (mode, _) => mode.as_str(),
        };
        format!("{} vs baseline ({how})", parts.join(" and "))
    }
}

impl Rule {
    /// Every metric the rule reads: its check, its condition, its regressions.
    pub fn metrics(&self) -> impl Iterator<Item = &'static MetricDef> + '_ {
        self.check
            .iter()
            .chain(&self.only_if)
            .map(|l| l.metric)
            .chain(self.regressions.iter().map(|r| r.metric))
    }

    /// The engine needs eBPF for this rule.
    pub fn needs_ebpf(&self) -> bool {
        self.metrics().any(|m| m.signal.needs_ebpf())
    }

    /// What the rule checks, in one line: "gc.max_pause_ms <= 20 ms", "alloc.bytes +10% vs baseline (exact)".
    pub fn describe_check(&self) -> String {
        let mut parts: Vec<String> = self
            .check
            .iter()
            .map(|c| format!("{} {}", c.metric.name, c.describe()))
            .collect();
        parts.extend(
            self.regressions
                .iter()
                .map(|r| format!("{} {}", r.metric.name, r.describe())),
        );
        parts.join("; ")
    }
}

#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules judged on the plain build, and the build variants with the rules each judges.
    pub fn by_build(&self) -> (RuleSet, Vec<(Vec<String>, RuleSet)>) {
        let mut plain = RuleSet::default();
        let mut variants: Vec<(Vec<String>, RuleSet)> = Vec::new();
        for r in &self.rules {
            if r.build.is_empty() {
                plain.rules.push(r.clone());
            } else if let Some((_, set)) = variants.iter_mut().find(|(f, _)| *f == r.build) {
                set.rules.push(r.clone());
            } else {
                variants.push((
                    r.build.clone(),
                    RuleSet {
                        rules: vec![r.clone()],
                    },
                ));
            }
        }
        (plain, variants)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Keeps the enabled rules, turning on the opt-in ones named in `enable`.
    pub fn select(mut self, enable: &[String]) -> Result<RuleSet, String> {
        for id in enable {
            match self.rules.iter_mut().find(|r| &r.id == id) {
                Some(rule) => rule.enabled = true,
                None => {
                    let ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
                    return Err(format!(
                        "--enable {id}: no such rule; loaded rules: {}",
                        ids.join(", ")
                    ));
                }
            }
        }
        self.rules.retain(|r| r.enabled);
        Ok(self)
    }
}
