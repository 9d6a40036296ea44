//! The `--json` report: the stable contract the README documents (version 1).

use std::path::Path;

use super::Report;
use crate::error::GateError;

pub fn write(report: &Report, path: &Path) -> Result<(), GateError> {
    let text = serde_json::to_string_pretty(report)
        .map_err(|e| GateError::io("encoding the JSON report", e.into()))?;
    super::write_file(path, &(text + "\n"))
}
