//! GitHub Actions output, written when gate runs in a workflow: a Markdown
//! job summary appended to `$GITHUB_STEP_SUMMARY` (kept under GitHub's 1 MiB
//! limit) and at most 10 `::error file=..,line=..::` annotations on stdout,
//! then one line counting the rest (GitHub shows only 10 per step anyway).

use std::fmt::Write as _;

use super::{Report, Violation};
use crate::rules::{Severity, fmt_num};
use crate::run::test_output::TestStatus;
use crate::target::Site;

/// GitHub rejects step summaries over 1 MiB; stay well below.
pub const SUMMARY_LIMIT: usize = 1_000_000;
pub const MAX_ANNOTATIONS: usize = 10;
/// Rows per table before the rest is counted.
const MAX_ROWS: usize = 200;

/// Appends the summary and prints the annotations where the environment asks for them.
pub fn publish(report: &Report) -> Result<(), crate::error::GateError> {
    if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") {
        for line in annotations(report) {
            println!("{line}");
        }
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        use std::io::Write as _;
        let path = std::path::PathBuf::from(path);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| {
                crate::error::GateError::io(
                    format!("cannot open GITHUB_STEP_SUMMARY {}", path.display()),
                    e,
                )
            })?;
        file.write_all(summary(report).as_bytes()).map_err(|e| {
            crate::error::GateError::io(
                format!("cannot write GITHUB_STEP_SUMMARY {}", path.display()),
                e,
            )
        })?;
    }
    Ok(())
}

/// One finding to annotate: a failed test or a violation.
struct Finding<'a> {
    severity: Severity,
    title: String,
    message: String,
    site: Option<&'a Site>,
}

fn findings(report: &Report) -> Vec<Finding<'_>> {
    let mut out = Vec::new();
    for b in &report.binaries {
        for t in b.tests.iter().filter(|t| t.status == TestStatus::Fail) {
            out.push(Finding {
                severity: Severity::Error,
                title: format!("{} failed", t.name),
                message: t
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("{} {} failed", b.package, t.name)),
                site: t.site.as_ref(),
            });
        }
        for v in &b.violations {
            out.push(Finding {
                severity: v.severity,
                title: format!("gate {}", v.rule),
                message: v.message.clone(),
                site: v.site.as_ref(),
            });
        }
    }
    // Errors first: they are why the build is red.
    out.sort_by_key(|f| f.severity);
    out
}

/// Workflow commands: at most MAX_ANNOTATIONS findings, then a count of the rest.
pub fn annotations(report: &Report) -> Vec<String> {
    let all = findings(report);
    let mut lines: Vec<String> = all
        .iter()
        .take(MAX_ANNOTATIONS)
        .map(|f| {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let mut props = Vec::new();
            if let Some(site) = f.site {
                props.push(format!("file={}", escape_property(&site.file)));
                props.push(format!("line={}", site.line));
            }
            props.push(format!("title={}", escape_property(&f.title)));
            format!(
                "::{command} {}::{}",
                props.join(","),
                escape_data(&f.message)
            )
        })
        .collect();
    if all.len() > MAX_ANNOTATIONS {
        lines.push(format!(
            "::notice title=gate::{} more findings not annotated; see the job summary and the JUnit and SARIF reports",
            all.len() - MAX_ANNOTATIONS
        ));
    }
    lines
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn site_text(site: Option<&Site>) -> String {
    site.map(|s| format!("`{}:{}`", s.file, s.line))
        .unwrap_or_default()
}

/// The Markdown job summary, cut to SUMMARY_LIMIT bytes at a line boundary.
pub fn summary(report: &Report) -> String {
    let mut md = String::new();
    let verdict = if report.passed() {
        "✅ PASS"
    } else {
        "❌ FAIL"
    };
    let _ = writeln!(md, "## gate: {verdict}\n");
    let _ = writeln!(
        md,
        "{}\n",
        super::terminal::verdict(report).trim_start_matches("gate: ")
    );

    let failed: Vec<_> = report
        .binaries
        .iter()
        .flat_map(|b| b.tests.iter().map(move |t| (b, t)))
        .filter(|(_, t)| t.status == TestStatus::Fail)
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            md,
            "### Failed tests\n\n| Package | Test | Site | Why |\n|---|---|---|---|"
        );
        for (b, t) in failed.iter().take(MAX_ROWS) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                cell(&b.package),
                cell(&t.name),
                site_text(t.site.as_ref()),
                cell(t.message.as_deref().unwrap_or("failed"))
            );
        }
        more(&mut md, failed.len());
    }

    let violations: Vec<&Violation> = report.binaries.iter().flat_map(|b| &b.violations).collect();
    let (regressions, limits): (Vec<&Violation>, Vec<&Violation>) =
        violations.iter().partition(|v| v.regression.is_some());
    if !limits.is_empty() {
        let _ = writeln!(
            md,
            "### Findings\n\n| Rule | Severity | Test | Site | Finding |\n|---|---|---|---|---|"
        );
        for v in limits.iter().take(MAX_ROWS) {
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} |",
                v.rule,
                v.severity.as_str(),
                cell(v.test.as_deref().unwrap_or("(binary)")),
                site_text(v.site.as_ref()),
                cell(&v.message)
            );
        }
        more(&mut md, limits.len());
    }
    if !regressions.is_empty() {
        let _ = writeln!(
            md,
            "### Regressions against the baseline\n\n| Rule | Test or benchmark | Metric | Baseline | Now | Change | Site |\n|---|---|---|---|---|---|---|"
        );
        for v in regressions.iter().take(MAX_ROWS) {
            let Some(c) = &v.regression else { continue };
            let change = c
                .change
                .map(|x| format!("{:+.1}%", x * 100.0))
                .unwrap_or_else(|| "from 0".into());
            let _ = writeln!(
                md,
                "| `{}` | {} | `{}` | {} | {} | {change} | {} |",
                v.rule,
                cell(v.test.as_deref().unwrap_or("(binary)")),
                v.metric,
                fmt_num(c.baseline),
                fmt_num(c.current),
                site_text(v.site.as_ref())
            );
        }
        more(&mut md, regressions.len());
    }
    let warnings: Vec<(&str, &String)> = report
        .binaries
        .iter()
        .flat_map(|b| b.warnings.iter().map(move |w| (b.package.as_str(), w)))
        .collect();
    if !warnings.is_empty() {
        let _ = writeln!(md, "### Warnings\n");
        for (package, w) in warnings.iter().take(MAX_ROWS) {
            let _ = writeln!(md, "- `{package}`: {}", w.replace('\n', " "));
        }
        more(&mut md, warnings.len());
    }
    truncate(md)
}

