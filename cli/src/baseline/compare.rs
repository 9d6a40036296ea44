//! Compares a run with its baseline. For every rule with `[[regression]]`
//! sections, every test, benchmark or binary (the rule's scope) and every
//! metric it names:
//! - `exact`: the medians are compared; one sample per side is enough.
//! - `statistical`: at least `min_samples` per side, else "not enough samples"
//!   (a warning); a regression needs both a significant Mann-Whitney U test
//!   (p < alpha) and a change beyond the tolerance, never significance alone.
//!
//! In both modes the change must exceed every tolerance the rule gives
//! (relative to the baseline, and absolute in the metric's unit).

use std::collections::BTreeMap;

use crate::check::{CheckKind, CheckStatus};
use crate::report::{BinaryReport, CheckReport, Comparison, Report, Violation};
use crate::rules::{Regression, RegressionMode, Rule, RuleSet, Scope, Statistic, fmt_num};
use crate::run::test_output::TestStatus;
use crate::target::Site;

/// Adds regression checks and findings to `report`, replacing earlier ones
/// (a merged report compared again).
pub fn compare(report: &mut Report, baseline: &Report, rules: &RuleSet) {
    let mut matched = 0;
    for binary in &mut report.binaries {
        binary.checks.retain(|c| c.kind != CheckKind::Regression);
        binary.violations.retain(|v| v.regression.is_none());
        let Some(base) = baseline
            .binaries
            .iter()
            .find(|b| b.package == binary.package)
        else {
            binary.warnings.push(format!(
                "{} is not in the baseline: nothing to compare (a new package)",
                binary.package
            ));
            continue;
        };
        let aligned = align_benchmarks(base, binary);
        let base = aligned.as_ref().unwrap_or(base);
        matched += base
            .tests
            .iter()
            .filter(|t| binary.tests.iter().any(|b| b.name == t.name))
            .count()
            + base
                .benchmarks
                .iter()
                .filter(|t| binary.benchmarks.iter().any(|b| b.name == t.name))
                .count();
        if base.go_version != binary.go_version {
            binary.warnings.push(format!(
                "the baseline of {} was built with {} and this run with {}: allocations, GC and timings change with the Go release, so a difference may be the toolchain's, not the code's",
                binary.package, base.go_version, binary.go_version
            ));
        }
        if base.ebpf != binary.ebpf {
            let with = |on: bool| if on { "with" } else { "without" };
            binary.warnings.push(format!(
                "the baseline ran {} the eBPF engine and this run {} it: its probes slow allocation-heavy code, so test timings (durations, GC figures) are not like for like (benchmarks are timed without probes either way)",
                with(base.ebpf),
                with(binary.ebpf)
            ));
        }
        let mut tally = Tally::default();
        for rule in rules.rules.iter().filter(|r| !r.regressions.is_empty()) {
            for regression in &rule.regressions {
                for subject in subjects(binary, rule.scope) {
                    let (check, violation) = compare_one(
                        binary,
                        base,
                        rule,
                        regression,
                        subject.as_deref(),
                        &mut tally,
                    );
                    binary.checks.push(check);
                    binary.violations.extend(violation);
                }
            }
        }
        binary.warnings.extend(tally.warnings());
        // What the baseline had and this run lacks: renamed or deleted tests, or a narrower -test.run.
        let gone: Vec<&str> = base
            .tests
            .iter()
            .map(|t| t.name.as_str())
            .filter(|n| !binary.tests.iter().any(|t| t.name == *n))
            .chain(
                base.benchmarks
                    .iter()
                    .map(|b| b.name.as_str())
                    .filter(|n| !binary.benchmarks.iter().any(|b| b.name == *n)),
            )
            .collect();
        if !gone.is_empty() {
            binary.warnings.push(format!(
                "{} of the baseline did not run here (renamed, deleted, or filtered by -test.run): {}",
                gone.len(),
                gone.join(", ")
            ));
        }
    }
    // Comparing with a baseline that shares nothing with the run is no
    // comparison at all: a wrong file, another repository, a filter.
    if matched == 0 {
        let packages: Vec<&str> = baseline
            .binaries
            .iter()
            .map(|b| b.package.as_str())
            .take(5)
            .collect();
        if let Some(first) = report.binaries.first_mut() {
            first.warnings.push(format!(
                "the baseline matches nothing in this run (no package, test or benchmark in common; it holds {}): no regression was checked; is it the baseline of this repository and these flags?",
                if packages.is_empty() {
                    "no package".to_string()
                } else {
                    packages.join(", ")
                }
            ));
        }
    }
}

