//! The GitHub Action: its files are valid against GitHub's schemas, and its
//! scripts do their job when run with the environment a runner sets.

use std::path::Path;
use std::process::Command;

use crate::support::*;

fn check_jsonschema(schema: &str, files: &[&Path]) -> Run {
    Run::from(alone(
        Command::new("check-jsonschema")
            .args(["--builtin-schema", schema])
            .args(files),
    ))
}

#[test]
fn action_and_workflows_are_valid_against_their_schemas() {
    if !require("check-jsonschema", "validates action.yml and the workflows") {
        return;
    }
    let root = repo_root();
    let action = root.join("action.yml");
    let r = check_jsonschema("vendor.github-actions", &[&action]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let workflows: Vec<_> = std::fs::read_dir(root.join(".github/workflows"))
        .expect("workflows")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        workflows.len() >= 2,
        "the project's CI and the example: {workflows:?}"
    );
    let refs: Vec<&Path> = workflows.iter().map(|p| p.as_path()).collect();
    let r = check_jsonschema("vendor.github-workflows", &refs);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The validator does reject a broken action: an input without a description.
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("action.yml");
    let text = std::fs::read_to_string(&action).unwrap();
    std::fs::write(
        &broken,
        text.replace("runs:\n  using: composite", "runs:\n  using: compost"),
    )
    .unwrap();
    let r = check_jsonschema("vendor.github-actions", &[&broken]);
    assert_ne!(r.code, 0, "a broken action.yml must fail validation");
}

/// The environment a runner gives a composite action's step.
fn runner_env(cmd: &mut Command, dir: &Path) {
    cmd.current_dir(repo_root())
        .env("GITHUB_ACTIONS", "true")
        .env("CI", "true")
        .env("GITHUB_WORKSPACE", repo_root())
        .env("GITHUB_ACTION_PATH", repo_root())
        .env("GITHUB_OUTPUT", dir.join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("RUNNER_TEMP", dir)
        .env("GATE_BIN", env!("CARGO_BIN_EXE_gate"))
        .env_remove("GODEBUG");
}

fn outputs(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("output"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

fn output(dir: &Path, key: &str) -> String {
    outputs(dir)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no output {key} in {:?}", outputs(dir)))
}

#[test]
fn the_run_script_sets_outputs_summary_and_annotations() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/run.sh");
    runner_env(&mut cmd, dir.path());
    cmd.env(
        "INPUT_TARGETS",
        "./fixtures-go/leak/goroutines ./fixtures-go/ticker/stopped",
    )
    .env("INPUT_JSON", reports.join("gate.json"))
    .env("INPUT_JUNIT", reports.join("junit.xml"))
    .env("INPUT_SARIF", reports.join("gate.sarif"))
    .env("INPUT_BASELINE", dir.path().join("no-baseline-yet.json"))
    .env("INPUT_REPEAT", "1")
    .env("INPUT_FAIL_ON_FINDINGS", "true");
    let r = run(&mut cmd);
    // The leak fixture fails the step, like gate itself.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(output(dir.path(), "verdict"), "fail");
    assert_eq!(output(dir.path(), "exit-code"), "1");
    let json = output(dir.path(), "json");
    assert!(Path::new(&json).is_file(), "{json}");
    assert!(Path::new(&output(dir.path(), "sarif")).is_file());
    assert!(Path::new(&output(dir.path(), "junit")).is_file());
    // No baseline yet (the first run on main): a warning, not an error.
    assert!(
        r.stdout.contains("::warning title=gate::no baseline at"),
        "{}",
        r.stdout
    );

    // Annotations: errors at the leak's creation site, at most 10, then a count of the rest.
    let report = read_json(Path::new(&json));
    let findings = violations(&report).len();
    assert!(findings >= 2, "{findings}");
    // Findings are titled `gate <rule>`; gate's own messages are titled `gate`.
    let annotated: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains(",title=gate "))
        .collect();
    assert_eq!(annotated.len(), findings.min(10), "{}", r.stdout);
    let errors: Vec<&&str> = annotated
        .iter()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert!(!errors.is_empty(), "{annotated:#?}");
    assert!(
        errors
            .iter()
            .all(|l| l.contains("file=fixtures-go/leak/goroutines/") && l.contains(",line=")),
        "{errors:#?}"
    );
    // Errors come first: they are why the build is red.
    let first_other = annotated.iter().position(|l| !l.starts_with("::error "));
    assert!(
        first_other.is_none_or(|i| i == errors.len()),
        "{annotated:#?}"
    );
    let more = r
        .stdout
        .lines()
        .any(|l| l.contains("more findings not annotated"));
    assert_eq!(more, findings > 10);

    // The job summary: Markdown, the verdict and the findings, under 1 MiB.
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).expect("summary written");
    assert!(summary.starts_with("## gate: ❌ FAIL"), "{summary}");
    assert!(
        summary.contains("| `goroutine-leak` | error |"),
        "{summary}"
    );
    assert!(summary.len() < 1 << 20);

    // fail-on-findings: false lets the step pass, with the verdict still in the outputs.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/run.sh");
    runner_env(&mut cmd, dir2.path());
    cmd.env("INPUT_TARGETS", "./fixtures-go/leak/goroutines")
        .env("INPUT_JSON", dir2.path().join("gate.json"))
        .env("INPUT_FAIL_ON_FINDINGS", "false");
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(output(dir2.path(), "verdict"), "fail");
}

