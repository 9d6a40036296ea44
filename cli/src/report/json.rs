//! The `--json` report: the stable contract the README documents (version 1).

use std::path::Path;

use super::Report;
use crate::error::GateError;

pub fn write(report: &Report, path: &Path) -> Result<(), GateError> {
    // Streamed: on a suite of thousands of tests the text is tens of MB.
    super::write_with(path, |out| {
        serde_json::to_writer_pretty(&mut *out, report).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    })
}