/// The `-N` GOMAXPROCS suffix Go puts on every benchmark name of a run, when
/// all of them share one.
fn procs_suffix(names: &[&str]) -> Option<String> {
    let suffix = |n: &str| {
        let (_, digits) = n.rsplit_once('-')?;
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("-{digits}"))
    };
    let first = suffix(names.first()?)?;
    names
        .iter()
        .all(|n| suffix(n).as_deref() == Some(first.as_str()))
        .then_some(first)
}

/// The baseline with its benchmarks renamed to this run's names, when the two
/// ran with different GOMAXPROCS (`BenchmarkX-4` then, `BenchmarkX-2` now):
/// compared by name without the suffix, with a warning. None: names kept.
fn align_benchmarks(base: &BinaryReport, binary: &mut BinaryReport) -> Option<BinaryReport> {
    let names = |b: &BinaryReport| {
        b.benchmarks
            .iter()
            .map(|b| b.name.clone())
            .collect::<Vec<_>>()
    };
    let (then, now) = (names(base), names(binary));
    let strip = |all: &[String]| {
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let suffix = procs_suffix(&refs).unwrap_or_default();
        let stripped: Vec<String> = all
            .iter()
            .map(|n| n.strip_suffix(suffix.as_str()).unwrap_or(n).to_string())
            .collect();
        (suffix, stripped)
    };
    let ((then_suffix, then_bare), (now_suffix, now_bare)) = (strip(&then), strip(&now));
    if then_suffix == now_suffix || then.is_empty() || now.is_empty() {
        return None;
    }
    let rename: BTreeMap<String, String> = then
        .iter()
        .zip(&then_bare)
        .filter_map(|(old, bare)| {
            let i = now_bare.iter().position(|n| n == bare)?;
            Some((old.clone(), now[i].clone()))
        })
        .collect();
    if rename.is_empty() {
        return None;
    }
    let cpus = |s: &str| match s.strip_prefix('-') {
        Some(n) => format!("GOMAXPROCS {n} ({s})"),
        None => "GOMAXPROCS 1 (no suffix)".to_string(),
    };
    binary.warnings.push(format!(
        "the baseline's benchmarks ran with {} and this run's with {}: compared by name without the suffix; ns/op and MB/s change with the CPU count",
        cpus(&then_suffix),
        cpus(&now_suffix)
    ));
    let mut aligned = base.clone();
    let renamed = |name: &String| rename.get(name).cloned().unwrap_or_else(|| name.clone());
    for b in &mut aligned.benchmarks {
        b.name = renamed(&b.name);
    }
    let rekey = |map: &mut BTreeMap<String, BTreeMap<String, Vec<f64>>>| {
        *map = std::mem::take(map)
            .into_iter()
            .map(|(k, v)| (renamed(&k), v))
            .collect();
    };
    rekey(&mut aligned.samples.benchmarks);
    rekey(&mut aligned.samples.benchmark_runs);
    aligned.metrics.benchmarks = std::mem::take(&mut aligned.metrics.benchmarks)
        .into_iter()
        .map(|(k, v)| (renamed(&k), v))
        .collect();
    Some(aligned)
}

