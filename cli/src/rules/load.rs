//! Loading rule files (TOML) and validating them, with errors that name the
//! file, line and field and say what would be valid.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::metrics::{self, METRICS, MetricDef, MetricKind};
use super::probe::{self, RawOutput, RawProbe};
use super::{Ignore, Limit, Regression, RegressionMode, Rule, RuleSet, Scope, Severity, Statistic};

/// The built-in catalog: the repository's `rules/*.toml`, embedded at build time.
mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// A rule file that cannot be used. Displayed as `file:line: field `x`: message`.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct RuleError {
    pub file: String,
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl RuleError {
    fn render(&self) -> String {
        let mut out = format!("rule file {}", self.file);
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
        }
        out.push_str(": ");
        if let Some(field) = &self.field {
            out.push_str(&format!("field `{field}`: "));
        }
        out.push_str(&self.message);
        out
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<Spanned<String>>,
    /// A checklist item number, or a list of them: `catalog = 42`, `catalog = [33, 42, 98]`.
    catalog: Option<Spanned<toml::Value>>,
    title: Option<String>,
    severity: Option<Severity>,
    scope: Option<Scope>,
    help: Option<String>,
    check: Option<Spanned<RawCheck>>,
    probe: Option<Vec<Spanned<RawProbe>>>,
    output: Option<Vec<Spanned<RawOutput>>>,
    /// Whose calls the rule's probes count: "under-test", "tests" or "any".
    code: Option<Spanned<String>>,
    ignore: Option<Vec<Spanned<RawIgnore>>>,
    /// false: an opt-in rule, run only with `gate run --enable ID`.
    enabled: Option<bool>,
    /// Build flags of a variant the rule judges (`["-race"]`): the package is
    /// built and run a second time with them.
    build: Option<Spanned<Vec<String>>>,
    /// `[regression]` or `[[regression]]`: how metrics compare with a baseline.
    regression: Option<OneOrMany<RawRegression>>,
    /// Units a benchmark reports with b.ReportMetric (`["records/op"]`): the
    /// rule may name `bench.records/op`. Undeclared units are misspellings.
    bench_units: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegression {
    metric: Option<String>,
    metrics: Option<Vec<String>>,
    mode: Option<String>,
    relative: Option<f64>,
    absolute: Option<f64>,
    worse: Option<String>,
    statistic: Option<String>,
    alpha: Option<f64>,
    min_samples: Option<usize>,
}

/// `[[ignore]]`: objects a lifecycle rule does not count, like goleak's IgnoreTopFunction.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    entry: Option<String>,
    created_by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    metric: Spanned<String>,
    min: Option<f64>,
    max: Option<f64>,
    only_if: Option<Spanned<RawLimit>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    metric: Spanned<String>,
    min: Option<f64>,
    max: Option<f64>,
}

/// Ends the origin of a built-in rule: `rules/x.toml (built-in)`.
pub const BUILTIN_SUFFIX: &str = " (built-in)";

/// Loads the built-in catalog.
pub fn load_builtin() -> Result<RuleSet, RuleError> {
    let mut files = Vec::new();
    for (name, text) in builtin::RULES {
        files.push((
            format!("rules/{name}{BUILTIN_SUFFIX}"),
            file_stem(name),
            text.to_string(),
        ));
    }
    build_set(files)
}

/// Loads rules from files and directories (every `*.toml` in a directory, sorted).
pub fn load_paths(paths: &[PathBuf]) -> Result<RuleSet, RuleError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| RuleError {
            file: path.display().to_string(),
            line: None,
            field: None,
            message: format!(
                "cannot read: {e}; --rules takes a rule file or a directory of *.toml files"
            ),
        })?;
        let mut members = Vec::new();
        if meta.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| RuleError {
                file: path.display().to_string(),
                line: None,
                field: None,
                message: format!("cannot list directory: {e}"),
            })?;
            for entry in entries.flatten() {
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "toml") {
                    members.push(p);
                }
            }
            members.sort();
            if members.is_empty() {
                return Err(RuleError {
                    file: path.display().to_string(),
                    line: None,
                    field: None,
                    message: "directory holds no *.toml rule files".into(),
                });
            }
        } else {
            members.push(path.clone());
        }
        for member in members {
            let text = std::fs::read_to_string(&member).map_err(|e| RuleError {
                file: member.display().to_string(),
                line: None,
                field: None,
                message: format!("cannot read: {e}"),
            })?;
            let stem = member
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((member.display().to_string(), stem, text));
        }
    }
    build_set(files)
}