#[test]
fn the_run_script_keeps_quoted_test_flags_whole() {
    if !require_ebpf() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/run.sh");
    runner_env(&mut cmd, dir.path());
    cmd.env("INPUT_TARGETS", "./fixtures-go/outcomes")
        .env("INPUT_JSON", &json)
        .env("INPUT_TEST_FLAGS", "-test.run '^TestPasses$' -test.count 1");
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        tests(&read_json(&json)),
        [("TestPasses".to_string(), "pass".to_string())]
    );
    // Unbalanced quotes are the user's mistake: an error, before gate runs.
    cmd.env("INPUT_TEST_FLAGS", "-test.run '^TestPasses$");
    let r = run(&mut cmd);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("unbalanced quotes"), "{}", r.stdout);
}

/// A runner user with sudo: `id -u` says 1001, and `sudo` resets the
/// environment as sudo's env_reset does unless told to keep it.
fn fake_sudo_runner(dir: &Path) -> std::ffi::OsString {
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = |name: &str, text: &str| {
        let path = bin.join(name);
        std::fs::write(&path, text).expect("write");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
    };
    script(
        "id",
        "#!/bin/sh\ncase \"$1\" in -u) echo 1001 ;; -g) echo 1001 ;; *) exec /usr/bin/id \"$@\" ;; esac\n",
    );
    script(
        "sudo",
        "#!/bin/sh\nif [ \"$1\" = --preserve-env ]; then shift; exec \"$@\"; fi\nexec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \"$@\"\n",
    );
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut joined = bin.into_os_string();
    joined.push(":");
    joined.push(path);
    joined
}

#[test]
fn the_run_script_keeps_the_jobs_environment_through_sudo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("gate.json");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/run.sh");
    runner_env(&mut cmd, dir.path());
    cmd.env("PATH", fake_sudo_runner(dir.path()))
        .env("GODEBUG", "madvdontneed=1")
        .env("WANT_GODEBUG", "madvdontneed=1")
        .env("INPUT_TARGETS", "./fixtures-go/outcomes")
        .env("INPUT_ARGS", "--no-ebpf")
        .env("INPUT_JSON", &json)
        .env("INPUT_TEST_FLAGS", "-test.run '^TestSeesGODEBUG$'");
    let r = run(&mut cmd);
    // The test passes only if the job's GODEBUG and WANT_GODEBUG reached it.
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        tests(&read_json(&json)),
        [("TestSeesGODEBUG".to_string(), "pass".to_string())]
    );
}

#[test]
fn the_run_script_reports_configuration_errors_as_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/run.sh");
    runner_env(&mut cmd, dir.path());
    cmd.env("INPUT_TARGETS", "./fixtures-go/no-such-package")
        .env("INPUT_ARGS", "--no-ebpf");
    let r = run(&mut cmd);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(output(dir.path(), "verdict"), "error");
    // Even fail-on-findings: false does not hide a broken configuration.
    cmd.env("INPUT_FAIL_ON_FINDINGS", "false");
    let r = run(&mut cmd);
    assert_eq!(r.code, 2);
}

#[test]
fn the_install_script_accepts_a_prebuilt_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/install.sh");
    runner_env(&mut cmd, dir.path());
    cmd.env("INPUT_GATE_BINARY", env!("CARGO_BIN_EXE_gate"));
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("gate "),
        "prints its version: {}",
        r.stdout
    );
    assert_eq!(output(dir.path(), "gate"), env!("CARGO_BIN_EXE_gate"));
    // A wrong path is an error with an annotation saying so.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/install.sh");
    runner_env(&mut cmd, dir.path());
    cmd.env("INPUT_GATE_BINARY", "/no/such/gate");
    let r = run(&mut cmd);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .contains("::error title=gate::gate-binary /no/such/gate is not an executable file")
    );
}

#[test]
fn the_install_script_uses_a_cached_binary_without_building() {
    // The cache step restored a binary of this version: no cargo, no apt-get.
    let dir = tempfile::tempdir().expect("tempdir");
    let cached = dir.path().join("gate-target/release");
    std::fs::create_dir_all(&cached).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_gate"), cached.join("gate")).expect("copy");
    let mut cmd = Command::new("bash");
    cmd.arg(".github/action/install.sh");
    runner_env(&mut cmd, dir.path());
    // Neither cargo nor apt-get can be found: building would fail loudly.
    cmd.env("PATH", "/usr/bin:/bin")
        .env_remove("INPUT_GATE_BINARY");
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("using the cached binary"), "{}", r.stdout);
    assert_eq!(
        output(dir.path(), "gate"),
        cached.join("gate").display().to_string()
    );
}
