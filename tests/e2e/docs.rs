//! Documentation generated from the rules: `gate explain` and docs/checks.md.

use crate::support::{gate, repo_root, run};

const REGENERATE: &str = "cargo run -q -- rules --markdown > docs/checks.md";

/// The committed page equals what gate generates now, or the test says how
/// to regenerate it.
fn assert_current(page: &str, args: &[&str], regenerate: &str) {
    let r = run(gate().args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let committed = std::fs::read_to_string(repo_root().join(page)).unwrap_or_default();
    if committed != r.stdout {
        let first_difference = committed
            .lines()
            .zip(r.stdout.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "one is a prefix of the other".to_string(),
                |i| {
                    format!(
                        "line {}:\n  committed: {}\n  generated: {}",
                        i + 1,
                        committed.lines().nth(i).unwrap_or_default(),
                        r.stdout.lines().nth(i).unwrap_or_default()
                    )
                },
            );
        panic!(
            "{page} is stale: the rules or docs/catalog.toml changed. Regenerate it from the repository root with\n\n    {regenerate}\n\nfirst difference at {first_difference}"
        );
    }
    assert!(
        r.stdout.contains(regenerate),
        "the page says how to regenerate it"
    );
}

#[test]
fn checks_md_is_generated_from_the_rules_and_up_to_date() {
    assert_current("docs/checks.md", &["rules", "--markdown"], REGENERATE);
}

#[test]
fn the_rule_reference_is_generated_and_every_sarif_help_uri_lands_on_a_section() {
    assert_current(
        "docs/rule-reference.md",
        &["explain", "--all"],
        "cargo run -q -- explain --all > docs/rule-reference.md",
    );
    let page = std::fs::read_to_string(repo_root().join("docs/rule-reference.md"))
        .expect("docs/rule-reference.md");
    for id in crate::support::builtin_rule_ids() {
        assert!(
            page.contains(&format!("\n## {id}\n")),
            "docs/rule-reference.md has no section {id}"
        );
    }
}

#[test]
fn explain_documents_a_rule_from_a_rules_directory() {
    let r = run(gate().args(["explain", "--rules", "rules", "response-body-not-closed"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for part in [
        "response-body-not-closed: HTTP response body neither read to its end nor closed\n",
        "  catalog   42  http.Response.Body not closed\n",
        "  check     http.bodies_unclosed <= 0 bodies\n",
        "  file      rules/response-body-not-closed.toml\n",
        "  http.bodies_unclosed (bodies, eBPF net/http)\n",
        "How to fix. `defer resp.Body.Close()`",
    ] {
        assert!(
            r.stdout.contains(part),
            "missing {part:?} in:\n{}",
            r.stdout
        );
    }
}

#[test]
fn explain_of_an_unknown_rule_is_a_usage_error_with_suggestions() {
    let r = run(gate().args(["explain", "gc-paus-budget"]));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("no rule \"gc-paus-budget\"; did you mean gc-pause-budget?"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // --metrics and --markdown print different things: asking for both is a usage error.
    let r = run(gate().args(["rules", "--metrics", "--markdown"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}