/// The tests, benchmarks or binary (None) a rule of this scope compares.
fn subjects(binary: &BinaryReport, scope: Scope) -> Vec<Option<String>> {
    match scope {
        Scope::Binary => vec![None],
        Scope::Test => binary
            .tests
            .iter()
            .filter(|t| t.status != TestStatus::Skip && t.name != crate::observe::PROCESS_TEST)
            .map(|t| Some(t.name.clone()))
            .collect(),
        Scope::Benchmark => binary
            .benchmarks
            .iter()
            .map(|b| Some(b.name.clone()))
            .collect(),
    }
}

/// A benchmark metric's samples, one per run of the binary (the median of its repetitions).
fn runs_series(binary: &BinaryReport, subject: Option<&str>, metric: &str) -> Vec<f64> {
    let Some(b) = subject else { return Vec::new() };
    match binary
        .samples
        .benchmark_runs
        .get(b)
        .and_then(|m| m.get(metric))
    {
        Some(v) if !v.is_empty() => v.clone(),
        _ => crate::stats::median(&series(binary, Scope::Benchmark, subject, metric))
            .into_iter()
            .collect(),
    }
}

/// Every sample of a metric in a scope; a single value where only the median was kept.
fn series(binary: &BinaryReport, scope: Scope, subject: Option<&str>, metric: &str) -> Vec<f64> {
    let (samples, values) = match (scope, subject) {
        (Scope::Benchmark, Some(b)) => (
            binary.samples.benchmarks.get(b).and_then(|m| m.get(metric)),
            binary.metrics.benchmarks.get(b).and_then(|m| m.get(metric)),
        ),
        (Scope::Test, Some(t)) => (
            binary.samples.tests.get(t).and_then(|m| m.get(metric)),
            binary.metrics.tests.get(t).and_then(|m| m.get(metric)),
        ),
        _ => (
            binary.samples.binary.get(metric),
            binary.metrics.binary.get(metric),
        ),
    };
    match (samples, values) {
        (Some(s), _) if !s.is_empty() => s.clone(),
        (_, Some(v)) => vec![*v],
        _ => Vec::new(),
    }
}

fn present(binary: &BinaryReport, scope: Scope, subject: Option<&str>) -> bool {
    match (scope, subject) {
        (Scope::Benchmark, Some(b)) => binary.benchmarks.iter().any(|x| x.name == b),
        (Scope::Test, Some(t)) => binary.tests.iter().any(|x| x.name == t),
        _ => true,
    }
}

fn site(binary: &BinaryReport, scope: Scope, subject: Option<&str>) -> Option<Site> {
    match (scope, subject) {
        (Scope::Benchmark, Some(b)) => binary.benchmarks.iter().find(|x| x.name == b)?.site.clone(),
        (Scope::Test, Some(t)) => binary.tests.iter().find(|x| x.name == t)?.site.clone(),
        _ => binary.anchor_site().cloned(),
    }
}

type RuleMetric = (String, String);

/// What one binary's comparison could not judge, summed up as warnings.
#[derive(Default)]
struct Tally {
    /// (rule, metric) -> subjects with too few samples, and the counts seen.
    few_samples: BTreeMap<(String, String), (usize, usize, usize, usize)>,
    /// (rule, metric) -> subjects whose baseline lacks the metric.
    missing: BTreeMap<(String, String), usize>,
    /// rule -> subjects not in the baseline.
    new: BTreeMap<String, Vec<String>>,
    /// rule -> (tests, baseline -test.count, current -test.count).
    not_comparable: BTreeMap<String, (usize, u32, u32)>,
    /// (rule, metric) -> (subjects whose smallest sample is unconfirmed, first (baseline, now)).
    noisy: BTreeMap<RuleMetric, (usize, Option<(f64, f64)>)>,
}

