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
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("builtin_rules.rs");
    std::fs::write(out, code).expect("write builtin_rules.rs");
}
