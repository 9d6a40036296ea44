//! Targets: what `gate run` was asked to check. A Go test binary is used as
//! it is; a package pattern is compiled with `go test -c`, one binary per
//! package with tests.

mod build;
pub mod inspect;

pub use build::{build_packages, build_variant, parallelism};
pub use inspect::{BinaryInfo, Site, inspect, repository_root};

use std::path::{Path, PathBuf};

use crate::error::GateError;

/// A test binary ready to run, and where `go test` would run it.
#[derive(Debug, Clone)]
pub struct TestBinary {
    pub path: PathBuf,
    /// The package directory for binaries gate built (tests expect to run there), else the current directory.
    pub workdir: Option<PathBuf>,
    /// The pattern it was built from, if any.
    pub built_from: Option<String>,
}

/// A package whose test binary did not compile: one failed package in the
/// reports, as `go test` prints `[build failed]`, while the others run.
#[derive(Debug, Clone)]
pub struct BuildFailure {
    pub package: String,
    pub dir: PathBuf,
    /// What `go test -c` printed.
    pub output: String,
}

/// What building a pattern gave: binaries to run and packages that failed.
#[derive(Debug, Default)]
pub struct Built {
    pub binaries: Vec<TestBinary>,
    pub failures: Vec<BuildFailure>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TargetSpec {
    Binary(PathBuf),
    Pattern(String),
}

/// Decides what each TARGET is: an existing regular file is a binary; a
/// directory, `./...`-style or import-path pattern is a package pattern.
pub fn classify(target: &str) -> Result<TargetSpec, GateError> {
    let path = Path::new(target);
    if path.is_file() {
        return Ok(TargetSpec::Binary(path.to_path_buf()));
    }
    if path.is_dir() || target.contains("...") {
        return Ok(TargetSpec::Pattern(target.to_string()));
    }
    let looks_like_path =
        target.starts_with('.') || target.starts_with('/') || target.ends_with(".test");
    if looks_like_path {
        return Err(GateError::MissingTarget(path.to_path_buf()));
    }
    // An import path such as example.com/m/pkg: let `go list` decide.
    Ok(TargetSpec::Pattern(target.to_string()))
}

/// Where gate switches on the GC trace inside a test binary: the address of
/// `runtime.debug.gctrace`, and the binary's first loadable address (a PIE
/// binary's load bias is where that lands minus this).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GctraceSwitch {
    pub variable: u64,
    pub base: u64,
}

pub mod dwarf;
pub mod params;
pub mod probes;
