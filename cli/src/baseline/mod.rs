//! Baselines: a `--json` report of an earlier run, read back and compared
//! with this run, metric by metric, as the rules' `[[regression]]` sections
//! say (see `compare`).

mod compare;

pub use compare::compare;

use std::path::Path;

use crate::error::GateError;
use crate::report::{REPORT_VERSION, Report};

/// Reads a JSON report (a baseline, or a shard for `gate merge`); errors name the file and what to do.
pub fn read_report(path: &Path, role: &str) -> Result<Report, GateError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        GateError::Usage(format!(
            "{role} {}: cannot read: {e}; pass a report written by `gate run --json FILE`",
            path.display()
        ))
    })?;
    // Check the version before the shape: a newer gate's report fails with a useful message.
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("version")?.as_u64());
    if let Some(v) = version.filter(|v| *v > REPORT_VERSION as u64) {
        return Err(GateError::Usage(format!(
            "{role} {}: report version {v} is newer than this gate reads ({REPORT_VERSION}); upgrade gate",
            path.display()
        )));
    }
    serde_json::from_str(&text).map_err(|e| {
        GateError::Usage(format!(
            "{role} {}:{}:{}: not a gate JSON report: {e}; pass a report written by `gate run --json FILE`",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Reads a baseline: a report holding each package once.
pub fn read_baseline(path: &Path) -> Result<Report, GateError> {
    let report = read_report(path, "baseline")?;
    for (i, b) in report.binaries.iter().enumerate() {
        if report.binaries[..i].iter().any(|o| o.package == b.package) {
            return Err(GateError::Usage(format!(
                "baseline {}: package {} appears twice; a baseline is one run's report, or the shards of one run combined by `gate merge` (which joins a package's shards)",
                path.display(),
                b.package
            )));
        }
    }
    Ok(report)
}

/// Reads the shards of `gate merge`; the same report given twice would count
/// its samples twice.
pub fn read_shards(paths: &[std::path::PathBuf]) -> Result<Vec<Report>, GateError> {
    let mut seen: Vec<(std::path::PathBuf, String)> = Vec::new();
    let mut parts = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if let Some((earlier, _)) = seen
            .iter()
            .find(|(p, t)| *p == canonical || (!text.is_empty() && *t == text))
        {
            return Err(GateError::Usage(format!(
                "report {} is the same report as {}: merging it twice would count its samples twice; pass each shard once",
                path.display(),
                earlier.display()
            )));
        }
        parts.push(read_report(path, "report")?);
        seen.push((canonical, text));
    }
    Ok(parts)
}

#[cfg(test)]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_baseline_text_reads_or_names_the_file(
            text in "\\{(\"(version|binaries|tests|metrics|name|value)\": ?(-?[0-9]{1,22}|\"[a-z]{0,5}\"|\\[\\]|\\{\\}|null|true),? ?){0,5}\\}|.{0,60}",
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("base.json");
            std::fs::write(&path, &text).expect("write");
            if let Err(e) = read_report(&path, "baseline") {
                prop_assert!(e.to_string().contains("base.json"), "{e}");
            }
        }
    }
}
