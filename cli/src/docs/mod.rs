//! Documentation generated from the rules: `gate explain RULE` for a terminal,
//! `gate rules --markdown` for docs/checks.md. Reads rules and metrics only.

mod checks;
mod explain;

pub use checks::markdown;
pub use explain::explain;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::cli::RuleSource;
use crate::error::GateError;
use crate::rules::{CATALOG_ITEMS, RuleSet};

/// The checklist items 6 to 99: titles, and why some cannot be seen at runtime.
const CATALOG_TOML: &str = include_str!("../../../docs/catalog.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    item: Vec<Item>,
    /// Findings of default-on rules on the standard library's own test
    /// suites that are real instances of the anti-pattern in test code.
    #[serde(default)]
    suite_finding: Vec<SuiteFinding>,
}

/// A finding gate reports on a standard-library suite, and why it is right.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFinding {
    pub suite: String,
    pub rule: String,
    pub test: String,
    pub why: String,
}

/// docs/catalog.toml's suite findings, in file order.
pub fn suite_findings() -> &'static [SuiteFinding] {
    static FINDINGS: OnceLock<Vec<SuiteFinding>> = OnceLock::new();
    FINDINGS.get_or_init(|| {
        toml::from_str::<CatalogFile>(CATALOG_TOML)
            .map(|f| f.suite_finding)
            .unwrap_or_else(|e| panic!("docs/catalog.toml embedded in gate is invalid: {e}"))
    })
}

/// One checklist item of docs/catalog.toml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub number: u32,
    pub title: String,
    /// Only "not-observable"; every other status is derived from the rules.
    status: Option<String>,
    /// The runtime signal a rule for the item reads (observable items).
    pub signal: Option<String>,
    /// Why the item cannot be observed at runtime.
    pub reason: Option<String>,
    /// The static check (staticcheck, go vet, golangci-lint) that covers it instead, or "none: ...".
    pub static_check: Option<String>,
}

impl Item {
    pub fn observable(&self) -> bool {
        self.status.is_none()
    }
}

/// The items, in order, validated once.
pub fn catalog() -> &'static [Item] {
    static CATALOG: OnceLock<Vec<Item>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        parse_catalog(CATALOG_TOML)
            .unwrap_or_else(|e| panic!("docs/catalog.toml embedded in gate is invalid: {e}"))
    })
}

pub fn item(number: u32) -> Option<&'static Item> {
    catalog().iter().find(|i| i.number == number)
}

fn parse_catalog(text: &str) -> Result<Vec<Item>, String> {
    let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let numbers: Vec<u32> = file.item.iter().map(|i| i.number).collect();
    let expected: Vec<u32> = CATALOG_ITEMS.collect();
    if numbers != expected {
        return Err(format!(
            "items must be numbered {}..={} in order, once each; found {numbers:?}",
            CATALOG_ITEMS.start(),
            CATALOG_ITEMS.end()
        ));
    }
    for i in &file.item {
        let what = format!("item {}", i.number);
        if i.title.trim().is_empty() {
            return Err(format!("{what}: title is empty"));
        }
        match i.status.as_deref() {
            None if i.signal.is_none() => {
                return Err(format!(
                    "{what}: give the runtime signal (signal = \"...\") or status = \"not-observable\""
                ));
            }
            None if i.reason.is_some() || i.static_check.is_some() => {
                return Err(format!(
                    "{what}: reason and static_check belong to not-observable items"
                ));
            }
            None => {}
            Some("not-observable") if i.reason.is_none() || i.static_check.is_none() => {
                return Err(format!(
                    "{what}: a not-observable item needs reason and static_check"
                ));
            }
            Some("not-observable") if i.signal.is_some() => {
                return Err(format!("{what}: a not-observable item has no signal"));
            }
            Some("not-observable") => {}
            Some(other) => {
                return Err(format!(
                    "{what}: status {other:?} is not valid; only \"not-observable\" is written, \"enforced\" and \"planned\" are derived from the rules"
                ));
            }
        }
    }
    Ok(file.item)
}