fn file_stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn build_set(files: Vec<(String, String, String)>) -> Result<RuleSet, RuleError> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut rules = Vec::new();
    for (origin, stem, text) in files {
        let rule = parse_rule(&origin, &stem, &text)?;
        if let Some(first) = seen.get(&rule.id) {
            return Err(RuleError {
                file: origin,
                line: line_of_key(&text, "id"),
                field: Some("id".into()),
                message: format!(
                    "duplicate rule id {:?}, already defined by {first}; rule ids must be unique",
                    rule.id
                ),
            });
        }
        // A probe's metrics are named after it: two rules declaring the same name
        // must declare the same probe (they then share it), or the figures would mix.
        for p in &rule.probes {
            if let Some((other, _)) = rules
                .iter()
                .flat_map(|r: &Rule| r.probes.iter().map(move |q| (r, q)))
                .find(|(_, q)| q.name == p.name && *q != p)
            {
                return Err(RuleError {
                    file: origin,
                    line: line_of_key(&text, "name"),
                    field: Some("probe.name".into()),
                    message: format!(
                        "probe {:?} is declared differently by {}; probe names are metric names (probe.{}): rename one",
                        p.name, other.origin, p.name
                    ),
                });
            }
        }
        for o in &rule.outputs {
            if let Some(other) = rules.iter().find(|r| {
                r.outputs
                    .iter()
                    .any(|q| q.name == o.name && q.pattern.as_str() != o.pattern.as_str())
            }) {
                return Err(RuleError {
                    file: origin,
                    line: line_of_key(&text, "name"),
                    field: Some("output.name".into()),
                    message: format!(
                        "output {:?} is declared with another pattern by {}; names are metric names (output.{}): rename one",
                        o.name, other.origin, o.name
                    ),
                });
            }
        }
        seen.insert(rule.id.clone(), origin);
        rules.push(rule);
    }
    Ok(RuleSet { rules })
}

