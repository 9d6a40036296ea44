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
        // The rule's documentation (`gate explain`), not its TOML file.
        .help_uri(format!(
            "{INFORMATION_URI}/blob/main/docs/rule-reference.md#{}",
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

/// GitHub code scanning takes at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;

/// Where a source file is for SARIF: relative to `%SRCROOT%` (the
/// repository gate ran in), relative to another git work tree that holds it
/// (a sibling module, a `replace` directory: its own base id), or, in no
/// work tree at all, an absolute `file://` URI.
fn artifact(file: &str, bases: &mut BTreeMap<String, ArtifactLocation>) -> ArtifactLocation {
    let path = Path::new(file);
    if !path.is_absolute() {
        return ArtifactLocation::builder()
            .uri(file.to_string())
            .uri_base_id("%SRCROOT%")
            .build();
    }
    let tree = path
        .parent()
        .and_then(|d| d.ancestors().find(|a| a.join(".git").exists()));
    match tree.and_then(|t| Some((t, path.strip_prefix(t).ok()?))) {
        Some((tree, relative)) => {
            let id = format!(
                "REPO_{}",
                tree.file_name()
                    .map(|n| n
                        .to_string_lossy()
                        .to_uppercase()
                        .replace(|c: char| !c.is_ascii_alphanumeric(), "_"))
                    .unwrap_or_default()
            );
            bases.entry(id.clone()).or_insert_with(|| {
                ArtifactLocation::builder()
                    .uri(format!("file://{}/", tree.display()))
                    .description(
                        Message::builder()
                            .text(format!("The git work tree at {}.", tree.display()))
                            .build(),
                    )
                    .build()
            });
            ArtifactLocation::builder()
                .uri(relative.to_string_lossy().into_owned())
                .uri_base_id(id)
                .build()
        }
        None => ArtifactLocation::builder()
            .uri(format!("file://{file}"))
            .build(),
    }
}

pub fn render(report: &Report, rules: &RuleSet, root: &Path) -> Result<String, GateError> {
    let mut results = Vec::new();
    let mut counters = HashMap::new();
    let mut bases = BTreeMap::new();
    // One result per rule, place, test and message: the repetitions of
    // -test.count, --repeat or several objects made at one line are one
    // alert (their count in `occurrences`), so alert identity holds.
    let mut seen: HashMap<(String, String, u32, Option<String>, String), usize> = HashMap::new();
    let mut dropped = 0usize;
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
            let key = (
                rule.id.clone(),
                site.file.clone(),
                site.line,
                v.test.clone(),
                v.message.clone(),
            );
            if let Some(&at) = seen.get(&key) {
                let result: &mut SarifResult = &mut results[at];
                if let Some(props) = result.properties.as_mut() {
                    let n = props
                        .additional_properties
                        .get("occurrences")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(1);
                    props
                        .additional_properties
                        .insert("occurrences".into(), serde_json::json!(n + 1));
                }
                continue;
            }
            if results.len() == MAX_RESULTS {
                dropped += 1;
                continue;
            }
            seen.insert(key, results.len());
            let scope = match &v.test {
                Some(t) => format!("test {t}"),
                None => format!("test binary of {}", binary.package),
            };
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact(&site.file, &mut bases))
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
    let mut base = bases;
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
    let mut notifications = notifications;
    if dropped > 0 {
        notifications.push(
            Notification::builder()
                .level(serde_json::json!("warning"))
                .message(
                    Message::builder()
                        .text(format!(
                            "{dropped} more results were left out: GitHub code scanning takes at most {MAX_RESULTS} per run. The JSON report has every finding."
                        ))
                        .build(),
                )
                .build(),
        );
    }
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

    /// A report of one binary whose violations of goroutine-leak are at these files and lines.
    fn report_at(sites: &[(&str, u32)]) -> Report {
        let violations: Vec<serde_json::Value> = sites
            .iter()
            .map(|(file, line)| {
                serde_json::json!({"rule": "goroutine-leak", "test": "TestA",
                    "message": format!("a goroutine started at line {line} is still running"),
                    "severity": "error", "metric": "goroutines.leaked", "value": 1.0, "limit": "<= 0",
                    "site": {"file": file, "line": line, "function": "pkg.worker"}})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "version": 1, "gate_version": "test",
            "binaries": [{"path": "./pkg", "package": "example.com/pkg", "go_version": "go1.26",
                "tests": [], "metrics": {"binary": {}, "tests": {}},
                "violations": violations, "checks": [], "exit": "exit status 1", "wall_s": 1.0,
                "warnings": []}]
        }))
        .expect("a report")
    }

    fn results(report: &Report) -> serde_json::Value {
        let rules = crate::rules::load_builtin().expect("built-in rules");
        let text = render(report, &rules, Path::new("/nonexistent-root")).expect("renders");
        serde_json::from_str(&text).expect("JSON")
    }

    #[test]
    fn repetitions_of_one_finding_are_one_result_with_a_count() {
        let log = results(&report_at(&[
            ("a.go", 3),
            ("a.go", 3),
            ("a.go", 3),
            ("a.go", 9),
        ]));
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["properties"]["occurrences"], 3);
        assert!(results[1]["properties"]["occurrences"].is_null());
    }

    #[test]
    fn results_are_capped_at_githubs_limit_with_a_notification() {
        let sites: Vec<(&str, u32)> = (1..=MAX_RESULTS as u32 + 7).map(|l| ("a.go", l)).collect();
        let log = results(&report_at(&sites));
        assert_eq!(
            log["runs"][0]["results"].as_array().map(Vec::len),
            Some(MAX_RESULTS)
        );
        let notes = log["runs"][0]["invocations"][0]["toolConfigurationNotifications"].to_string();
        assert!(notes.contains("7 more results were left out"), "{notes}");
    }

    #[test]
    fn sources_outside_the_repository_are_relative_to_their_own_work_tree() {
        let other = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(other.path().join(".git")).expect("a work tree");
        std::fs::create_dir_all(other.path().join("lib")).expect("mkdir");
        let inside = other.path().join("lib/x.go");
        let loose = tempfile::tempdir().expect("tempdir");
        let outside = loose.path().join("y.go");
        let (inside, outside) = (inside.to_string_lossy(), outside.to_string_lossy());
        let log = results(&report_at(&[("pkg/a.go", 1), (&inside, 2), (&outside, 3)]));
        let run = &log["runs"][0];
        let at =
            |i: usize| &run["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(at(0)["uri"], "pkg/a.go");
        assert_eq!(at(0)["uriBaseId"], "%SRCROOT%");
        assert_eq!(at(1)["uri"], "lib/x.go");
        let base = at(1)["uriBaseId"].as_str().expect("a base id");
        assert_ne!(base, "%SRCROOT%");
        assert_eq!(
            run["originalUriBaseIds"][base]["uri"],
            format!("file://{}/", other.path().display())
        );
        assert_eq!(at(2)["uri"], format!("file://{outside}"));
        assert!(at(2)["uriBaseId"].is_null());
    }
}
