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
