//! `.gate.toml`: a team's configuration, as golangci-lint's. Found by
//! walking up from the working directory (or named with `--config`), it adds
//! rule files to the built-in catalog, turns rules on and off by id, changes
//! a built-in rule's limit, severity and ignores without copying its file,
//! and sets default flags for `gate run`.
//!
//! ```toml
//! rule_files = ["ci/gate-rules"]       # added to the catalog (relative to this file)
//! enable = ["sync-pool-low-reuse"]     # opt-in rules to run
//! disable = ["gc-pause-budget"]        # rules not to run
//!
//! [run]                                # defaults; the command line wins
//! timeout = "5m"
//! test_flags = ["-test.short"]
//! allow_no_tests = false
//!
//! [rule.heap-peak-budget]              # a built-in rule, changed in place
//! severity = "error"
//! max = 1024
//!
//! [[rule.goroutine-leak.ignore]]
//! entry = "github.com/acme/metrics.(*Exporter).loop"
//! ```

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::GateError;
use crate::rules::{Ignore, RuleSet, Severity};

/// The file name gate looks for.
pub const FILE_NAME: &str = ".gate.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rule_files: Vec<PathBuf>,
    #[serde(default)]
    enable: Vec<toml::Spanned<String>>,
    #[serde(default)]
    disable: Vec<toml::Spanned<String>>,
    #[serde(default)]
    run: RunDefaults,
    #[serde(default)]
    rule: BTreeMap<String, toml::Spanned<RuleOverride>>,
}

/// Default flags of `gate run`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunDefaults {
    pub timeout: Option<String>,
    #[serde(default)]
    pub test_flags: Vec<String>,
    pub allow_no_tests: Option<bool>,
    pub repeat: Option<u32>,
}

/// A rule's settings changed in place.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleOverride {
    severity: Option<Severity>,
    min: Option<f64>,
    max: Option<f64>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawIgnore>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    entry: Option<String>,
    created_by: Option<String>,
}

/// A loaded `.gate.toml`.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    text: String,
    raw: RawConfig,
}

/// The configuration `--config` names, else the first `.gate.toml` from the
/// working directory up; None when there is none.
pub fn find(explicit: Option<&Path>) -> Result<Option<Config>, GateError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| GateError::io("cannot read the current directory", e))?;
            match cwd
                .ancestors()
                .map(|d| d.join(FILE_NAME))
                .find(|p| p.is_file())
            {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        GateError::Usage(format!(
            "configuration {}: cannot read: {e}",
            path.display()
        ))
    })?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(":{}", line_at(&text, s.start)))
            .unwrap_or_default();
        GateError::Usage(format!(
            "configuration {}{line}: {}",
            path.display(),
            e.message()
        ))
    })?;
    Ok(Some(Config { path, text, raw }))
}

