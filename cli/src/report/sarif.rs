//! The `--sarif` report: SARIF 2.1.0 for GitHub code scanning. One run; the
//! rule descriptors come from the rule files; every result has a relative
//! location and a `primaryLocationLineHash` fingerprint.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run, RunAutomationDetails,
    Sarif, Tool, ToolComponent,
};

use super::Report;
use crate::check::CheckStatus;
use crate::error::GateError;
use crate::rules::{Rule, RuleSet, Severity};
use crate::target::Site;

const INFORMATION_URI: &str = "https://github.com/gate-dev/gate";
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let mut tags = vec![
        "performance".to_string(),
        "go".to_string(),
        format!("scope:{}", rule.scope.as_str()),
    ];
    tags.extend(rule.catalog.iter().map(|n| format!("catalog:{n}")));
    let help_text = format!("{}\n\nChecks: {}.", rule.help, rule.describe_check());
    ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(to_pascal(&rule.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.title.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(format!(
                    "{} ({} per {}).",
                    rule.title,
                    rule.describe_check(),
                    rule.scope.as_str()
                ))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(help_text.clone())
                .markdown(help_text)
                .build(),
        )
        .help_uri(format!(
            "{INFORMATION_URI}/blob/main/rules/{}.toml",
            rule.id
        ))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level(rule.severity)))
                .build(),
        )
        .properties(PropertyBag::builder().tags(tags).build())
        .build()
}

/// `gc-pause-budget` -> `GcPauseBudget` (SARIF rule names are identifiers).
fn to_pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// 64-bit FNV-1a, stable across platforms and releases (std's hasher is not).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

/// Like GitHub's own: a hash of the flagged line's text (whitespace-insensitive) and an occurrence counter.
fn line_hash(root: &Path, site: &Site, rule: &str, counters: &mut HashMap<u64, u32>) -> String {
    let content = std::fs::read_to_string(root.join(&site.file))
        .ok()
        .and_then(|text| {
            text.lines()
                .nth(site.line.saturating_sub(1) as usize)
                .map(str::to_string)
        })
        .unwrap_or_else(|| format!("{}:{}", site.file, site.function));
    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    let hash = fnv1a(&format!("{rule}\u{0}{compact}"));
    let n = counters.entry(hash).or_insert(0);
    *n += 1;
    format!("{hash:016x}:{n}")
}

pub fn render(report: &Report, rules: &RuleSet, root: &Path) -> Result<String, GateError> {
    let mut results = Vec::new();
    let mut counters = HashMap::new();
    for binary in &report.binaries {
        for v in &binary.violations {
            let Some(rule) = rules.get(&v.rule) else {
                continue;
            };
            let fallback = Site {
                file: binary.path.clone(),
                line: 1,
                function: binary.package.clone(),
            };
            let site = v
                .site
                .as_ref()
                .or_else(|| binary.anchor_site())
                .unwrap_or(&fallback);
            let scope = match &v.test {
                Some(t) => format!("test {t}"),
                None => format!("test binary of {}", binary.package),
            };
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(
                            ArtifactLocation::builder()
                                .uri(site.file.clone())
                                .uri_base_id("%SRCROOT%")
                                .build(),
                        )
                        .region(
                            Region::builder()
                                .start_line(i64::from(site.line.max(1)))
                                .build(),
                        )
                        .build(),
                )
                .build();
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(
                "primaryLocationLineHash".to_string(),
                line_hash(root, site, &rule.id, &mut counters),
            );
            let mut props = BTreeMap::new();
            props.insert("metric".to_string(), serde_json::json!(v.metric));
            props.insert("value".to_string(), serde_json::json!(v.value));
            props.insert("limit".to_string(), serde_json::json!(v.limit));
            props.insert("package".to_string(), serde_json::json!(binary.package));
            if let Some(t) = &v.test {
                props.insert("test".to_string(), serde_json::json!(t));
            }
            results.push(
                SarifResult::builder()
                    .rule_id(rule.id.clone())
                    .level(match v.severity {
                        Severity::Error => ResultLevel::Error,
                        Severity::Warning => ResultLevel::Warning,
                        Severity::Note => ResultLevel::Note,
                    })
                    .message(
                        Message::builder()
                            .text(format!("{} ({scope}).", v.message))
                            .build(),
                    )
                    .locations(vec![location])
                    .partial_fingerprints(fingerprints)
                    .properties(PropertyBag::builder().additional_properties(props).build())
                    .build(),
            );
        }
    }
    let driver = ToolComponent::builder()
        .name("gate")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules.rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let mut base = BTreeMap::new();
    base.insert(
        "%SRCROOT%".to_string(),
        ArtifactLocation::builder()
            .uri(format!("file://{}/", root.display()))
            .description(Message::builder().text("The repository root.").build())
            .build(),
    );
    // Rules that could not run (--no-ebpf) are said so, never silently absent.
    let mut skipped: Vec<&str> = report
        .binaries
        .iter()
        .flat_map(|b| &b.checks)
        .filter(|c| c.status == CheckStatus::Skipped)
        .map(|c| c.rule.as_str())
        .collect();
    skipped.sort_unstable();
    skipped.dedup();
    let notifications: Vec<Notification> = skipped
        .iter()
        .map(|id| {
            Notification::builder()
                .descriptor(ReportingDescriptorReference::builder().id(id.to_string()).build())
                .level(serde_json::json!("note"))
                .message(
                    Message::builder()
                        .text(format!("Rule {id} was skipped: it needs the eBPF engine, which did not run (--no-ebpf)."))
                        .build(),
                )
                .build()
        })
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_configuration_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .automation_details(RunAutomationDetails::builder().id("gate/").build())
        .original_uri_base_ids(base)
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&sarif)
        .map(|s| s + "\n")
        .map_err(|e| GateError::io("encoding the SARIF report", e.into()))
}

pub fn write(report: &Report, rules: &RuleSet, root: &Path, path: &Path) -> Result<(), GateError> {
    super::write_file(path, &render(report, rules, root)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hashes_are_stable() {
        assert_eq!(to_pascal("gc-pause-budget"), "GcPauseBudget");
        assert_eq!(fnv1a(""), 0xcbf29ce484222325);
        assert_eq!(fnv1a("a"), 0xaf63dc4c8601ec8c);
    }
}
