//! Helpers for end-to-end tests: run the real `gate` binary from the
//! repository root, build fixture binaries once, and require external tools
//! in CI (skip with a reason only outside CI).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// A tool a test needs: in CI its absence fails the test; elsewhere the test is skipped, saying why.
pub fn require(tool: &str, why: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !in_ci(),
            "{tool} is required in CI ({why}); .ci/run installs it"
        );
        eprintln!("SKIPPED: {tool} not found ({why}); CI installs it");
    }
    found
}

pub fn gate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gate"));
    cmd.current_dir(repo_root());
    cmd.env_remove("GODEBUG");
    // When these tests run in GitHub Actions, the fixtures' findings must not land
    // in the job's own summary and annotations (the action's tests set them).
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    cmd.env_remove("GITHUB_ACTIONS");
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs gate, one run at a time: the GC budgets measure time and CPU, and
/// two fixtures competing for the machine's cores would change the figures.
pub fn run(cmd: &mut Command) -> Run {
    let _turn = one_at_a_time();
    wait_for_background_detach();
    Run::from(cmd.output().expect("gate runs"))
}

/// gate leaves a child behind that detaches its uprobes (seconds of kernel
/// work); timing-sensitive fixtures must not share the CPU with it.
fn wait_for_background_detach() {
    let gate = Path::new(env!("CARGO_BIN_EXE_gate"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let busy = std::fs::read_dir("/proc")
            .map(|d| {
                d.flatten()
                    .any(|p| std::fs::read_link(p.path().join("exe")).is_ok_and(|e| e == gate))
            })
            .unwrap_or(false);
        if !busy {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Runs any other process (a compiler, a validator) alone too: CPU it takes
/// would show in the GC figures of a fixture running at the same time.
pub fn alone(cmd: &mut Command) -> Output {
    let _turn = one_at_a_time();
    cmd.output().expect("the command runs")
}

/// Held while a test runs gate (or a fixture binary) on its own.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Builds `fixtures-go/<package>` once per test process with `go test -c`.
pub fn fixture_binary(package: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(package) {
        return path.clone();
    }
    let out = dir
        .path()
        .join(format!("{}.test", package.replace('/', "_")));
    // Compiling takes both cores: not while a timing-sensitive fixture runs.
    let _turn = one_at_a_time();
    let status = Command::new("go")
        .args(["test", "-c", "-o"])
        .arg(&out)
        .arg(format!("./{package}"))
        .current_dir(repo_root().join("fixtures-go"))
        .status()
        .expect("go is installed");
    assert!(status.success(), "go test -c ./{package} failed");
    built.insert(package.to_string(), out.clone());
    out
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("report written"))
        .expect("valid JSON")
}

/// (rule, test, site "file:line") of every violation in a JSON report.
pub fn violations(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for b in report["binaries"].as_array().expect("binaries") {
        for v in b["violations"].as_array().expect("violations") {
            let site = match &v["site"] {
                serde_json::Value::Null => "-".to_string(),
                s => format!("{}:{}", s["file"].as_str().unwrap_or("?"), s["line"]),
            };
            out.push((
                v["rule"].as_str().unwrap_or("?").to_string(),
                v["test"].as_str().unwrap_or("-").to_string(),
                site,
            ));
        }
    }
    out
}

/// (name, status) of every test in a JSON report.
pub fn tests(report: &serde_json::Value) -> Vec<(String, String)> {
    report["binaries"]
        .as_array()
        .expect("binaries")
        .iter()
        .flat_map(|b| b["tests"].as_array().expect("tests").iter())
        .map(|t| {
            (
                t["name"].as_str().unwrap_or("?").to_string(),
                t["status"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

/// The line of `needle` in a fixture file, so assertions do not hard-code line numbers.
pub fn line_of(file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join(file)).expect("fixture source");
    let line = text
        .lines()
        .position(|l| l.contains(needle))
        .expect("needle in fixture")
        + 1;
    format!("{file}:{line}")
}

/// Ids of the built-in rules a default run checks (opt-in ones left out), from `gate rules`.
pub fn builtin_rule_ids() -> Vec<String> {
    let r = run(gate().arg("rules"));
    r.stdout
        .lines()
        .skip(1)
        // A rule is a line and its check an indented second line.
        .filter(|l| !l.starts_with(' '))
        .filter(|l| !l.contains("(opt-in"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Of those, the rules with a limit (`[check]`): the ones that produce a check per
/// test without a baseline. Regression-only rules compare with a baseline.
pub fn builtin_limit_rule_ids() -> Vec<String> {
    builtin_rule_ids()
        .into_iter()
        .filter(|id| {
            let file = repo_root().join("rules").join(format!("{id}.toml"));
            std::fs::read_to_string(&file)
                .expect("a built-in rule file")
                .lines()
                .any(|l| l.trim() == "[check]")
        })
        .collect()
}

/// Of the limit rules, those that need the eBPF engine: every metric but the
/// GC (gctrace), test output and benchmark ones. Under --no-ebpf they are skipped.
pub fn builtin_ebpf_rule_ids() -> Vec<String> {
    builtin_limit_rule_ids()
        .into_iter()
        .filter(|id| {
            let file = repo_root().join("rules").join(format!("{id}.toml"));
            let text = std::fs::read_to_string(&file).expect("a built-in rule file");
            let check = text.split("[check]").nth(1).unwrap_or_default();
            let metric = check
                .lines()
                .find_map(|l| l.trim().strip_prefix("metric = \""))
                .unwrap_or_default();
            !["gc.", "test.", "output.", "bench."]
                .iter()
                .any(|p| metric.starts_with(p))
        })
        .collect()
}

/// eBPF tests need root (or CAP_BPF and CAP_PERFMON): in CI their absence
/// fails the test; elsewhere the test is skipped, saying why.
pub fn require_ebpf() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let caps = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
        .unwrap_or(0);
    let ok = caps & (1 << 21) != 0 || caps & (1 << 38) != 0 && caps & (1 << 39) != 0;
    if !ok {
        assert!(
            !in_ci(),
            "eBPF tests must run in CI: run them as root (CapEff {caps:#x})"
        );
        eprintln!(
            "SKIPPED: eBPF tests need root or CAP_BPF+CAP_PERFMON (CapEff {caps:#x}); CI runs them as root"
        );
    }
    ok
}

/// How many processes run an executable that lies under `prefix`.
pub fn processes_under(prefix: &Path) -> usize {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter(|p| {
            std::fs::read_link(p.path().join("exe")).is_ok_and(|exe| exe.starts_with(prefix))
        })
        .count()
}

/// Starts gate, waits until `binaries` test binaries under `prefix` run,
/// sends gate `signal`, and returns its exit code and stderr once they are
/// all gone (failing if one outlives gate).
pub fn interrupt_gate(
    cmd: &mut Command,
    prefix: &Path,
    binaries: usize,
    signal: &str,
) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gate starts");
    let waiting = std::time::Instant::now();
    while processes_under(prefix) < binaries {
        assert!(
            waiting.elapsed().as_secs() < 120,
            "{binaries} test binaries never ran at once under gate"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = child.wait().expect("gate exits").code();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(
        processes_under(prefix),
        0,
        "a test binary outlived gate ({signal}): {stderr}"
    );
    (code, stderr)
}

/// Builds a fixture with an older Go toolchain (downloaded through the module
/// proxy by GOTOOLCHAIN); None, with a message, where that is impossible outside CI.
pub fn build_with(
    version: &str,
    package: &str,
    dir: &std::path::Path,
) -> Option<std::path::PathBuf> {
    let out = dir.join(format!("{}-{version}.test", package.replace('/', "_")));
    let status = alone(
        std::process::Command::new("go")
            .env("GOTOOLCHAIN", format!("go{version}"))
            .args(["test", "-c", "-o"])
            .arg(&out)
            .arg(format!("./{package}"))
            .current_dir(repo_root().join("fixtures-go")),
    )
    .status;
    if !status.success() {
        assert!(!in_ci(), "GOTOOLCHAIN=go{version} go test -c failed in CI");
        eprintln!("SKIPPED: cannot build with go{version} (no toolchain download here)");
        return None;
    }
    Some(out)
}