/// The value of `--config` in raw arguments (before clap parses them: the
/// configuration's defaults become arguments).
pub fn explicit_path(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = a.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return Some(PathBuf::from(v));
        }
    }
    None
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Config {
    fn at(&self, span: std::ops::Range<usize>) -> String {
        format!(
            "{}:{}",
            self.path.display(),
            line_at(&self.text, span.start)
        )
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The `[run]` defaults as `gate run` arguments, placed before the user's
    /// own (which win: later values override, see `args_override_self`).
    pub fn run_arguments(&self) -> (Vec<OsString>, Vec<OsString>) {
        let run = &self.raw.run;
        let mut flags: Vec<OsString> = Vec::new();
        if let Some(t) = &run.timeout {
            flags.extend(["--timeout".into(), t.into()]);
        }
        if run.allow_no_tests == Some(true) {
            flags.push("--allow-no-tests".into());
        }
        if let Some(n) = run.repeat {
            flags.extend(["--repeat".into(), n.to_string().into()]);
        }
        let test_flags = run.test_flags.iter().map(OsString::from).collect();
        (flags, test_flags)
    }

    /// Applies the configuration to the rule set: its rule files added, its
    /// rules changed, enabled and disabled. Returns the warnings (an id or an
    /// ignore that matches nothing).
    pub fn apply(&self, mut set: RuleSet) -> Result<(RuleSet, Vec<String>), GateError> {
        let mut warnings = Vec::new();
        if !self.raw.rule_files.is_empty() {
            let paths: Vec<PathBuf> = self
                .raw
                .rule_files
                .iter()
                .map(|p| self.dir().join(p))
                .collect();
            let added = crate::rules::load_paths(&paths)?;
            for rule in added.rules {
                if let Some(existing) = set.rules.iter().find(|r| r.id == rule.id) {
                    return Err(GateError::Usage(format!(
                        "configuration {}: rule_files: {} defines rule {:?}, which {} already defines; to change a built-in rule, set its limit in [rule.{}] instead of copying it",
                        self.path.display(),
                        rule.origin,
                        rule.id,
                        existing.origin,
                        rule.id
                    )));
                }
                set.rules.push(rule);
            }
        }
        for (id, change) in &self.raw.rule {
            let at = self.at(change.span());
            let change = change.get_ref();
            let known: Vec<String> = set.rules.iter().map(|r| r.id.clone()).collect();
            let Some(rule) = set.rules.iter_mut().find(|r| &r.id == id) else {
                return Err(GateError::Usage(format!(
                    "configuration {at}: [rule.{id}]: no such rule{}",
                    closest(id, &known)
                )));
            };
            if let Some(severity) = change.severity {
                rule.severity = severity;
            }
            if change.min.is_some() || change.max.is_some() {
                let Some(limit) = rule.check.as_mut() else {
                    return Err(GateError::Usage(format!(
                        "configuration {at}: [rule.{id}]: min/max: the rule has no limit ([check]) to change; it only compares with a baseline"
                    )));
                };
                for (name, v) in [("min", change.min), ("max", change.max)] {
                    if let Some(v) = v
                        && (!v.is_finite() || v < 0.0)
                    {
                        return Err(GateError::Usage(format!(
                            "configuration {at}: [rule.{id}]: {name} = {v}: a limit of {} must be a finite, non-negative number",
                            limit.metric.name
                        )));
                    }
                }
                limit.min = change.min.or(limit.min);
                limit.max = change.max.or(limit.max);
            }
            for ig in &change.ignore {
                let at = self.at(ig.span());
                let ig = ig.get_ref();
                if ig.entry.is_none() && ig.created_by.is_none() {
                    return Err(GateError::Usage(format!(
                        "configuration {at}: [[rule.{id}.ignore]]: give entry, created_by or both"
                    )));
                }
                rule.ignores.push(Ignore {
                    entry: ig.entry.clone(),
                    created_by: ig.created_by.clone(),
                    origin: Some(at),
                });
            }
        }
        let known: Vec<String> = set.rules.iter().map(|r| r.id.clone()).collect();
        for id in &self.raw.enable {
            match set.rules.iter_mut().find(|r| r.id == *id.get_ref()) {
                Some(rule) => rule.enabled = true,
                None => warnings.push(format!(
                    "configuration {}: enable: no rule {:?}{}",
                    self.at(id.span()),
                    id.get_ref(),
                    closest(id.get_ref(), &known)
                )),
            }
        }
        for id in &self.raw.disable {
            let before = set.rules.len();
            set.rules.retain(|r| r.id != *id.get_ref());
            if set.rules.len() == before {
                warnings.push(format!(
                    "configuration {}: disable: no rule {:?}{}",
                    self.at(id.span()),
                    id.get_ref(),
                    closest(id.get_ref(), &known)
                ));
            }
        }
        Ok((set, warnings))
    }
}

/// "; did you mean X?" for the nearest known id, if any is near.
fn closest(id: &str, known: &[String]) -> String {
    known
        .iter()
        .map(|k| (strsim::levenshtein(id, k), k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| format!("; did you mean {k}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, GateError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, text).expect("write");
        Ok(find(Some(&path))?.expect("found"))
    }

    fn builtin() -> RuleSet {
        crate::rules::load_builtin().expect("built-in rules")
    }

    #[test]
    fn a_built_in_rule_changes_in_place_and_ids_are_checked() {
        let c = config(
            "disable = [\"gc-pause-budget\", \"no-such-rule\"]\nenable = [\"sync-pool-low-reuse\"]\n\n\
             [rule.heap-peak-budget]\nseverity = \"error\"\nmax = 1024\n\n\
             [[rule.goroutine-leak.ignore]]\nentry = \"example.com/x.loop\"\n",
        )
        .expect("parses");
        let (set, warnings) = c.apply(builtin()).expect("applies");
        let heap = set.get("heap-peak-budget").expect("kept");
        assert_eq!(heap.severity, Severity::Error);
        assert_eq!(heap.check.as_ref().and_then(|l| l.max), Some(1024.0));
        assert!(set.get("gc-pause-budget").is_none());
        assert!(set.get("sync-pool-low-reuse").is_some_and(|r| r.enabled));
        let leak = set.get("goroutine-leak").expect("kept");
        assert!(
            leak.ignores
                .iter()
                .any(|i| i.origin.as_deref().is_some_and(|o| o.ends_with(":8")))
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains(":1: disable: no rule \"no-such-rule\""),
            "{warnings:?}"
        );
    }

    #[test]
    fn mistakes_name_the_file_line_and_field() {
        let err = |text: &str| match config(text).and_then(|c| c.apply(builtin())) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted: {text}"),
        };
        assert!(
            err("\n[rule.heap-peak-budgt]\nmax = 1\n").contains(
                ":2: [rule.heap-peak-budgt]: no such rule; did you mean heap-peak-budget?"
            )
        );
        assert!(err("timeout = \"5m\"\n").contains(".gate.toml:1: unknown field `timeout`"));
        assert!(err("[rule.heap-peak-budget]\nmax = -1\n").contains("non-negative"));
        assert!(err("[[rule.goroutine-leak.ignore]]\n").contains("give entry, created_by or both"));
    }

    #[test]
    fn run_defaults_become_arguments_and_config_is_found_in_raw_args() {
        let c = config(
            "[run]\ntimeout = \"5m\"\ntest_flags = [\"-test.short\"]\nallow_no_tests = true\n",
        )
        .expect("parses");
        let (flags, test_flags) = c.run_arguments();
        assert_eq!(flags, ["--timeout", "5m", "--allow-no-tests"]);
        assert_eq!(test_flags, ["-test.short"]);
        let args: Vec<OsString> = ["gate", "run", "--config=ci/g.toml", "./..."]
            .map(OsString::from)
            .into();
        assert_eq!(explicit_path(&args), Some(PathBuf::from("ci/g.toml")));
        let args: Vec<OsString> = ["gate", "run", "./...", "--", "--config", "x"]
            .map(OsString::from)
            .into();
        assert_eq!(explicit_path(&args), None);
    }
}