impl Tally {
    fn warnings(self) -> Vec<String> {
        let mut out = Vec::new();
        for ((rule, metric), (n, base, cur, need)) in self.few_samples {
            let per_process = if metric.starts_with(crate::rules::metrics::BENCH_PREFIX) {
                ", one per run of the binary: repetitions in one process (-test.count) share its noise"
            } else {
                ""
            };
            out.push(format!(
                "{rule}: {metric} of {n} {} not compared: not enough samples ({base} in the baseline, {cur} now; the statistical mode needs {need} per side{per_process}; take both with --repeat {need})",
                if n == 1 { "subject" } else { "subjects" }
            ));
        }
        for ((rule, metric), (n, example)) in self.noisy {
            let (then, now) = example.unwrap_or_default();
            out.push(format!(
                "{rule}: {metric} of {n} {} not compared: no second sample confirms the smallest one (smallest {} in the baseline, {} now), so the figure depends on the run, typically on when GC cycles empty a sync.Pool; give each sample more iterations (-test.benchtime) or take more (-test.count)",
                if n == 1 { "subject" } else { "subjects" },
                fmt_num(then),
                fmt_num(now)
            ));
        }
        for ((rule, metric), n) in self.missing {
            out.push(format!(
                "{rule}: the baseline has no {metric} for {n} {} this run measured (was it taken with --no-ebpf, other rules or other flags?)",
                if n == 1 { "subject" } else { "subjects" }
            ));
        }
        for (rule, (n, base, now)) in self.not_comparable {
            out.push(format!(
                "{rule}: {n} tests not compared: they ran {now} times per process here and {base} in the baseline, and per-test figures add up over -test.count repetitions; use the same -test.count on both sides (--repeat gives samples without adding up)"
            ));
        }
        for (rule, subjects) in self.new {
            out.push(format!(
                "{rule}: {} new (not in the baseline, not compared): {}",
                subjects.len(),
                subjects.join(", ")
            ));
        }
        out
    }
}

