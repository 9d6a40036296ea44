//! `gate rules --markdown`: docs/checks.md, the checklist items against the rules.

use std::fmt::Write as _;

use super::Item;
use crate::cli::RulesArgs;
use crate::error::{GateError, exit};
use crate::rules::metrics::Signal;
use crate::rules::probe::display_symbol;
use crate::rules::{Rule, RuleSet};

/// The command that regenerates docs/checks.md; the staleness test prints it.
pub const REGENERATE: &str = "cargo run -q -- rules --markdown > docs/checks.md";

pub fn markdown(args: RulesArgs) -> Result<i32, GateError> {
    let set = super::load_rules(&args.rules)?;
    let source = if args.rules.rules.is_empty() {
        "the built-in rules (`rules/*.toml`)".to_string()
    } else {
        let paths: Vec<String> = args
            .rules
            .rules
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        format!("the rules in {}", paths.join(", "))
    };
    super::write_stdout(&render(&set, super::catalog(), &source));
    Ok(exit::OK)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// A rule that runs by default reports it as a warning or an error.
    Enforced,
    /// Only rules a team enables (`--enable`) check it.
    OptIn,
    /// Rules run by default, as notes only: the signal is weak.
    Note,
    Planned,
    NotObservable,
}

impl Status {
    fn of(item: &Item, rules: &[&Rule]) -> Status {
        let default_on = || rules.iter().filter(|r| r.enabled);
        if default_on().any(|r| r.severity != crate::rules::Severity::Note) {
            Status::Enforced
        } else if default_on().next().is_some() {
            Status::Note
        } else if !rules.is_empty() {
            Status::OptIn
        } else if item.observable() {
            Status::Planned
        } else {
            Status::NotObservable
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Status::Enforced => "enforced",
            Status::OptIn => "enforced (opt-in)",
            Status::Note => "note",
            Status::Planned => "planned",
            Status::NotObservable => "not observable",
        }
    }
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn code(text: &str) -> String {
    format!("`{}`", cell(text))
}

/// Where a rule's figures come from: "eBPF goroutines, per test".
fn signal_of(rule: &Rule) -> String {
    let mut signals: Vec<String> = Vec::new();
    for m in rule.metrics() {
        let text = match m.signal {
            Signal::Probe => rule
                .probes
                .iter()
                .find(|p| p.metrics.iter().any(|pm| pm.name == m.name))
                .map(|p| {
                    format!(
                        "eBPF {} `{}`",
                        p.kind.as_str(),
                        display_symbol(&p.point.symbol)
                    )
                })
                .unwrap_or_else(|| m.signal.describe().to_string()),
            Signal::TestOutput if m.name.starts_with("output.") => {
                "test output pattern".to_string()
            }
            _ => m.signal.describe().to_string(),
        };
        if !signals.contains(&text) {
            signals.push(text);
        }
    }
    format!("{}, per {}", signals.join(" + "), rule.scope.as_str())
}

/// The check with its condition: "`gc.cpu_percent <= 30 %` where `test.duration_s >= 0.5 s`".
fn limit_of(rule: &Rule) -> String {
    let mut parts: Vec<String> = rule
        .check
        .iter()
        .map(|c| code(&format!("{} {}", c.metric.name, c.describe())))
        .collect();
    if let (Some(first), Some(only_if)) = (parts.first_mut(), &rule.only_if) {
        first.push_str(&format!(
            " where {}",
            code(&format!("{} {}", only_if.metric.name, only_if.describe()))
        ));
    }
    parts.extend(
        rule.regressions
            .iter()
            .map(|r| code(&format!("{} {}", r.metric.name, r.describe()))),
    );
    parts.join("<br>")
}

fn severity_of(rule: &Rule) -> String {
    if rule.enabled {
        rule.severity.as_str().to_string()
    } else {
        format!("{}, opt-in: `--enable {}`", rule.severity.as_str(), rule.id)
    }
}

fn render(set: &RuleSet, catalog: &[Item], source: &str) -> String {
    let rules_of = |n: u32| -> Vec<&Rule> {
        set.rules
            .iter()
            .filter(|r| r.catalog.contains(&n))
            .collect()
    };
    let statuses: Vec<Status> = catalog
        .iter()
        .map(|i| Status::of(i, &rules_of(i.number)))
        .collect();
    let count = |s: Status| statuses.iter().filter(|&&t| t == s).count();

    let mut out = String::new();
    let _ = write!(
        out,
        "# Checks\n\n\
<!-- Generated from {source} and docs/catalog.toml by `gate rules --markdown`; do not edit.\n     \
Regenerate with: {REGENERATE} -->\n\n\
gate's rules against the items {first} to {last} of the Go performance checklist that the\n\
rules' `catalog` field refers to. For each item: the rule that enforces it, what the rule\n\
reads and its default limit; or, for an item no rule covers yet, the runtime signal a rule\n\
for it will read; or, for an item no runtime signal can show, why not and the static check\n\
that covers it instead. `gate explain RULE` prints a rule's full documentation.\n\n\
Of {total} items: {enforced} enforced by default (warning or error), {opt_in} enforced by \
opt-in rules, {notes} checked by default as notes (a weak signal), {planned} planned, {hidden} \
not observable at runtime.\n\n",
        first = catalog.first().map_or(0, |i| i.number),
        last = catalog.last().map_or(0, |i| i.number),
        total = catalog.len(),
        enforced = count(Status::Enforced),
        opt_in = count(Status::OptIn),
        notes = count(Status::Note),
        planned = count(Status::Planned),
        hidden = count(Status::NotObservable),
    );

    out.push_str("## Items\n\n");
    out.push_str(
        "| item | title | status | rule | signal | default limit | severity | what it sees |\n",
    );
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (item, status) in catalog.iter().zip(&statuses) {
        let rules = rules_of(item.number);
        let join = |f: &dyn Fn(&Rule) -> String| -> String {
            rules.iter().map(|r| f(r)).collect::<Vec<_>>().join("<br>")
        };
        let (signal, sees) = match status {
            Status::Enforced | Status::OptIn | Status::Note => (
                join(&signal_of),
                join(&|r| cell(&super::first_sentence(&r.help))),
            ),
            Status::Planned => (
                cell(item.signal.as_deref().unwrap_or_default()),
                String::new(),
            ),
            Status::NotObservable => (
                String::new(),
                "see [not observable at runtime](#not-observable-at-runtime)".to_string(),
            ),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            item.number,
            cell(&item.title),
            status.as_str(),
            join(&|r| code(&r.id)),
            signal,
            join(&limit_of),
            join(&severity_of),
            sees
        );
    }

    out.push_str(
        "\n## Not observable at runtime\n\n\
These items leave no trace a probe, the GC trace or the test output can see; a static\n\
check (or code review) is the place to catch them.\n\n",
    );
    out.push_str("| item | title | why not | static check |\n| --- | --- | --- | --- |\n");
    for item in catalog.iter().filter(|i| !i.observable()) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            item.number,
            cell(&item.title),
            cell(item.reason.as_deref().unwrap_or_default()),
            cell(item.static_check.as_deref().unwrap_or_default())
        );
    }

    let findings = super::suite_findings();
    if !findings.is_empty() {
        out.push_str(
            "\n## On the standard library's own test suites\n\n\
gate with the default rules on the suites of `encoding/json`, `strings`, `bufio`, `os`, `io`,\n\
`context`, `net/http` and `os/exec` (`go test -c`, then `gate run --json r.json ./x.test --\n\
-test.short` from the package's directory, Go 1.26) reports these findings, each a real\n\
instance of the anti-pattern in the suite's own test code, by a rule that counts test code\n\
(`code = \"any\"`). No rule that judges only code under test reports anything there.\n\n",
        );
        out.push_str("| suite | rule | test | why it is right |\n| --- | --- | --- | --- |\n");
        for f in findings {
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} |",
                cell(&f.suite),
                code(&f.rule),
                cell(&f.test),
                cell(&f.why)
            );
        }
    }

    let uncatalogued: Vec<&Rule> = set.rules.iter().filter(|r| r.catalog.is_empty()).collect();
    if !uncatalogued.is_empty() {
        out.push_str(
            "\n## Rules without a catalog item\n\n\
Budgets and regression checks that no single checklist item asks for.\n\n",
        );
        out.push_str("| rule | title | signal | default limit | severity | what it sees |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for rule in uncatalogued {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                code(&rule.id),
                cell(&rule.title),
                signal_of(rule),
                limit_of(rule),
                severity_of(rule),
                cell(&super::first_sentence(&rule.help))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load_builtin;

    fn builtin_page() -> String {
        let set = load_builtin().expect("built-in rules load");
        render(&set, super::super::catalog(), "the built-in rules")
    }

    fn row(page: &str, item: u32) -> String {
        page.lines()
            .find(|l| l.starts_with(&format!("| {item} | ")))
            .unwrap_or_else(|| panic!("no row for item {item}"))
            .to_string()
    }

    #[test]
    fn enforced_items_show_their_rules_limits_and_what_they_see() {
        let page = builtin_page();
        let r = row(&page, 6);
        assert!(
            r.starts_with("| 6 | Goroutine leak | enforced | `goroutine-leak`<br>`goroutine-lingering` | eBPF goroutines, per test<br>"),
            "{r}"
        );
        assert!(r.contains("`goroutines.leaked <= 0 goroutines`<br>"), "{r}");
        assert!(
            r.contains("| error<br>note | Goroutines started during a test,"),
            "{r}"
        );
        let r = row(&page, 29);
        assert!(r.contains("where `test.duration_s >= 0.5 s`"), "{r}");
        let r = row(&page, 20);
        assert!(
            r.contains("error, opt-in: `--enable sync-pool-low-reuse`"),
            "{r}"
        );
        let r = row(&page, 33);
        assert!(r.contains("| enforced | `request-body-unread` |"), "{r}");
        let r = row(&page, 42);
        assert!(
            r.contains(
                "| enforced | `response-body-not-closed`<br>`response-body-read-not-closed` |"
            ),
            "{r}"
        );
    }

    #[test]
    fn planned_and_hidden_items_say_what_will_see_them_or_why_nothing_can() {
        // Every item has a rule today: without context-too-deep, item 27 is
        // planned, and names the signal that will see it, and no rule.
        let mut set = load_builtin().expect("built-in rules load");
        set.rules.retain(|r| r.id != "context-too-deep");
        let page = render(&set, super::super::catalog(), "the built-in rules");
        let planned: Vec<&str> = page.lines().filter(|l| l.contains("| planned |")).collect();
        assert_eq!(planned.len(), 1, "{page}");
        assert!(planned[0].starts_with("| 27 |"), "{page}");
        assert!(page.contains(" 1 planned, "), "{page}");
        for r in planned {
            let unescaped = r.replace("\\|", "/");
            let cells: Vec<&str> = unescaped.split('|').map(str::trim).collect();
            // | item | title | status | rules | signal | limit | severity | sees |
            assert!(cells[4].is_empty() && !cells[5].is_empty(), "{r}");
        }
        let r = row(&page, 59);
        assert!(r.contains("| not observable |"), "{r}");
        let hidden = page
            .split("## Not observable at runtime")
            .nth(1)
            .expect("a not-observable section");
        let r = row(hidden, 59);
        assert!(r.ends_with("| staticcheck SA1008 |"), "{r}");
        // Pipes inside a cell are escaped, or the table breaks.
        assert!(row(&page, 36).contains("O_CREATE\\|O_TRUNC"));
    }

    #[test]
    fn rules_without_an_item_have_their_own_section() {
        let page = builtin_page();
        let section = page
            .split("## Rules without a catalog item")
            .nth(1)
            .expect("the section");
        for id in ["alloc-budget", "alloc-regression", "bench-regression"] {
            assert!(section.contains(&format!("| `{id}` |")), "{id}");
        }
        assert!(!section.contains("`goroutine-leak`"));
        assert!(page.contains("Of 94 items: "));
    }
}