/// Parses and validates one rule file.
pub(super) fn parse_rule(origin: &str, stem: &str, text: &str) -> Result<Rule, RuleError> {
    let err = |line: Option<usize>, field: &str, message: String| RuleError {
        file: origin.to_string(),
        line,
        field: (!field.is_empty()).then(|| field.to_string()),
        message,
    };
    let raw: RawRule = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start));
        err(line, "", e.message().trim().to_string())
    })?;

    let id = raw.id.ok_or_else(|| {
        err(
            None,
            "id",
            format!("missing; every rule needs an id, here id = {stem:?} (the file name)"),
        )
    })?;
    let id_line = Some(line_at(text, id.span().start));
    let id_value = id.into_inner();
    let id_ok = !id_value.is_empty()
        && id_value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id_value.starts_with('-');
    if !id_ok {
        return Err(err(
            id_line,
            "id",
            format!(
                "{id_value:?} is not a valid id; use lowercase letters, digits and dashes, like \"gc-pause-budget\""
            ),
        ));
    }
    if id_value != stem {
        return Err(err(
            id_line,
            "id",
            format!(
                "{id_value:?} does not match the file name; rename the file to {id_value}.toml or set id = {stem:?}"
            ),
        ));
    }
    let title = raw
        .title
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| err(None, "title", "missing; give a one-line title".into()))?;
    let severity = raw.severity.ok_or_else(|| {
        err(
            None,
            "severity",
            "missing; valid values: \"error\", \"warning\", \"note\"".into(),
        )
    })?;
    let scope = raw.scope.ok_or_else(|| {
        err(
            None,
            "scope",
            "missing; valid values: \"test\", \"binary\", \"benchmark\"".into(),
        )
    })?;
    let help = raw.help.filter(|h| !h.trim().is_empty()).ok_or_else(|| {
        err(
            None,
            "help",
            "missing; say why the check matters and how to fix a violation".into(),
        )
    })?;
    let bench_units = raw.bench_units.unwrap_or_default();
    let custom_bench = |name: &str| {
        name.strip_prefix(metrics::BENCH_PREFIX)
            .filter(|unit| bench_units.iter().any(|u| u == unit))
            .and_then(|_| metrics::custom_bench_metric(name))
    };
    let regressions = match raw.regression {
        None => Vec::new(),
        Some(OneOrMany::One(r)) => parse_regressions(origin, text, &custom_bench, vec![r])?,
        Some(OneOrMany::Many(rs)) => parse_regressions(origin, text, &custom_bench, rs)?,
    };
    if raw.check.is_none() && regressions.is_empty() {
        return Err(err(
            None,
            "check",
            "missing; add a [check] table with metric = \"...\" and max or min, or a [regression] table".into(),
        ));
    }
    let whose = match raw.code {
        None => None,
        Some(code) => {
            let line = Some(line_at(text, code.span().start));
            Some(probe::parse_whose(code.get_ref()).map_err(|b| err(line, "code", b.message))?)
        }
    };
    let mut probes: Vec<probe::ProbeSpec> = Vec::new();
    for p in raw.probe.unwrap_or_default() {
        let line = Some(line_at(text, p.span().start));
        let spec = probe::parse_probe(p.into_inner(), whose)
            .map_err(|b| err(line, &format!("probe.{}", b.field), b.message))?;
        if probes.iter().any(|q| q.name == spec.name) {
            return Err(err(
                line,
                "probe.name",
                format!("probe {:?} declared twice", spec.name),
            ));
        }
        probes.push(spec);
    }
    let mut outputs: Vec<probe::OutputSpec> = Vec::new();
    for o in raw.output.unwrap_or_default() {
        let line = Some(line_at(text, o.span().start));
        let spec = probe::parse_output(o.into_inner(), whose)
            .map_err(|b| err(line, &format!("output.{}", b.field), b.message))?;
        if outputs.iter().any(|q| q.name == spec.name) {
            return Err(err(
                line,
                "output.name",
                format!("output {:?} declared twice", spec.name),
            ));
        }
        outputs.push(spec);
    }
    let mut ignores = Vec::new();
    for ig in raw.ignore.unwrap_or_default() {
        let line = Some(line_at(text, ig.span().start));
        let ig = ig.into_inner();
        if ig.entry.is_none() && ig.created_by.is_none() {
            return Err(err(line, "ignore", "needs entry = \"pkg.Func\" (the goroutine's entry function) or created_by = \"pkg.Func\" (a function of the creation stack)".into()));
        }
        ignores.push(Ignore {
            entry: ig.entry,
            created_by: ig.created_by,
            origin: None,
        });
    }
    let declared = |name: &str| {
        probes
            .iter()
            .flat_map(|p| &p.metrics)
            .chain(outputs.iter().map(|o| &o.metric))
            .find(|m| m.name == name)
            .copied()
            .or_else(|| probe::ratio_metric(name, &probes))
            .or_else(|| custom_bench(name))
    };
    let mut check = None;
    let mut only_if = None;
    if let Some(raw_check) = raw.check {
        let check_line = Some(line_at(text, raw_check.span().start));
        let raw_check = raw_check.into_inner();
        let check_limit = RawLimit {
            metric: raw_check.metric,
            min: raw_check.min,
            max: raw_check.max,
        };
        check = Some(to_limit(
            origin,
            text,
            &declared,
            "check",
            check_limit,
            check_line,
        )?);
        if let Some(raw) = raw_check.only_if {
            let line = Some(line_at(text, raw.span().start));
            let raw = raw.into_inner();
            only_if = Some(to_limit(
                origin,
                text,
                &declared,
                "check.only_if",
                raw,
                line,
            )?);
        }
    }
    // Benchmark metrics exist per benchmark, and only there.
    let metrics = check
        .iter()
        .chain(&only_if)
        .map(|l| l.metric)
        .chain(regressions.iter().map(|r| r.metric));
    for m in metrics {
        let bench = m.signal == metrics::Signal::Benchmarks;
        if bench != (scope == Scope::Benchmark) {
            let message = if bench {
                format!(
                    "{} is a benchmark metric: set scope = \"benchmark\"",
                    m.name
                )
            } else {
                format!(
                    "{} is not a benchmark metric; scope \"benchmark\" takes bench.* metrics (bench.ns/op, bench.B/op, bench.allocs/op, bench.MB/s, bench.<unit> of b.ReportMetric)",
                    m.name
                )
            };
            return Err(err(line_of_key(text, "scope"), "scope", message));
        }
    }

    let catalog = match raw.catalog {
        Some(value) => parse_catalog(origin, text, value)?,
        None => Vec::new(),
    };

    let enabled = raw.enabled.unwrap_or(true);
    let mut build = Vec::new();
    if let Some(flags) = raw.build {
        let line = Some(line_at(text, flags.span().start));
        build = flags.into_inner();
        let flag_ok = |f: &String| f.starts_with('-') && !f.contains(char::is_whitespace);
        if build.is_empty() || !build.iter().all(flag_ok) {
            return Err(err(
                line,
                "build",
                "a list of `go test -c` flags, like build = [\"-race\"] or [\"-gcflags=all=-d=checkptr\"]".into(),
            ));
        }
        if enabled {
            return Err(err(
                line,
                "build",
                "a build variant doubles the build and the run of every package: such rules are opt-in, set enabled = false (users turn them on with --enable)".into(),
            ));
        }
        if !probes.is_empty() || regressions.iter().any(|_| true) {
            return Err(err(
                line,
                "build",
                "a build variant is judged by [[output]] patterns and test-output metrics, not by probes or baselines".into(),
            ));
        }
    }
    Ok(Rule {
        id: id_value,
        catalog,
        title: title.trim().to_string(),
        severity,
        scope,
        help: help.trim().to_string(),
        check,
        regressions,
        only_if,
        probes,
        outputs,
        ignores,
        origin: origin.to_string(),
        enabled,
        build,
    })
}

/// The checklist's items are numbered 6 to 99 (docs/checks.md lists them).
pub const CATALOG_ITEMS: std::ops::RangeInclusive<u32> = 6..=99;

