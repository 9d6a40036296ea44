//! `gate explain RULE`: one rule's documentation, for a terminal.

use crate::cli::ExplainArgs;
use crate::error::{GateError, exit};
use crate::rules::{Rule, RuleSet, Scope};

pub fn explain(args: ExplainArgs) -> Result<i32, GateError> {
    let set = super::load_rules(&args.rules)?;
    if args.all {
        super::write_stdout(&reference(&set));
        return Ok(exit::OK);
    }
    let wanted = args.rule.as_deref().unwrap_or_default();
    let rule = set
        .get(wanted)
        .ok_or_else(|| GateError::Usage(unknown_rule(&set, wanted)))?;
    super::write_stdout(&render(rule));
    Ok(exit::OK)
}

/// How docs/rule-reference.md is made (the page says so; a test keeps it current).
pub const REFERENCE_COMMAND: &str = "cargo run -q -- explain --all > docs/rule-reference.md";

/// docs/rule-reference.md: every rule's `gate explain`, one section per rule id (the
/// heading is the anchor SARIF's `helpUri` points at), its help as Markdown.
fn reference(set: &RuleSet) -> String {
    let mut out = format!(
        "# Rule reference\n\nEvery rule of the catalog as `gate explain RULE` prints it, with its help.\nGenerated from the rule files: `{REFERENCE_COMMAND}`.\n"
    );
    for rule in &set.rules {
        let text = render(rule);
        // The fields and metrics, as in a terminal; the help, as Markdown.
        let fields = text
            .split_once("\n\n")
            .map_or("", |(_, rest)| rest)
            .split("\n\n")
            .take(2)
            .collect::<Vec<_>>()
            .join("\n\n");
        out.push_str(&format!(
            "\n## {}\n\n{}\n\n```text\n{}\n```\n\n{}\n",
            rule.id,
            rule.title,
            fields.trim_end(),
            rule.help.trim_end()
        ));
    }
    out
}

/// "no rule "x"; did you mean ...?", with the loaded ids.
fn unknown_rule(set: &RuleSet, wanted: &str) -> String {
    let close = closest_ids(set, wanted);
    let mut message = format!("no rule {wanted:?}");
    if close.is_empty() {
        message.push('.');
    } else {
        message.push_str(&format!("; did you mean {}?", close.join(" or ")));
    }
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    message.push_str(&format!(
        " Loaded rules: {}; `gate rules` lists them with their titles",
        ids.join(", ")
    ));
    message
}

/// Ids within a few edits of `wanted`, or containing it: the nearest ones.
fn closest_ids<'a>(set: &'a RuleSet, wanted: &str) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(usize, &str)> = set
        .rules
        .iter()
        .filter_map(|r| {
            let distance = strsim::levenshtein(&wanted, &r.id);
            let near = distance <= (r.id.len() / 3).max(2);
            let part = wanted.len() >= 3 && r.id.contains(&wanted);
            (near || part).then_some((distance, r.id.as_str()))
        })
        .collect();
    scored.sort();
    // Only the nearest: one typo away from one id is not a hint at another.
    let best = scored.first().map_or(0, |(d, _)| *d);
    scored
        .into_iter()
        .take_while(|(d, _)| *d <= best + 1)
        .take(3)
        .map(|(_, id)| id)
        .collect()
}

fn scope_words(scope: Scope) -> &'static str {
    match scope {
        Scope::Test => "test (checked for each Go test)",
        Scope::Binary => "binary (checked once per test binary)",
        Scope::Benchmark => "benchmark (checked for each benchmark, -test.bench)",
    }
}

fn render(rule: &Rule) -> String {
    let mut out = format!("{}: {}\n\n", rule.id, rule.title);
    let mut field = |name: &str, value: &str| {
        let mut lines = value.lines();
        out.push_str(&format!(
            "  {name:<9} {}\n",
            lines.next().unwrap_or_default()
        ));
        for line in lines {
            out.push_str(&format!("  {:<9} {line}\n", ""));
        }
    };
    if !rule.catalog.is_empty() {
        let items: Vec<String> = rule
            .catalog
            .iter()
            .map(|n| match super::item(*n) {
                Some(item) => format!("{n}  {}", item.title),
                None => n.to_string(),
            })
            .collect();
        field("catalog", &items.join("\n"));
    }
    field("severity", rule.severity.as_str());
    field("scope", scope_words(rule.scope));
    if rule.enabled {
        field("enabled", "by default");
    } else {
        field(
            "enabled",
            &format!("opt-in: turn it on with `gate run --enable {}`", rule.id),
        );
    }
    field("check", &rule.describe_check());
    if let Some(only_if) = &rule.only_if {
        field(
            "only if",
            &format!("{} {}", only_if.metric.name, only_if.describe()),
        );
    }
    for probe in &rule.probes {
        field(
            "probe",
            &format!("{}: {}", probe.metrics[0].name, probe.describe()),
        );
    }
    field("cost", &cost_of(rule));
    for output in &rule.outputs {
        field(
            "output",
            &format!(
                "{}: lines matching {}",
                output.metric.name,
                output.pattern.as_str()
            ),
        );
    }
    field("file", &rule.origin);

    out.push_str("\nMetrics\n");
    let mut seen = Vec::new();
    for m in rule.metrics() {
        if seen.contains(&m.name) {
            continue;
        }
        seen.push(m.name);
        let unit = match m.unit {
            "" => String::new(),
            unit => format!("{unit}, "),
        };
        out.push_str(&format!(
            "  {} ({unit}{})\n      {}\n",
            m.name,
            m.signal.describe(),
            m.description
        ));
    }
    out.push('\n');
    // The help is Markdown; a terminal shows it without the bold markers.
    out.push_str(&rule.help.replace("**", ""));
    out.push('\n');
    out
}