fn compare_one(
    binary: &BinaryReport,
    base: &BinaryReport,
    rule: &Rule,
    regression: &Regression,
    subject: Option<&str>,
    tally: &mut Tally,
) -> (CheckReport, Option<Violation>) {
    let metric = regression.metric.name;
    let mut check = CheckReport {
        rule: rule.id.clone(),
        test: subject.map(str::to_string),
        metric: metric.to_string(),
        value: None,
        limit: regression.describe(),
        status: CheckStatus::NoData,
        kind: CheckKind::Regression,
        regression: None,
    };
    let key = (rule.id.clone(), metric.to_string());
    if regression.metric.signal.needs_ebpf() && !binary.ebpf {
        check.status = CheckStatus::Skipped;
        return (check, None);
    }
    if !present(base, rule.scope, subject) {
        check.status = CheckStatus::New;
        let entry = tally.new.entry(rule.id.clone()).or_default();
        let name = subject.unwrap_or("binary").to_string();
        if !entry.contains(&name) {
            entry.push(name);
        }
        return (check, None);
    }
    // Per-test figures add up over -test.count repetitions: only like compares with like.
    let repetitions = |b: &BinaryReport| {
        subject
            .and_then(|t| b.tests.iter().find(|x| x.name == t))
            .map(|t| t.runs)
    };
    if rule.scope == Scope::Test && repetitions(binary) != repetitions(base) {
        check.status = CheckStatus::NotComparable;
        let e = tally.not_comparable.entry(rule.id.clone()).or_insert((
            0,
            repetitions(base).unwrap_or(1),
            repetitions(binary).unwrap_or(1),
        ));
        e.0 += 1;
        return (check, None);
    }
    let current = series(binary, rule.scope, subject, metric);
    let figure = |samples: &[f64]| match regression.mode {
        RegressionMode::Exact => regression.statistic.of(samples),
        RegressionMode::Statistical => crate::stats::median(samples),
    };
    let Some(now) = figure(&current) else {
        return (check, None); // not measured in this run: no data
    };
    check.value = Some(now);
    let before = series(base, rule.scope, subject, metric);
    let Some(then) = figure(&before) else {
        *tally.missing.entry(key).or_default() += 1;
        return (check, None);
    };
    let mut comparison = Comparison {
        baseline: then,
        current: now,
        change: (then != 0.0).then(|| (now - then) / then.abs()),
        mode: regression.mode.as_str().to_string(),
        statistic: match regression.mode {
            RegressionMode::Exact => regression.statistic.as_str(),
            RegressionMode::Statistical => "median",
        }
        .to_string(),
        samples: [before.len(), current.len()],
        p_value: None,
    };
    let worse_by = if regression.higher_is_worse {
        now - then
    } else {
        then - now
    };
    let beyond_tolerance = regression.exceeds(worse_by, then);
    // The smallest sample stands for the code only when another sample confirms it:
    // a lone low outlier (a sample with a warm pool among GC-drained ones) does not.
    if regression.mode == RegressionMode::Exact && regression.statistic == Statistic::Min {
        let unconfirmed = |samples: &[f64], min: f64| {
            let near = samples
                .iter()
                .filter(|&&x| !regression.exceeds(x - min, min))
                .count();
            samples.len() >= 2 && near < 2
        };
        if unconfirmed(&before, then) || unconfirmed(&current, now) {
            check.status = CheckStatus::Noisy;
            check.regression = Some(Box::new(comparison));
            let e = tally.noisy.entry(key).or_default();
            e.0 += 1;
            e.1.get_or_insert((then, now));
            return (check, None);
        }
    }
    let significant = match regression.mode {
        RegressionMode::Exact => true,
        RegressionMode::Statistical => {
            let need = regression.min_samples;
            // Benchmarks: one sample per process. Repetitions in one process share its
            // noise, and a U test on them alone is significant for unchanged code.
            let (before, current) = match rule.scope {
                Scope::Benchmark => (
                    runs_series(base, subject, metric),
                    runs_series(binary, subject, metric),
                ),
                _ => (before.clone(), current.clone()),
            };
            comparison.samples = [before.len(), current.len()];
            if before.len() < need || current.len() < need {
                let e = tally.few_samples.entry(key).or_default();
                *e = (e.0 + 1, before.len(), current.len(), need);
                check.status = CheckStatus::NotEnoughSamples;
                check.regression = Some(Box::new(comparison));
                return (check, None);
            }
            let p = crate::stats::mann_whitney_p(&before, &current);
            comparison.p_value = Some(p);
            p < regression.alpha
        }
    };
    let unit = match regression.metric.unit {
        "" => String::new(),
        u => format!(" {u}"),
    };
    let change = match comparison.change {
        Some(c) => format!("{}{}%", if c >= 0.0 { "+" } else { "" }, fmt_num(c * 100.0)),
        None => "from 0".to_string(),
    };
    let p_text = comparison
        .p_value
        .map(|p| format!(", p = {}", fmt_num(p)))
        .unwrap_or_default();
    let figures = format!(
        "{metric} {} -> {}{unit} ({change}{p_text}, {} vs {} samples)",
        fmt_num(then),
        fmt_num(now),
        before.len(),
        current.len()
    );
    let regressed = beyond_tolerance && significant;
    check.status = if regressed {
        CheckStatus::Fail
    } else {
        CheckStatus::Pass
    };
    check.regression = Some(Box::new(comparison.clone()));
    if !regressed {
        return (check, None);
    }
    let what = subject.map_or_else(|| format!("the {} binary", binary.package), str::to_string);
    let violation = Violation {
        rule: rule.id.clone(),
        test: subject.map(str::to_string),
        message: format!(
            "{}: {what}: {figures}, tolerance {}",
            rule.title,
            regression.describe()
        ),
        severity: rule.severity,
        site: site(binary, rule.scope, subject),
        metric: metric.to_string(),
        value: Some(now),
        limit: regression.describe(),
        regression: Some(comparison),
    };
    (check, Some(violation))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-binary report with one test and one benchmark, in the JSON contract's shape.
    fn report(alloc_bytes: f64, ns: &[f64], allocs_per_op: f64) -> Report {
        let json = serde_json::json!({
            "version": 1, "gate_version": "test",
            "binaries": [{
                "path": "./pkg", "package": "example.com/pkg", "go_version": "go1.26",
                "ebpf": true,
                "tests": [{"name": "TestA", "status": "pass", "duration_s": 0.1,
                           "site": {"file": "a_test.go", "line": 7, "function": "pkg.TestA"}}],
                "benchmarks": [{"name": "BenchmarkA-2", "samples": ns.len(),
                                "site": {"file": "a_test.go", "line": 20, "function": "pkg.BenchmarkA"}}],
                "metrics": {"binary": {}, "tests": {"TestA": {"alloc.bytes": alloc_bytes}},
                            "benchmarks": {}},
                // Several ns/op samples: one per run of the binary (--repeat).
                "samples": {"benchmarks": {"BenchmarkA-2": {
                    "bench.ns/op": ns,
                    "bench.allocs/op": vec![allocs_per_op; ns.len()]}},
                    "benchmark_runs": {"BenchmarkA-2": {"bench.ns/op": ns}}},
                "violations": [], "checks": [], "exit": "exit status 0", "wall_s": 1.0,
                "warnings": []
            }]
        });
        serde_json::from_value(json).expect("a valid report")
    }

    fn rules() -> RuleSet {
        crate::rules::load_builtin()
            .expect("built-in rules")
            .select(&[])
            .expect("select")
    }

    /// Some warning of the report's binary contains every one of `parts`.
    fn assert_warns(r: &Report, parts: &[&str]) {
        let warnings = &r.binaries[0].warnings;
        assert!(
            warnings.iter().any(|w| parts.iter().all(|p| w.contains(p))),
            "no warning with {parts:?} in {warnings:?}"
        );
    }

    fn status(r: &Report, rule: &str, metric: &str) -> CheckStatus {
        r.binaries[0]
            .checks
            .iter()
            .find(|c| c.rule == rule && c.metric == metric && c.kind == CheckKind::Regression)
            .map(|c| c.status)
            .unwrap_or_else(|| panic!("no {rule} check of {metric}"))
    }

    /// The same report with its benchmark renamed (another GOMAXPROCS suffix).
    fn renamed(mut r: Report, to: &str) -> Report {
        let b = &mut r.binaries[0];
        b.benchmarks[0].name = to.to_string();
        for map in [&mut b.samples.benchmarks, &mut b.samples.benchmark_runs] {
            let v = map.remove("BenchmarkA-2").expect("samples");
            map.insert(to.to_string(), v);
        }
        r
    }

    #[test]
    fn benchmarks_compare_across_cpu_counts_without_the_suffix() {
        let base = renamed(report(4e6, &[100.0], 17.0), "BenchmarkA-8");
        let mut more = report(4e6, &[100.0], 33.0);
        compare(&mut more, &base, &rules());
        assert_eq!(
            status(&more, "bench-regression", "bench.allocs/op"),
            CheckStatus::Fail
        );
        assert_warns(
            &more,
            &[
                "GOMAXPROCS 8 (-8)",
                "GOMAXPROCS 2 (-2)",
                "without the suffix",
            ],
        );
        assert!(
            !more.binaries[0]
                .warnings
                .iter()
                .any(|w| w.contains("did not run here"))
        );
        // GOMAXPROCS 1 prints no suffix at all.
        let single = renamed(report(4e6, &[100.0], 17.0), "BenchmarkA");
        let mut same = report(4e6, &[100.0], 17.0);
        compare(&mut same, &single, &rules());
        assert_eq!(
            status(&same, "bench-regression", "bench.allocs/op"),
            CheckStatus::Pass
        );
        assert_warns(&same, &["GOMAXPROCS 1 (no suffix)"]);
        // Same CPU count: no warning.
        let mut plain = report(4e6, &[100.0], 17.0);
        compare(&mut plain, &report(4e6, &[100.0], 17.0), &rules());
        assert!(
            !plain.binaries[0]
                .warnings
                .iter()
                .any(|w| w.contains("GOMAXPROCS"))
        );
    }

    #[test]
    fn a_baseline_that_matches_nothing_says_so() {
        let mut other = report(4e6, &[100.0], 17.0);
        other.binaries[0].package = "example.com/elsewhere".into();
        let mut run = report(4e6, &[100.0], 17.0);
        compare(&mut run, &other, &rules());
        assert_warns(&run, &["matches nothing", "example.com/elsewhere"]);
        let mut run = report(4e6, &[100.0], 17.0);
        compare(&mut run, &report(4e6, &[100.0], 17.0), &rules());
        assert!(
            !run.binaries[0]
                .warnings
                .iter()
                .any(|w| w.contains("matches nothing"))
        );
    }

    #[test]
    fn exact_mode_fails_beyond_every_tolerance_only() {
        let base = report(4_000_000.0, &[100.0], 17.0);
        let mut same = report(4_010_000.0, &[100.0], 17.0);
        compare(&mut same, &base, &rules());
        assert_eq!(
            status(&same, "alloc-regression", "alloc.bytes"),
            CheckStatus::Pass
        );
        assert_eq!(
            status(&same, "bench-regression", "bench.allocs/op"),
            CheckStatus::Pass
        );
        assert!(same.passed());

        let mut more = report(8_000_000.0, &[100.0], 33.0);
        compare(&mut more, &base, &rules());
        assert_eq!(
            status(&more, "alloc-regression", "alloc.bytes"),
            CheckStatus::Fail
        );
        assert_eq!(
            status(&more, "bench-regression", "bench.allocs/op"),
            CheckStatus::Fail
        );
        let v = more.binaries[0]
            .violations
            .iter()
            .find(|v| v.rule == "alloc-regression")
            .expect("a finding");
        let c = v.regression.as_ref().expect("the comparison");
        assert_eq!((c.baseline, c.current, c.change), (4e6, 8e6, Some(1.0)));
        assert_eq!(v.site.as_ref().map(|s| s.line), Some(7));
        assert!(!more.passed());

        // 20% more, but under the 256 KiB floor: allocation noise, not a regression.
        let small_base = report(100_000.0, &[100.0], 1.0);
        let mut small = report(120_000.0, &[100.0], 1.0);
        compare(&mut small, &small_base, &rules());
        assert_eq!(
            status(&small, "alloc-regression", "alloc.bytes"),
            CheckStatus::Pass
        );
    }

    #[test]
    fn allocations_per_op_compare_the_smallest_sample() {
        // A GC that empties a sync.Pool makes some samples allocate fresh buffers.
        let with_bytes = |bytes: &[f64]| {
            let mut r = report(1.0, &[1.0], 1.0);
            r.binaries[0]
                .samples
                .benchmarks
                .get_mut("BenchmarkA-2")
                .expect("bench")
                .insert("bench.B/op".into(), bytes.to_vec());
            r
        };
        let base = with_bytes(&[2.0, 2.0, 40_000.0]);
        let mut pool_drained = with_bytes(&[40_000.0, 3.0, 3.0]);
        compare(&mut pool_drained, &base, &rules());
        assert_eq!(
            status(&pool_drained, "bench-regression", "bench.B/op"),
            CheckStatus::Pass
        );
        let c = pool_drained.binaries[0]
            .checks
            .iter()
            .find(|c| c.metric == "bench.B/op")
            .and_then(|c| c.regression.clone())
            .expect("a comparison");
        assert_eq!(
            (c.baseline, c.current, c.statistic.as_str()),
            (2.0, 3.0, "min")
        );
        // A lone low sample among drained ones is not the code's figure: not judged, a warning.
        let mut lone = with_bytes(&[40_000.0, 40_000.0, 3.0]);
        compare(
            &mut lone,
            &with_bytes(&[40_000.0, 40_000.0, 40_000.0]),
            &rules(),
        );
        assert_eq!(
            status(&lone, "bench-regression", "bench.B/op"),
            CheckStatus::Noisy
        );
        assert!(lone.passed());
        assert_warns(&lone, &["no second sample confirms the smallest one"]);
        // Every sample allocating more is the code's doing.
        let mut grown = with_bytes(&[4_000.0, 4_100.0, 40_000.0]);
        compare(&mut grown, &base, &rules());
        assert_eq!(
            status(&grown, "bench-regression", "bench.B/op"),
            CheckStatus::Fail
        );
    }

    #[test]
    fn statistical_mode_needs_samples_significance_and_effect() {
        let slow = [130.0, 131.0, 129.0, 132.0, 130.0];
        let fast = [100.0, 101.0, 99.0, 102.0, 100.0];
        // Two samples a side: a warning, never a failure.
        let base = report(1.0, &fast[..2], 1.0);
        let mut few = report(1.0, &slow[..2], 1.0);
        compare(&mut few, &base, &rules());
        assert_eq!(
            status(&few, "bench-regression", "bench.ns/op"),
            CheckStatus::NotEnoughSamples
        );
        assert!(few.passed());
        assert_warns(&few, &["not enough samples (2 in the baseline, 2 now"]);
        // Five a side, 30% slower and separated: a regression.
        let base = report(1.0, &fast, 1.0);
        let mut slower = report(1.0, &slow, 1.0);
        compare(&mut slower, &base, &rules());
        assert_eq!(
            status(&slower, "bench-regression", "bench.ns/op"),
            CheckStatus::Fail
        );
        // Significant but 3% slower: below the minimum effect, passes.
        let slightly: Vec<f64> = fast.iter().map(|x| x * 1.03).collect();
        let mut small = report(1.0, &slightly, 1.0);
        compare(&mut small, &base, &rules());
        assert_eq!(
            status(&small, "bench-regression", "bench.ns/op"),
            CheckStatus::Pass
        );
        // The same samples from one process (-test.count, no --repeat): not independent, not judged.
        let one_process = |ns: &[f64]| {
            let mut r = report(1.0, ns, 1.0);
            r.binaries[0].samples.benchmark_runs.clear();
            r
        };
        let mut same_process = one_process(&slow);
        compare(&mut same_process, &one_process(&fast), &rules());
        assert_eq!(
            status(&same_process, "bench-regression", "bench.ns/op"),
            CheckStatus::NotEnoughSamples
        );
        assert_warns(&same_process, &["(1 in the baseline, 1 now", "--repeat 4"]);
        // 30% slower in the median, but the samples overlap: not significant, passes.
        let noisy = [60.0, 135.0, 140.0, 70.0, 150.0];
        let mut overlap = report(1.0, &noisy, 1.0);
        compare(&mut overlap, &base, &rules());
        assert_eq!(
            status(&overlap, "bench-regression", "bench.ns/op"),
            CheckStatus::Pass
        );
    }

    #[test]
    fn new_tests_and_missing_metrics_are_reported_not_failed() {
        let mut base = report(1.0, &[1.0], 1.0);
        base.binaries[0].tests[0].name = "TestOld".into();
        base.binaries[0].metrics.tests.clear();
        let mut now = report(8e9, &[1.0], 1.0);
        compare(&mut now, &base, &rules());
        assert_eq!(
            status(&now, "alloc-regression", "alloc.bytes"),
            CheckStatus::New
        );
        assert!(now.passed());
        assert_warns(&now, &["1 new (not in the baseline, not compared): TestA"]);
        // The benchmark is in both, but the baseline lacks allocs/op (no -test.benchmem then).
        let mut base = report(1.0, &[1.0], 1.0);
        base.binaries[0].samples.benchmarks.clear();
        let mut now = report(1.0, &[1.0], 1.0);
        compare(&mut now, &base, &rules());
        assert_eq!(
            status(&now, "bench-regression", "bench.allocs/op"),
            CheckStatus::NoData
        );
        assert_warns(&now, &["the baseline has no bench.allocs/op for 1 subject"]);
    }
}