/// `catalog = 42` or `catalog = [33, 42, 98]`: the checklist items a rule enforces.
fn parse_catalog(
    origin: &str,
    text: &str,
    value: Spanned<toml::Value>,
) -> Result<Vec<u32>, RuleError> {
    let line = Some(line_at(text, value.span().start));
    let bad = |message: String| RuleError {
        file: origin.to_string(),
        line,
        field: Some("catalog".into()),
        message: format!(
            "{message}; give a checklist item number ({}-{}) or a list of them, like catalog = 42 or catalog = [33, 42, 98]",
            CATALOG_ITEMS.start(),
            CATALOG_ITEMS.end()
        ),
    };
    let values = match value.into_inner() {
        toml::Value::Array(items) if items.is_empty() => {
            return Err(bad("an empty list (omit the field instead)".into()));
        }
        toml::Value::Array(items) => items,
        other => vec![other],
    };
    let mut items: Vec<u32> = Vec::new();
    for v in values {
        let n = match v {
            toml::Value::Integer(n) => n,
            other => return Err(bad(format!("{other} is not an item number"))),
        };
        let item = u32::try_from(n)
            .ok()
            .filter(|n| CATALOG_ITEMS.contains(n))
            .ok_or_else(|| bad(format!("{n} is not a checklist item")))?;
        if items.contains(&item) {
            return Err(bad(format!("item {item} is listed twice")));
        }
        items.push(item);
    }
    Ok(items)
}

fn to_limit(
    origin: &str,
    text: &str,
    declared: &dyn Fn(&str) -> Option<&'static MetricDef>,
    table: &str,
    raw: RawLimit,
    table_line: Option<usize>,
) -> Result<Limit, RuleError> {
    let RawLimit { metric, min, max } = raw;
    let metric_line = Some(line_at(text, metric.span().start));
    let name = metric.into_inner();
    let def = metrics::lookup(&name)
        .or_else(|| declared(&name))
        .ok_or_else(|| {
            let known: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
            RuleError {
                file: origin.to_string(),
                line: metric_line,
                field: Some(format!("{table}.metric")),
                message: format!(
                    "unknown metric {name:?}; known metrics: {} (see `gate rules --metrics`){}",
                    known.join(", "),
                    undeclared_unit_hint(&name)
                ),
            }
        })?;
    let bad = |message: String| RuleError {
        file: origin.to_string(),
        line: table_line,
        field: Some(table.to_string()),
        message,
    };
    if min.is_none() && max.is_none() {
        return Err(bad(format!(
            "needs a limit: add max = N and/or min = N for {name}"
        )));
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        return Err(bad(format!("min ({lo}) is greater than max ({hi})")));
    }
    if min.into_iter().chain(max).any(|v| !v.is_finite()) {
        return Err(bad("limits must be finite numbers".into()));
    }
    // Counts, sizes, times and ratios are never negative: such a max always
    // fails and such a min never does. (A b.ReportMetric unit may be anything.)
    let custom_unit = metrics::lookup(&name).is_none() && name.starts_with(metrics::BENCH_PREFIX);
    if !custom_unit && let Some(v) = min.into_iter().chain(max).find(|v| *v < 0.0) {
        return Err(bad(format!(
            "{v} is below zero, which {name} never is; a limit of 0 means \"none at all\""
        )));
    }
    Ok(Limit {
        metric: def,
        min,
        max,
    })
}

/// For a `bench.<unit>` the rule did not declare: how to declare it.
fn undeclared_unit_hint(name: &str) -> String {
    match name.strip_prefix(metrics::BENCH_PREFIX) {
        Some(unit) if !unit.is_empty() => format!(
            "; if {unit:?} is a unit your benchmarks report with b.ReportMetric, declare it: bench_units = [{unit:?}]"
        ),
        _ => String::new(),
    }
}