/// What turning the rule on costs the tests, from the prices per probe hit
/// measured in a VM (README, "Measured": bench/probe_cost.py and the probe
/// placement figures): an entry probe is an emulated trap plus the program
/// and its stack walk, about 3 µs a call; a probe read at a RET is
/// single-stepped, 16-25 µs a call.
fn cost_of(rule: &Rule) -> String {
    use crate::rules::probe::{Key, ProbeKind, display_symbol};
    let mut parts: Vec<String> = Vec::new();
    if !rule.build.is_empty() {
        let race = rule.build.iter().any(|f| f == "-race");
        parts.push(format!(
            "a second build of each package ({}) and a second run of its tests{}",
            rule.build.join(" "),
            if race {
                "; the race detector makes that run 2-20 times slower and use 5-10 times the memory (Go's documentation)"
            } else {
                ""
            }
        ));
    }
    for p in &rule.probes {
        let symbol = &display_symbol(&p.point.symbol);
        // `direct` call and keyed probes sit at the CALLs in your code; on
        // other kinds it only filters, and every call still traps.
        let calls = if p.direct && matches!(p.kind, ProbeKind::Call | ProbeKind::Keyed) {
            format!("call of {symbol} made directly by your code")
        } else {
            format!("call of {symbol}, the standard library's own calls included")
        };
        parts.push(match p.kind {
            ProbeKind::Call | ProbeKind::Keyed => format!("about 3 µs per {calls}"),
            // Read at the function's RETs: every call pays, whoever made it.
            ProbeKind::Result | ProbeKind::Duration => format!(
                "16-25 µs per call of {symbol} anywhere in the binary, the standard library's own calls included (read at its RETs, single-stepped)"
            ),
            ProbeKind::Lifecycle => {
                let at_ret = matches!(p.point.key, Key::Param { result: true, .. });
                let release = p
                    .release
                    .as_ref()
                    .map_or(String::new(), |r| format!(", about 3 µs per call of {}", display_symbol(&r.symbol)));
                format!(
                    "{} per {calls}{release}",
                    if at_ret { "16-25 µs" } else { "about 3 µs" }
                )
            }
            ProbeKind::Syscall => format!(
                "about 0.1 µs per system call of the test binary (one tracepoint program shared by every syscall rule), for {symbol}"
            ),
            ProbeKind::Alloc => "every allocation sampled in a heap profile (-test.memprofilerate=1): about 1-4 µs per allocation".to_string(),
        });
    }
    if parts.is_empty() {
        return if rule.needs_ebpf() {
            "gate's built-in probes (README, \"Measured\": a goroutine about 8 µs, a timer 4 µs)"
                .to_string()
        } else {
            "none: it reads the test output and the GC trace".to_string()
        };
    }
    parts.dedup();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load_builtin;

    #[test]
    fn explains_an_opt_in_rule_with_its_items_metrics_and_help() {
        let set = load_builtin().expect("built-in rules load");
        let text = render(set.get("sync-pool-low-reuse").expect("built-in"));
        assert!(text.starts_with("sync-pool-low-reuse: "), "{text}");
        for part in [
            "  catalog   20  sync.Pool low reuse\n",
            "  severity  error\n",
            "opt-in: turn it on with `gate run --enable sync-pool-low-reuse`",
            "  check     pool.reuse_ratio >= 0.3",
            "\nMetrics\n  pool.reuse_ratio (eBPF sync.Pool)\n      1 - New/Get",
            "  pool.gets (calls, eBPF sync.Pool)\n",
            "What it checks. For every `sync.Pool`",
        ] {
            assert!(text.contains(part), "missing {part:?} in:\n{text}");
        }
        assert!(!text.contains("**"), "{text}");
    }

    #[test]
    fn says_what_turning_a_rule_on_costs_by_how_it_observes() {
        let set = load_builtin().expect("built-in rules load");
        let cost = |id: &str| {
            let text = render(set.get(id).expect("built-in"));
            text.lines()
                .find_map(|l| l.strip_prefix("  cost      "))
                .unwrap_or_else(|| panic!("no cost line in:\n{text}"))
                .to_string()
        };
        assert!(cost("sleep-nonpositive").starts_with("about 3 µs per call of "));
        assert!(cost("recovered-panic").contains("16-25 µs per call of runtime.gorecover"));
        assert!(cost("fieldsfunc-hot").contains("-test.memprofilerate=1"));
        assert!(cost("checkptr-violation").starts_with("a second build of each package"));
        assert!(cost("concurrent-map-writes").starts_with("none"));
        assert!(cost("goroutine-leak").starts_with("gate's built-in probes"));
    }

    #[test]
    fn lists_every_catalog_item_of_a_rule() {
        let set = load_builtin().expect("built-in rules load");
        let text = render(set.get("response-body-not-closed").expect("built-in"));
        assert!(
            text.contains("  catalog   42  http.Response.Body not closed\n            98  "),
            "{text}"
        );
        assert!(text.contains("  enabled   by default\n"), "{text}");
    }

    #[test]
    fn an_unknown_id_suggests_the_closest_ones() {
        let set = load_builtin().expect("built-in rules load");
        let e = unknown_rule(&set, "goroutine-leek");
        assert!(
            e.starts_with("no rule \"goroutine-leek\"; did you mean goroutine-leak?"),
            "{e}"
        );
        let e = unknown_rule(&set, "regression");
        assert!(
            e.contains("did you mean alloc-regression or bench-regression?"),
            "{e}"
        );
        let e = unknown_rule(&set, "xyzzy");
        assert!(
            e.starts_with("no rule \"xyzzy\". Loaded rules: ") && e.contains("alloc-budget, "),
            "{e}"
        );
    }
}
