//! Embeds the repository's `rules/*.toml` into the binary as the built-in catalog.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("../rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&rules_dir)
        .unwrap_or_else(|e| {
            panic!(
                "cannot read the built-in rules at {}: {e}",
                rules_dir.display()
            )
        })
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut code = String::from("pub const RULES: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = rules_dir.join(name).canonicalize().expect("rule file path");
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("builtin_rules.rs"), code).expect("write builtin_rules.rs");
    compile_bpf(&manifest.join("../bpf"), &out_dir);
    version_with_commit(&manifest);
}

/// `gate --version` names the commit it was built from (`0.1.0 (a1b2c3d)`,
/// `-dirty` with uncommitted changes); a source tree without git says so.
fn version_with_commit(manifest: &std::path::Path) {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(manifest)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            format!("{hash}{}", if dirty { "-dirty" } else { "" })
        }
        None => "commit unknown: not built from a git checkout".to_string(),
    };
    println!(
        "cargo:rustc-env=GATE_VERSION={} ({commit})",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={}", manifest.join(head).display());
    }
    if let Some(branch) =
        git(&["symbolic-ref", "-q", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r]))
    {
        println!("cargo:rerun-if-changed={}", manifest.join(branch).display());
    }
    if let Some(index) = git(&["rev-parse", "--git-path", "index"]) {
        println!("cargo:rerun-if-changed={}", manifest.join(index).display());
    }
}

/// Compiles the eBPF programs with clang-19 (Debian: clang-19, libbpf-dev).
fn compile_bpf(bpf_dir: &std::path::Path, out_dir: &std::path::Path) {
    let source = bpf_dir.join("gate.bpf.c");
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-env-changed=GATE_CLANG");
    let clang = std::env::var("GATE_CLANG").unwrap_or_else(|_| "clang-19".into());
    if !std::path::Path::new("/usr/include/bpf/bpf_helpers.h").exists() {
        panic!(
            "gate's eBPF programs need libbpf's headers (/usr/include/bpf/bpf_helpers.h): \
             install them with `apt-get install libbpf-dev`"
        );
    }
    let output = std::process::Command::new(&clang)
        .args(["-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-I/usr/include/x86_64-linux-gnu", "-Wall", "-Werror", "-c"])
        .arg(&source)
        .arg("-o")
        .arg(out_dir.join("gate.bpf.o"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "gate's eBPF programs need {clang} ({e}): install it with \
                 `apt-get install clang-19 libbpf-dev`, or point GATE_CLANG at a clang with the BPF target"
            )
        });
    if !output.status.success() {
        panic!(
            "{clang} failed on {}:\n{}",
            source.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