fn parse_regressions(
    origin: &str,
    text: &str,
    custom_bench: &dyn Fn(&str) -> Option<&'static MetricDef>,
    raw: Vec<RawRegression>,
) -> Result<Vec<Regression>, RuleError> {
    // Untagged tables carry no spans: errors point at the first `[regression]` header.
    let line = text
        .lines()
        .position(|l| {
            l.trim_start().starts_with("[regression]")
                || l.trim_start().starts_with("[[regression]]")
        })
        .map(|i| i + 1);
    let bad = |field: &str, message: String| RuleError {
        file: origin.to_string(),
        line,
        field: Some(format!("regression.{field}")),
        message,
    };
    let mut out = Vec::new();
    for r in raw {
        let names: Vec<String> = match (r.metric, r.metrics) {
            (Some(m), None) => vec![m],
            (None, Some(ms)) if !ms.is_empty() => ms,
            _ => {
                return Err(bad(
                    "metric",
                    "give metric = \"...\" or metrics = [\"...\", ...] (one of them)".into(),
                ));
            }
        };
        let mode = match r.mode.as_deref() {
            Some("exact") => RegressionMode::Exact,
            Some("statistical") => RegressionMode::Statistical,
            Some(other) => {
                return Err(bad(
                    "mode",
                    format!(
                        "{other:?} is not a mode; valid: \"exact\" (deterministic metrics), \"statistical\" (noisy ones)"
                    ),
                ));
            }
            None => {
                return Err(bad(
                    "mode",
                    "missing; valid: \"exact\" (deterministic metrics), \"statistical\" (noisy ones)".into(),
                ));
            }
        };
        if r.relative.is_none() && r.absolute.is_none() {
            return Err(bad(
                "relative",
                "needs a tolerance: relative = 0.1 (10% of the baseline) and/or absolute = N (in the metric's unit)".into(),
            ));
        }
        for (field, v) in [("relative", r.relative), ("absolute", r.absolute)] {
            if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                return Err(bad(field, "must be a finite number >= 0".into()));
            }
        }
        let statistic = match r.statistic.as_deref() {
            None | Some("median") => Statistic::Median,
            Some("min") if mode == RegressionMode::Exact => Statistic::Min,
            Some("min") => {
                return Err(bad(
                    "statistic",
                    "\"min\" applies to exact mode; statistical mode compares whole samples".into(),
                ));
            }
            Some(other) => {
                return Err(bad(
                    "statistic",
                    format!("{other:?} is not a statistic; valid: \"median\" (default), \"min\""),
                ));
            }
        };
        let alpha = r.alpha.unwrap_or(0.05);
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(bad(
                "alpha",
                format!(
                    "{alpha} is not a significance level; use a number between 0 and 1, such as 0.05"
                ),
            ));
        }
        let min_samples = r.min_samples.unwrap_or(4);
        if min_samples < 2 {
            return Err(bad(
                "min_samples",
                "must be at least 2 (4 by default)".into(),
            ));
        }
        for name in names {
            let def = metrics::lookup(&name)
                .or_else(|| custom_bench(&name))
                .ok_or_else(|| {
                    bad(
                        "metric",
                        format!(
                            "unknown metric {name:?}; see `gate rules --metrics`{}",
                            undeclared_unit_hint(&name)
                        ),
                    )
                })?;
            let higher_is_worse = match r.worse.as_deref() {
                None => def.higher_is_worse,
                Some("higher") => true,
                Some("lower") => false,
                Some(other) => {
                    return Err(bad(
                        "worse",
                        format!(
                            "{other:?} is not a direction; valid: \"higher\" (higher is worse), \"lower\""
                        ),
                    ));
                }
            };
            if def.kind != MetricKind::Scalar && def.kind != MetricKind::Lifecycle {
                return Err(bad(
                    "metric",
                    format!(
                        "{name} is measured per object; regressions compare per-test or per-benchmark metrics"
                    ),
                ));
            }
            out.push(Regression {
                metric: def,
                mode,
                relative: r.relative,
                absolute: r.absolute,
                higher_is_worse,
                statistic,
                alpha,
                min_samples,
            });
        }
    }
    Ok(out)
}

/// 1-based line number of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"id = "demo"
title = "A demo rule"
severity = "warning"
scope = "test"
help = "Why and how."
[check]
metric = "gc.cycles"
max = 3
"#;

    fn parse(text: &str) -> Result<Rule, RuleError> {
        parse_rule("rules/demo.toml", "demo", text)
    }

    #[test]
    fn a_valid_rule_loads() {
        let rule = parse(GOOD).expect("valid");
        assert_eq!(rule.id, "demo");
        assert_eq!(rule.severity, Severity::Warning);
        let check = rule.check.expect("a [check]");
        assert_eq!(check.metric.name, "gc.cycles");
        assert_eq!(check.max, Some(3.0));
        assert!(check.holds(3.0) && !check.holds(4.0));
        assert!(rule.regressions.is_empty());
    }

    const REGRESSION_ONLY: &str = r#"id = "demo"
title = "A demo regression"
severity = "error"
scope = "benchmark"
help = "Why and how."

bench_units = ["widgets/op"]

[[regression]]
metrics = ["bench.allocs/op", "bench.widgets/op"]
mode = "exact"
relative = 0.1

