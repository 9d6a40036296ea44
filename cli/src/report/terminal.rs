//! The terminal summary: failed tests' output (like gotestsum), a table of
//! checks with value, limit, status and site (findings first), benchmarks
//! with their figures and change from the baseline, and a one-line verdict.
//! Coloured only on a terminal and without `NO_COLOR`.

use std::fmt::Write as _;

use super::Report;
use crate::check::CheckStatus;
use crate::rules::{Severity, fmt_num};
use crate::run::test_output::TestStatus;

/// How the summary is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// List every passing check (`-v`).
    pub show_passing: bool,
    /// ANSI colours: a terminal, and no `NO_COLOR`.
    pub colour: bool,
}

impl Style {
    /// Colour when `stream` is a terminal and `NO_COLOR` is unset or empty.
    pub fn for_stream(show_passing: bool, stream_is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            show_passing,
            colour: stream_is_terminal && !no_color,
        }
    }

    fn paint(self, text: &str, status: &str) -> String {
        let code = match status.trim() {
            "FAIL" => "31;1",
            "WARNING" => "33",
            "NOTE" => "36",
            "pass" => "32",
            _ => return text.to_string(),
        };
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Rows under a header, columns padded to their widest cell; the cell in
/// column `status` (if any) coloured by its text.
fn table<const N: usize>(
    out: &mut String,
    header: [&str; N],
    rows: &[[String; N]],
    status: Option<usize>,
    style: Style,
) {
    let header = header.map(String::from);
    let mut widths = [0usize; N];
    for row in std::iter::once(&header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for (i, row) in std::iter::once(&header).chain(rows).enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(col, (c, w))| {
                let padded = format!("{c:<w$}");
                if i > 0 && Some(col) == status {
                    style.paint(&padded, c)
                } else {
                    padded
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
}

/// The terminal's account of a run.
pub fn render(report: &Report, style: Style) -> String {
    let show_passing = style.show_passing;
    let mut out = String::new();
    for binary in &report.binaries {
        let failed: Vec<_> = binary
            .tests
            .iter()
            .filter(|t| t.status == TestStatus::Fail)
            .collect();
        for test in &failed {
            let _ = writeln!(
                out,
                "\n{} {} {}",
                style.paint("=== FAIL", "FAIL"),
                binary.package,
                test.name
            );
            if let Some(m) = &test.message {
                let _ = writeln!(out, "gate: {m}");
            }
            for line in &test.output {
                let _ = writeln!(out, "{line}");
            }
        }
        for w in &binary.warnings {
            let _ = writeln!(out, "gate: warning: {w}");
        }
    }
    findings_by_package(&mut out, report, style);

    // Findings first (errors, then warnings, then notes), then what passed;
    // rules skipped without eBPF are named once, not once per test.
    let mut findings: Vec<(u8, [String; 6])> = Vec::new();
    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut skipped: Vec<&str> = Vec::new();
    let mut passing = 0;
    for binary in &report.binaries {
        for check in &binary.checks {
            let violation = binary.violations.iter().find(|v| check.owns(v));
            let status = match violation {
                Some(v) if v.severity == Severity::Error => "FAIL".to_string(),
                Some(v) => v.severity.as_str().to_uppercase(),
                None => check.status.as_str().to_string(),
            };
            if violation.is_none() && check.status == CheckStatus::Skipped {
                if !skipped.contains(&check.rule.as_str()) {
                    skipped.push(&check.rule);
                }
                continue;
            }
            if violation.is_none() {
                passing += 1;
                // Passing checks are a count; `-v` lists them.
                if !show_passing {
                    continue;
                }
            }
            let site = violation
                .and_then(|v| v.site.as_ref())
                .map(|s| format!("{}:{}", s.file, s.line))
                .unwrap_or_default();
            let row = [
                check.rule.clone(),
                check
                    .test
                    .clone()
                    .unwrap_or_else(|| format!("[binary] {}", short(&binary.package))),
                match &check.regression {
                    // A comparison shows where the figure came from and where it went.
                    Some(c) => format!(
                        "{} -> {}{}",
                        fmt_num(c.baseline),
                        fmt_num(c.current),
                        c.change
                            .map(|x| format!(" ({:+.1}%)", x * 100.0))
                            .unwrap_or_default()
                    ),
                    None => check.value.map_or("-".into(), fmt_num),
                },
                check.limit.clone(),
                status,
                site,
            ];
            match violation {
                Some(v) => findings.push((severity_rank(v.severity), row)),
                None => rows.push(row),
            }
        }
    }
    // A stable sort keeps each severity's findings in package and test order.
    findings.sort_by_key(|(rank, _)| *rank);
    let rows: Vec<[String; 6]> = findings
        .into_iter()
        .map(|(_, row)| row)
        .chain(rows)
        .collect();
    // The table of checks: with -v every one; else the findings' rows.
    if !rows.is_empty() {
        out.push('\n');
        table(
            &mut out,
            ["RULE", "SCOPE", "VALUE", "LIMIT", "STATUS", "SITE"],
            &rows,
            Some(4),
            style,
        );
    }
    if passing > 0 && !show_passing {
        let _ = writeln!(
            out,
            "gate: {} passed or had nothing to judge (-v lists every check, as does --json)",
            plural(passing, "check", "checks")
        );
    }
    benchmarks(&mut out, report, style);
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "gate: {} skipped: the eBPF engine did not run (--no-ebpf): {}",
            plural(skipped.len(), "rule", "rules"),
            skipped.join(", ")
        );
    }
    out.push('\n');
    out.push_str(&verdict(report));
    out.push('\n');
    out
}

/// Every finding with its detail, grouped by package and test: where the
/// object was made or the call was, and what it is (a goroutine's entry
/// function and what it waits on, a ticker's period, a regression's figures).
fn findings_by_package(out: &mut String, report: &Report, style: Style) {
    for binary in &report.binaries {
        if binary.violations.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", binary.package);
        let mut tests: Vec<Option<&str>> = Vec::new();
        for v in &binary.violations {
            if !tests.contains(&v.test.as_deref()) {
                tests.push(v.test.as_deref());
            }
        }
        for test in tests {
            let _ = writeln!(out, "  {}", test.unwrap_or("[the test binary]"));
            let mut found: Vec<&super::Violation> = binary
                .violations
                .iter()
                .filter(|v| v.test.as_deref() == test)
                .collect();
            found.sort_by_key(|v| severity_rank(v.severity));
            for v in found {
                let word = match v.severity {
                    Severity::Error => "FAIL".to_string(),
                    other => other.as_str().to_uppercase(),
                };
                let site = v
                    .site
                    .as_ref()
                    .map(|s| format!("{}:{}: ", s.file, s.line))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {} {} {site}{}",
                    style.paint(&format!("{word:<7}"), &word),
                    v.rule,
                    v.message
                );
            }
        }
    }
}

/// Benchmarks with ns/op, B/op and allocs/op, and their change from the
/// baseline where one was compared.
fn benchmarks(out: &mut String, report: &Report, style: Style) {
    let mut rows: Vec<[String; 5]> = Vec::new();
    for binary in &report.binaries {
        for b in &binary.benchmarks {
            let figures = binary.metrics.benchmarks.get(&b.name);
            let figure = |unit: &str| {
                figures
                    .and_then(|m| m.get(&format!("bench.{unit}")))
                    .map_or("-".to_string(), |v| fmt_num(*v))
            };
            let changes: Vec<String> = binary
                .checks
                .iter()
                .filter(|c| c.test.as_deref() == Some(b.name.as_str()))
                .filter_map(|c| {
                    let r = c.regression.as_ref()?;
                    let metric = c.metric.strip_prefix("bench.").unwrap_or(&c.metric);
                    Some(match r.change {
                        Some(x) => format!(
                            "{metric} {} -> {} ({:+.1}%)",
                            fmt_num(r.baseline),
                            fmt_num(r.current),
                            x * 100.0
                        ),
                        None => format!("{metric}: {}", c.status.as_str()),
                    })
                })
                .collect();
            rows.push([
                b.name.clone(),
                figure("ns/op"),
                figure("B/op"),
                figure("allocs/op"),
                changes.join("; "),
            ]);
        }
    }
    if rows.is_empty() {
        return;
    }
    out.push('\n');
    table(
        out,
        [
            "BENCHMARK",
            "NS/OP",
            "B/OP",
            "ALLOCS/OP",
            "AGAINST THE BASELINE",
        ],
        &rows,
        None,
        style,
    );
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        _ => 2,
    }
}

fn short(package: &str) -> &str {
    package.rsplit('/').next().unwrap_or(package)
}

pub fn verdict(report: &Report) -> String {
    let tests: Vec<_> = report.binaries.iter().flat_map(|b| &b.tests).collect();
    let count = |s: TestStatus| tests.iter().filter(|t| t.status == s).count();
    let checks: usize = report.binaries.iter().map(|b| b.checks.len()).sum();
    let violations: Vec<_> = report.binaries.iter().flat_map(|b| &b.violations).collect();
    let errors = violations
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .count();
    let others = violations.len() - errors;
    let word = if report.passed() { "PASS" } else { "FAIL" };
    let mut line = format!(
        "gate: {word}: {}, tests {} passed, {} failed, {} skipped; checks {} run, {} failed",
        plural(report.binaries.len(), "binary", "binaries"),
        count(TestStatus::Pass),
        count(TestStatus::Fail),
        count(TestStatus::Skip),
        checks,
        errors
    );
    if others > 0 {
        let _ = write!(
            line,
            ", {}",
            plural(others, "warning/note", "warnings/notes")
        );
    }
    line
}

/// `1 binary`, `2 binaries`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
