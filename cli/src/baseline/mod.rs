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