[[regression]]
metric = "bench.MB/s"
mode = "statistical"
relative = 0.05
"#;

    #[test]
    fn regression_sections_load_with_directions_and_custom_units() {
        let rule = parse(REGRESSION_ONLY).expect("valid");
        assert!(rule.check.is_none());
        let got: Vec<(&str, RegressionMode, bool, usize)> = rule
            .regressions
            .iter()
            .map(|r| (r.metric.name, r.mode, r.higher_is_worse, r.min_samples))
            .collect();
        assert_eq!(
            got,
            [
                ("bench.allocs/op", RegressionMode::Exact, true, 4),
                ("bench.widgets/op", RegressionMode::Exact, true, 4),
                // Throughput: lower is worse.
                ("bench.MB/s", RegressionMode::Statistical, false, 4),
            ]
        );
        // A single [regression] table works too.
        let single = GOOD.to_string()
            + "[regression]\nmetric = \"gc.cycles\"\nmode = \"exact\"\nabsolute = 2\n";
        let rule = parse(&single).expect("valid");
        assert_eq!(rule.regressions.len(), 1);
        assert_eq!(rule.regressions[0].absolute, Some(2.0));
    }

    #[test]
    fn a_negative_limit_is_refused() {
        let e = parse(&GOOD.replace("max = 3", "max = -1"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("field `check`: -1 is below zero"), "{e}");
    }

    #[test]
    fn a_benchmark_unit_must_be_declared_or_built_in() {
        let e = parse(&REGRESSION_ONLY.replace("bench_units = [\"widgets/op\"]\n", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown metric \"bench.widgets/op\""), "{e}");
        assert!(e.contains("bench_units = [\"widgets/op\"]"), "{e}");
        let misspelled = GOOD
            .replace("scope = \"test\"", "scope = \"benchmark\"")
            .replace("gc.cycles", "bench.ns_per_op");
        let e = parse(&misspelled).unwrap_err().to_string();
        assert!(
            e.contains("demo.toml:7: field `check.metric`: unknown metric \"bench.ns_per_op\""),
            "{e}"
        );
    }

    #[test]
    fn bad_regression_sections_name_line_and_field() {
        let e = parse(&REGRESSION_ONLY.replace("\"exact\"", "\"exactly\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("demo.toml:9: field `regression.mode`: \"exactly\" is not a mode"),
            "{e}"
        );
        let e = parse(&REGRESSION_ONLY.replace("relative = 0.1\n", ""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("field `regression.relative`: needs a tolerance"),
            "{e}"
        );
        let e = parse(&REGRESSION_ONLY.replace(
            "mode = \"statistical\"",
            "mode = \"statistical\"\nstatistic = \"min\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("field `regression.statistic`: \"min\" applies to exact mode"),
            "{e}"
        );
        // Benchmark metrics belong to benchmark scope, and only there.
        let e = parse(&REGRESSION_ONLY.replace("scope = \"benchmark\"", "scope = \"test\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":4: field `scope`: bench.allocs/op is a benchmark metric"),
            "{e}"
        );
        let e = parse(&GOOD.replace("scope = \"test\"", "scope = \"benchmark\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("gc.cycles is not a benchmark metric"), "{e}");
    }

    #[test]
    fn unknown_metric_names_file_line_field_and_choices() {
        let e = parse(&GOOD.replace("gc.cycles", "gc.cycels"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "rule file rules/demo.toml:7: field `check.metric`: unknown metric \"gc.cycels\""
            ),
            "{e}"
        );
        assert!(e.contains("gc.max_pause_ms"), "{e}");
    }

    #[test]
    fn bad_severity_names_line_and_valid_values() {
        let e = parse(&GOOD.replace("\"warning\"", "\"fatal\""))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("rule file rules/demo.toml:3: "), "{e}");
        assert!(
            e.contains("`error`, `warning`") && e.contains("note"),
            "{e}"
        );
    }

    #[test]
    fn missing_id_and_mismatched_id_are_errors() {
        let e = parse(&GOOD.replace("id = \"demo\"\n", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("field `id`: missing"), "{e}");
        let e = parse(&GOOD.replace("\"demo\"", "\"other\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":1: field `id`: \"other\" does not match the file name"),
            "{e}"
        );
    }

    #[test]
    fn unknown_field_is_an_error() {
        let e = parse(&GOOD.replace("max = 3", "maximum = 3"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":8:") && e.contains("unknown field `maximum`"),
            "{e}"
        );
    }

    #[test]
    fn a_check_needs_a_limit() {
        let e = parse(&GOOD.replace("max = 3\n", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":6: field `check`: needs a limit"), "{e}");
    }

    #[test]
    fn catalog_is_one_item_or_a_list() {
        assert!(parse(GOOD).expect("valid").catalog.is_empty());
        let one = GOOD.replace("title =", "catalog = 42\ntitle =");
        assert_eq!(parse(&one).expect("valid").catalog, [42]);
        let many = GOOD.replace("title =", "catalog = [33, 42, 98]\ntitle =");
        assert_eq!(parse(&many).expect("valid").catalog, [33, 42, 98]);
    }

    #[test]
    fn bad_catalog_values_name_file_line_and_field() {
        for (value, why) in [
            ("\"42\"", "\"42\" is not an item number"),
            ("[33, \"x\"]", "\"x\" is not an item number"),
            ("3", "3 is not a checklist item"),
            ("[42, 100]", "100 is not a checklist item"),
            ("-1", "-1 is not a checklist item"),
            ("[42, 42]", "item 42 is listed twice"),
            ("[]", "an empty list"),
        ] {
            let text = GOOD.replace("title =", &format!("catalog = {value}\ntitle ="));
            let e = parse(&text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "rule file rules/demo.toml:2: field `catalog`: {why}"
                )),
                "{value}: {e}"
            );
            assert!(
                e.contains("like catalog = 42 or catalog = [33, 42, 98]"),
                "{e}"
            );
        }
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let files = vec![
            (
                "a/demo.toml".to_string(),
                "demo".to_string(),
                GOOD.to_string(),
            ),
            (
                "b/demo.toml".to_string(),
                "demo".to_string(),
                GOOD.to_string(),
            ),
        ];
        let e = build_set(files).unwrap_err().to_string();
        assert!(e.contains("b/demo.toml:1: field `id`: duplicate rule id \"demo\", already defined by a/demo.toml"), "{e}");
    }

    #[test]
    fn every_builtin_rule_is_valid_and_documented() {
        let set = load_builtin().expect("built-in rules load");
        assert!(set.rules.len() >= 4);
        // Other issues and users depend on these ids.
        for id in ["alloc-regression", "bench-regression"] {
            let rule = set.get(id).expect(id);
            assert!(
                !rule.regressions.is_empty(),
                "{id} compares with a baseline"
            );
        }
        for rule in &set.rules {
            assert!(
                rule.help.len() > 80,
                "{}: help too short to say why and how",
                rule.id
            );
            assert!(
                rule.help.contains("Fix") || rule.help.contains("fix"),
                "{}: help lacks a fix",
                rule.id
            );
        }
    }
}

#[cfg(test)]
mod probe_kinds {
    use super::*;
    use crate::rules::probe::{Key, Op, ParamRef, ProbeKind, Until, Value, Whose};

    fn rule(body: &str, check: &str) -> Result<Rule, RuleError> {
        let text = format!(
            "id = \"demo\"\ntitle = \"t\"\nseverity = \"note\"\nscope = \"test\"\nhelp = \"h\"\n{body}\n[check]\nmetric = \"{check}\"\nmax = 0\n"
        );
        parse_rule("rules/demo.toml", "demo", &text)
    }

    #[test]
    fn each_kind_parses_with_its_metrics_and_defaults() {
        let r = rule(
            "[[probe]]\nname = \"sleep\"\nsymbol = \"time.Sleep\"\n[[probe.where]]\narg = \"ns\"\nop = \"<=\"\nvalue = 0\n",
            "probe.sleep",
        )
        .expect("a call probe");
        let p = &r.probes[0];
        assert_eq!((p.kind, p.whose), (ProbeKind::Call, Whose::UnderTest));
        assert_eq!(
            p.point.predicates[0].operand.param,
            ParamRef::Name("ns".into())
        );
        assert_eq!(p.point.predicates[0].op, Op::Le);
        assert_eq!(p.point.predicates[0].value, Value::Int(0));
        assert_eq!(p.describe(), "call probe of time.Sleep where ns <= 0");

        let r = rule(
            "[[probe]]\nname = \"held\"\nkind = \"lifecycle\"\nacquire = { symbol = \"os.StartProcess\", key = { result = \"~r0\" } }\nrelease = { symbol = \"os.(*Process).wait\", key = \"receiver\" }\nuntil = \"test\"\n",
            "probe.held",
        )
        .expect("a lifecycle");
        let p = &r.probes[0];
        assert_eq!(
            (p.kind, p.whose, p.until),
            (ProbeKind::Lifecycle, Whose::Any, Until::Test)
        );
        let names: Vec<&str> = p.metrics.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            ["probe.held", "probe.held.acquired", "probe.held.released"]
        );

        let keyed = "[[probe]]\nname = \"a\"\nkind = \"keyed\"\nsymbol = \"x.A\"\nkey = \"receiver\"\n[[probe]]\nname = \"b\"\nkind = \"keyed\"\nsymbol = \"x.B\"\nkey = \"receiver\"\n";
        let r = rule(keyed, "probe.a/probe.b").expect("a ratio of two keyed probes");
        assert_eq!(
            r.probes[0].point.key,
            Key::Param {
                param: ParamRef::Slot(1),
                result: false
            }
        );
        assert_eq!(
            r.check.as_ref().map(|c| c.metric.name),
            Some("probe.a/probe.b")
        );

        let r = rule(
            "[[output]]\nname = \"fatal\"\npattern = '^fatal error: '\n",
            "output.fatal",
        )
        .expect("an output pattern");
        assert!(!r.needs_ebpf(), "output patterns need no eBPF");
    }

    #[test]
    fn a_chain_predicate_and_symbol_alternatives_load() {
        let r = rule(
            "[[probe]]\nname = \"x\"\nsymbol = \"context.WithValue|context.WithCancel\"\n[[probe.where]]\narg = \"parent\"\nchain = true\nop = \">=\"\nvalue = 64\n",
            "probe.x",
        )
        .expect("valid");
        let probe = &r.probes[0];
        assert!(probe.point.predicates[0].operand.chain);
        assert_eq!(
            probe.describe(),
            "call probe of context.WithValue or WithCancel where depth(parent) >= 64"
        );
    }

    #[test]
    fn bad_probes_name_the_line_and_field_and_what_is_valid() {
        let cases = [
            (
                "[[probe]]\nname = \"x\"\nkind = \"syscal\"\nsymbol = \"a.B\"\n",
                "probe.kind",
                "\"call\"",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"n\"\nop = \"~\"\nvalue = 1\n",
                "probe.where.op",
                "any-bits",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"n\"\nop = \"eq\"\nvalue = 1\n",
                "probe.where.value",
                "string",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\nresult = \"err\"\nop = \"not-nil\"\n",
                "probe.where.result",
                "kind = \"result\"",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = 12\nop = \"==\"\nvalue = 1\n",
                "probe.where.arg",
                "1 to 9",
            ),
            (
                "[[probe]]\nname = \"x\"\nkind = \"keyed\"\nsymbol = \"a.B\"\n",
                "probe.key",
                "receiver",
            ),
            (
                "[[probe]]\nname = \"x\"\nkind = \"lifecycle\"\nacquire = { symbol = \"a.B\", key = \"callsite\" }\nrelease = { symbol = \"a.C\", key = \"receiver\" }\n",
                "probe.acquire.key",
                "joins",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"s\"\nop = \"eq\"\nvalue = \"0123456789012345678901234567890123\"\n",
                "probe.where.value",
                "32 bytes",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"ctx\"\nchain = true\nlen = true\nop = \">=\"\nvalue = 64\n",
                "probe.where.chain",
                "no field or len",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"ctx\"\nchain = true\nop = \"any-bits\"\nvalue = 64\n",
                "probe.where.chain",
                "\">=\"",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"ctx\"\nchain = true\nop = \">=\"\nvalue = 2000\n",
                "probe.where.chain",
                "0 to 1023",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"a\"\nchain = true\nop = \">=\"\nvalue = 2\n[[probe.where]]\narg = \"b\"\nchain = true\nop = \">=\"\nvalue = 2\n",
                "probe.where.chain",
                "at most one",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B|\"\n",
                "probe.symbol",
                "go tool nm",
            ),
            (
                "[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n[[probe.where]]\narg = \"s|\"\nop = \"==\"\nvalue = 1\n",
                "probe.where.arg",
                "different Go releases",
            ),
            (
                "[[output]]\nname = \"x\"\npattern = '('\n",
                "output.pattern",
                "regular expression",
            ),
            (
                "[[output]]\nname = \"x\"\npattern = 'a'\nstream = \"stdout\"\n",
                "output.stream",
                "any",
            ),
        ];
        for (body, field, hint) in cases {
            let e = rule(body, "probe.x").expect_err(body);
            assert_eq!(e.field.as_deref(), Some(field), "{body}: {e}");
            assert!(e.line.is_some(), "{body}: {e}");
            assert!(e.to_string().contains(hint), "{body}: {e}");
        }
        let e = rule(
            "code = \"mine\"\n[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n",
            "probe.x",
        )
        .expect_err("a bad code");
        assert_eq!(e.field.as_deref(), Some("code"));
        let e = rule("[[probe]]\nname = \"x\"\nsymbol = \"a.B\"\n", "probe.y")
            .expect_err("unknown metric");
        assert_eq!(e.field.as_deref(), Some("check.metric"));
    }
}

#[cfg(test)]
mod shared_names {
    use super::*;

    fn file(id: &str, op: &str) -> (String, String, String) {
        (
            format!("rules/{id}.toml"),
            id.to_string(),
            format!(
                "id = \"{id}\"\ntitle = \"t\"\nseverity = \"note\"\nscope = \"test\"\nhelp = \"h\"\n[[probe]]\nname = \"sleep\"\nsymbol = \"time.Sleep\"\n[[probe.where]]\narg = \"ns\"\nop = \"{op}\"\nvalue = 0\n[check]\nmetric = \"probe.sleep\"\nmax = 0\n"
            ),
        )
    }

    #[test]
    fn rules_share_a_probe_declared_alike_and_reject_one_declared_otherwise() {
        let set =
            build_set(vec![file("a", "<="), file("b", "<=")]).expect("the same probe, shared");
        assert_eq!(set.rules.len(), 2);
        let e = build_set(vec![file("a", "<="), file("b", ">")]).expect_err("two probes, one name");
        assert_eq!(e.field.as_deref(), Some("probe.name"));
        assert!(e.to_string().contains("rules/a.toml"), "{e}");
    }
}

/// No rule file panics the loader: built-in rules with a span replaced by
/// arbitrary text load or fail with an error naming the file.
#[cfg(test)]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn mutated_rule_files_load_or_name_the_file(
            which in 0..builtin::RULES.len(),
            at in 0.0f64..1.0,
            cut in 0usize..40,
            insert in "(-?[0-9]{1,20}(\\.[0-9]+)?|[a-z_.]{0,12}|\"[^\"]{0,8}\"|[\\[\\]{}=,\n #]){0,4}",
        ) {
            let (name, text) = builtin::RULES[which];
            let mut start = (text.len() as f64 * at) as usize;
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + cut).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let mutated = format!("{}{insert}{}", &text[..start], &text[end..]);
            let file = format!("rules/{name}");
            match build_set(vec![(file.clone(), file_stem(name), mutated)]) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.to_string().contains(&file), "{e}"),
            }
        }
    }
}