/// The rules `--rules` names, or the built-in ones, with the configuration
/// applied (as `gate rules` loads them).
fn load_rules(source: &RuleSource) -> Result<RuleSet, GateError> {
    crate::load_rules(source)
}

/// The first sentence of a rule's help ("**What it checks.** ..."), on one line.
pub fn first_sentence(help: &str) -> String {
    let paragraph = help.split("\n\n").next().unwrap_or_default();
    let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text
        .strip_prefix("**What it checks.**")
        .map(str::trim_start)
        .unwrap_or(&text);
    let chars: Vec<char> = text.chars().collect();
    let (mut code, mut depth) = (false, 0i32);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '`' => code = !code,
            '(' if !code => depth += 1,
            ')' if !code => depth -= 1,
            '.' if !code && depth == 0 && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) => {
                return chars[..=i].iter().collect();
            }
            _ => {}
        }
    }
    // A paragraph that leads into a list ends with a colon.
    let text = text.trim_end_matches(':');
    format!("{text}.")
}

/// Writes to stdout; a closed pipe (`gate explain x | head`) is not an error.
fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_lists_every_item_once_and_the_eleven_not_observable() {
        let items = catalog();
        assert_eq!(items.len(), 94);
        let hidden: Vec<u32> = items
            .iter()
            .filter(|i| !i.observable())
            .map(|i| i.number)
            .collect();
        assert_eq!(hidden, [9, 21, 24, 34, 35, 52, 55, 59, 70, 81, 89]);
        for i in items.iter().filter(|i| !i.observable()) {
            let check = i.static_check.as_deref().unwrap_or_default();
            assert!(
                [
                    "staticcheck ",
                    "go vet ",
                    "golangci-lint ",
                    "none: code review; "
                ]
                .iter()
                .any(|p| check.starts_with(p)),
                "item {}: static_check {check:?} names no tool",
                i.number
            );
        }
    }

    #[test]
    fn a_bad_catalog_says_which_item_and_what_is_missing() {
        let item = |extra: &str| format!("[[item]]\nnumber = 6\ntitle = \"x\"\n{extra}\n");
        let e = parse_catalog(&item("signal = \"s\"")).unwrap_err();
        assert!(e.contains("numbered 6..=99"), "{e}");
        let mut all: String = (7..=99)
            .map(|n| format!("[[item]]\nnumber = {n}\ntitle = \"t\"\nsignal = \"s\"\n"))
            .collect();
        assert!(parse_catalog(&(item("signal = \"s\"") + &all)).is_ok());
        let e = parse_catalog(&(item("status = \"not-observable\"") + &all)).unwrap_err();
        assert!(
            e.contains("item 6: a not-observable item needs reason"),
            "{e}"
        );
        let e = parse_catalog(&(item("status = \"enforced\"") + &all)).unwrap_err();
        assert!(
            e.contains("item 6: status \"enforced\" is not valid"),
            "{e}"
        );
        all.push_str("colour = 1\n");
        assert!(parse_catalog(&(item("signal = \"s\"") + &all)).is_err());
    }

    #[test]
    fn every_builtin_catalog_number_is_an_observable_item() {
        let set = crate::rules::load_builtin().expect("built-in rules load");
        for rule in &set.rules {
            for n in &rule.catalog {
                let item = item(*n).expect("items 6..=99 exist");
                assert!(item.observable(), "{} names item {n}", rule.id);
            }
        }
    }

    #[test]
    fn first_sentence_skips_code_and_parentheses() {
        assert_eq!(
            first_sentence(
                "**What it checks.** Calls of `runtime.GC` (or\n`debug.X`.) made here. More.\n\nWhy."
            ),
            "Calls of `runtime.GC` (or `debug.X`.) made here."
        );
        assert_eq!(
            first_sentence(
                "**What it checks.** Every benchmark (`-test.bench .`) against its baseline:\n\n- a"
            ),
            "Every benchmark (`-test.bench .`) against its baseline."
        );
    }
}
