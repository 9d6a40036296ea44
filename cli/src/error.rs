//! Errors of every layer, and the exit codes the README documents for them.

use std::path::PathBuf;

/// Exit codes of the command-line contract.
pub mod exit {
    /// Every check and every Go test passed.
    pub const OK: i32 = 0;
    /// A check failed or a Go test failed.
    pub const FAILED: i32 = 1;
    /// Usage or configuration error: bad flag, bad rule file, missing target.
    pub const USAGE: i32 = 2;
    /// Environment error: eBPF unavailable, target not a Go test binary, no Go toolchain.
    pub const ENVIRONMENT: i32 = 3;
}

/// A problem that stops gate before a verdict. Each variant says what to do.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("{0}")]
    Rules(#[from] crate::rules::RuleError),

    #[error("target {}: no such file or directory; pass a Go test binary (go test -c) or a package pattern such as ./... or ./pkg", .0.display())]
    MissingTarget(PathBuf),

    #[error("{path}: {reason}")]
    NotGoTestBinary { path: PathBuf, reason: String },

    #[error("package pattern {pattern}: {reason}")]
    GoToolchain { pattern: String, reason: String },

    #[error("package pattern {pattern}: `go {command}` failed:\n{stderr}")]
    GoBuild {
        pattern: String,
        command: String,
        stderr: String,
    },

    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Usage(String),

    #[error(
        "interrupted by {} while {during}: stopped the test binary and its processes, removed gate's temporary files; no verdict",
        signal_name(*.signal)
    )]
    Interrupted { signal: i32, during: String },

    #[error("eBPF engine: {0}")]
    Engine(#[from] crate::bpf::EngineError),

    #[error(
        "{binary}: {rules} need {symbol}, which the binary lacks: {what}; build the tests without -ldflags=-s/-w, or pass --no-ebpf"
    )]
    EngineTarget {
        binary: String,
        rules: String,
        symbol: String,
        what: String,
    },

    #[error(
        "rule file {file}: [[probe]] symbol {symbol:?} is in none of the test binaries; check the name with `go tool nm BINARY | grep` (functions that are inlined have no symbol)"
    )]
    UnknownProbeSymbol { file: String, symbol: String },
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        other => format!("signal {other}"),
    }
}

impl GateError {
    pub fn exit_code(&self) -> i32 {
        match self {
            GateError::Interrupted { signal, .. } => 128 + signal,
            GateError::Rules(_)
            | GateError::MissingTarget(_)
            | GateError::Usage(_)
            | GateError::UnknownProbeSymbol { .. } => exit::USAGE,
            GateError::Engine(_) | GateError::EngineTarget { .. } => exit::ENVIRONMENT,
            // A package that does not compile fails like `go test` does: a failed test run.
            GateError::GoBuild { .. } => exit::FAILED,
            GateError::NotGoTestBinary { .. }
            | GateError::GoToolchain { .. }
            | GateError::Io { .. } => exit::ENVIRONMENT,
        }
    }

    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        GateError::Io {
            what: what.into(),
            source,
        }
    }
}
