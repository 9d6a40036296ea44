//! Combining reports of the same test binary: the runs of `--repeat`, and the
//! shards that `gate merge` joins. Samples are concatenated and metrics are
//! recomputed as their medians; a test failed if it failed in any part; a
//! check failed if it failed in any part.

use std::collections::BTreeMap;

use super::{BinaryReport, CheckReport, Report, SampleMap, Samples};
use crate::run::test_output::TestStatus;

impl Report {
    /// Joins reports into one: binaries of the same package (shards of one binary) are combined.
    pub fn combine(parts: Vec<Report>) -> Report {
        let mut binaries: Vec<BinaryReport> = Vec::new();
        for binary in parts.into_iter().flat_map(|r| r.binaries) {
            match binaries.iter_mut().find(|b| b.package == binary.package) {
                Some(existing) => existing.absorb(binary),
                None => binaries.push(binary),
            }
        }
        Report::new(binaries)
    }
}

impl BinaryReport {
    /// Adds another run (or shard) of the same binary to this report.
    pub fn absorb(&mut self, other: BinaryReport) {
        if other.go_version != self.go_version {
            self.warnings.push(format!(
                "{} was combined from runs built with {} and {}",
                self.package, self.go_version, other.go_version
            ));
        }
        let mut samples = self.all_samples();
        let theirs = other.all_samples();
        append(&mut samples.tests, theirs.tests);
        append(&mut samples.benchmarks, theirs.benchmarks);
        append(&mut samples.benchmark_runs, theirs.benchmark_runs);
        for (metric, values) in theirs.binary {
            samples.binary.entry(metric).or_default().extend(values);
        }
        self.set_samples(samples);

        for test in other.tests {
            match self.tests.iter_mut().find(|t| t.name == test.name) {
                None => self.tests.push(test),
                Some(mine) => {
                    if test.status == TestStatus::Fail && mine.status != TestStatus::Fail {
                        *mine = test;
                    } else if mine.status == TestStatus::Skip && test.status == TestStatus::Pass {
                        mine.status = TestStatus::Pass;
                    }
                }
            }
        }
        for bench in other.benchmarks {
            match self.benchmarks.iter_mut().find(|b| b.name == bench.name) {
                None => self.benchmarks.push(bench),
                Some(mine) => mine.samples += bench.samples,
            }
        }
        for v in other.violations {
            let same = |w: &&super::Violation| {
                w.rule == v.rule && w.test == v.test && w.site == v.site && w.metric == v.metric
            };
            if !self.violations.iter().any(|w| same(&w)) {
                self.violations.push(v);
            }
        }
        for c in other.checks {
            let same = |d: &&mut CheckReport| {
                d.rule == c.rule && d.test == c.test && d.metric == c.metric && d.kind == c.kind
            };
            match self.checks.iter_mut().find(|d| same(d)) {
                None => self.checks.push(c),
                Some(mine) if c.status.rank() > mine.status.rank() => *mine = c,
                Some(_) => {}
            }
        }
        for w in other.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        if self.exit == "exit status 0" {
            self.exit = other.exit;
        }
        self.wall_s += other.wall_s;
        self.runs += other.runs;
        self.ebpf &= other.ebpf;
        self.built |= other.built;
    }

    /// Samples of every metric, single values included.
    fn all_samples(&self) -> Samples {
        let mut s = self.samples.clone();
        for (test, metrics) in &self.metrics.tests {
            for (metric, value) in metrics {
                s.tests
                    .entry(test.clone())
                    .or_default()
                    .entry(metric.clone())
                    .or_insert_with(|| vec![*value]);
            }
        }
        // Each run's medians, one sample per process (a single run has only its own).
        if s.benchmark_runs.is_empty() {
            s.benchmark_runs = medians(&s.benchmarks)
                .into_iter()
                .map(|(b, m)| (b, m.into_iter().map(|(k, v)| (k, vec![v])).collect()))
                .collect();
        }
        for (metric, value) in &self.metrics.binary {
            s.binary
                .entry(metric.clone())
                .or_insert_with(|| vec![*value]);
        }
        s
    }

    /// Stores samples, recomputing the metrics as their medians; single samples live in `metrics` only.
    fn set_samples(&mut self, mut samples: Samples) {
        let median = |v: &Vec<f64>| crate::stats::median(v);
        self.metrics.binary = samples
            .binary
            .iter()
            .filter_map(|(m, v)| Some((m.clone(), median(v)?)))
            .collect();
        self.metrics.tests = medians(&samples.tests);
        self.metrics.benchmarks = medians(&samples.benchmarks);
        samples.binary.retain(|_, v| v.len() > 1);
        for metrics in samples.tests.values_mut() {
            metrics.retain(|_, v| v.len() > 1);
        }
        samples.tests.retain(|_, m| !m.is_empty());
        if samples
            .benchmark_runs
            .values()
            .flat_map(|m| m.values())
            .all(|v| v.len() < 2)
        {
            samples.benchmark_runs.clear(); // one run: nothing beyond `benchmarks`
        }
        self.samples = samples;
    }
}

fn append(into: &mut SampleMap, from: SampleMap) {
    for (subject, metrics) in from {
        let mine = into.entry(subject).or_default();
        for (metric, values) in metrics {
            mine.entry(metric).or_default().extend(values);
        }
    }
}

fn medians(samples: &SampleMap) -> BTreeMap<String, BTreeMap<String, f64>> {
    samples
        .iter()
        .map(|(subject, metrics)| {
            let values = metrics
                .iter()
                .filter_map(|(m, v)| Some((m.clone(), crate::stats::median(v)?)))
                .collect();
            (subject.clone(), values)
        })
        .collect()
}