fn more(md: &mut String, total: usize) {
    if total > MAX_ROWS {
        let _ = writeln!(
            md,
            "\n… and {} more (see the JSON report)",
            total - MAX_ROWS
        );
    }
    md.push('\n');
}

fn truncate(md: String) -> String {
    if md.len() <= SUMMARY_LIMIT {
        return md;
    }
    const NOTE: &str = "\n\n… summary cut at GitHub's size limit; the JSON, JUnit and SARIF reports have everything.\n";
    let mut end = SUMMARY_LIMIT - NOTE.len();
    while !md.is_char_boundary(end) {
        end -= 1;
    }
    let end = md[..end].rfind('\n').unwrap_or(end);
    format!("{}{NOTE}", &md[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    /// A report with `n` leak findings and one warning, in the JSON contract's shape.
    fn report_with_findings(n: usize) -> Report {
        let mut violations: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                serde_json::json!({"rule": "goroutine-leak", "test": "TestA", "severity": "error",
                    "message": format!("leak {i}: 100% stuck, on a channel"), "metric": "goroutines.leaked",
                    "value": 1.0, "limit": "<= 0",
                    "site": {"file": "a, b_test.go", "line": i + 1, "function": "f"}})
            })
            .collect();
        violations.insert(
            0,
            serde_json::json!({"rule": "ticker-not-stopped", "test": "TestA",
            "severity": "warning", "message": "a ticker", "metric": "timers.tickers_unstopped",
            "value": 1.0, "limit": "<= 0", "site": null}),
        );
        serde_json::from_value(
            serde_json::json!({"version": 1, "gate_version": "t", "binaries": [{
            "path": "p", "package": "example.com/p", "go_version": "go1.26", "tests": [],
            "metrics": {"binary": {}, "tests": {}}, "violations": violations, "checks": [],
            "exit": "exit status 1", "wall_s": 1.0, "warnings": []}]}),
        )
        .expect("a report")
    }

    #[test]
    fn at_most_ten_annotations_errors_first_then_a_count() {
        let lines = annotations(&report_with_findings(12));
        assert_eq!(lines.len(), MAX_ANNOTATIONS + 1);
        assert!(
            lines[..10]
                .iter()
                .all(|l| l.starts_with("::error file=a%2C b_test.go,line="))
        );
        assert_eq!(
            lines[0],
            "::error file=a%2C b_test.go,line=1,title=gate goroutine-leak::leak 0: 100%25 stuck, on a channel"
        );
        assert!(
            lines[10].contains("3 more findings not annotated"),
            "{}",
            lines[10]
        );
        // Few findings: all annotated, the warning too, no count line.
        let lines = annotations(&report_with_findings(2));
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[2],
            "::warning title=gate ticker-not-stopped::a ticker"
        );
    }

    #[test]
    fn the_summary_names_verdict_findings_and_sites() {
        let md = summary(&report_with_findings(2));
        assert!(md.starts_with("## gate: ❌ FAIL\n"), "{md}");
        assert!(
            md.contains("| `goroutine-leak` | error | TestA | `a, b_test.go:2` |"),
            "{md}"
        );
    }

    #[test]
    fn a_long_summary_is_cut_below_the_limit_at_a_line() {
        let md: String = (0..100_000).map(|i| format!("| row {i} |\n")).collect();
        let cut = truncate(md);
        assert!(cut.len() <= SUMMARY_LIMIT);
        assert!(cut.ends_with("have everything.\n"));
        assert!(cut.contains("| row 1 |\n"));
    }
}
