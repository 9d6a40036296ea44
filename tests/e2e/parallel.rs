//! Several test binaries at once (`-p N`): the same verdict as one at a
//! time, each package's progress printed whole, and Ctrl-C stopping them all.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::*;

const PACKAGES: [&str; 2] = ["./fixtures-go/leak/...", "./fixtures-go/ticker/..."];

/// What a report says, without the figures that vary from run to run
/// (durations, wall times, measured values, checks that passed).
fn verdict(json: &Path) -> BTreeSet<String> {
    let report: serde_json::Value = read_json(json);
    let mut said = BTreeSet::new();
    for b in report["binaries"].as_array().expect("binaries") {
        let package = b["package"].as_str().unwrap_or_default();
        for t in b["tests"].as_array().into_iter().flatten() {
            said.insert(format!("test {package} {} {}", t["name"], t["status"]));
        }
        for v in b["violations"].as_array().into_iter().flatten() {
            said.insert(format!(
                "violation {package} {} {} {}:{} {}",
                v["rule"], v["test"], v["site"]["file"], v["site"]["line"], v["message"]
            ));
        }
        // The checks that failed or warned: a passing check may read "no data"
        // in another run of the same binary (a test that allocates a few bytes
        // refills no span one time in several), with or without -p.
        let failed = |c: &&serde_json::Value| c["status"] != "pass" && c["status"] != "no data";
        for c in b["checks"].as_array().into_iter().flatten().filter(failed) {
            said.insert(format!(
                "check {package} {} {} {}",
                c["rule"], c["test"], c["status"]
            ));
        }
    }
    said
}

fn gate_json(parallel: &str, json: &Path) -> Run {
    run(gate()
        .args(["run", "-p", parallel, "--json"])
        .arg(json)
        .args(PACKAGES))
}

#[test]
fn two_binaries_at_once_give_the_verdict_of_one_at_a_time() {
    if !require_ebpf() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (serial, parallel) = (tmp.path().join("p1.json"), tmp.path().join("p2.json"));
    let one = gate_json("1", &serial);
    let two = gate_json("2", &parallel);
    // The leak and ticker fixtures fail their checks: exit 1 both times.
    assert_eq!(one.code, 1, "{}{}", one.stdout, one.stderr);
    assert_eq!(two.code, 1, "{}{}", two.stdout, two.stderr);
    let (said_one, said_two) = (verdict(&serial), verdict(&parallel));
    assert!(
        said_one
            .iter()
            .any(|l| l.starts_with("violation") && l.contains("goroutine-leak"))
            && said_one.iter().any(|l| l.contains("ticker-not-stopped")),
        "the fixtures' findings are missing: {said_one:#?}"
    );
    let only_one: Vec<_> = said_one.difference(&said_two).collect();
    let only_two: Vec<_> = said_two.difference(&said_one).collect();
    assert!(
        only_one.is_empty() && only_two.is_empty(),
        "-p 1 only: {only_one:#?}\n-p 2 only: {only_two:#?}"
    );

    // Each package's progress is printed whole: under its own heading come
    // its own tests only, never a line of a package running beside it.
    let json = read_json(&parallel);
    let tests_of = |package: &str| -> BTreeSet<String> {
        json["binaries"]
            .as_array()
            .expect("binaries")
            .iter()
            .filter(|b| b["package"] == package)
            .flat_map(|b| b["tests"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .filter(|name| !name.contains('/'))
            .collect()
    };
    let mut headings = 0;
    let mut current: Option<(String, BTreeSet<String>)> = None;
    let check = |block: Option<(String, BTreeSet<String>)>| {
        if let Some((package, printed)) = block {
            assert_eq!(
                printed,
                tests_of(&package),
                "{package}'s progress:\n{}",
                two.stderr
            );
        }
    };
    for line in two.stderr.lines() {
        if let Some(package) = line.strip_prefix("gate: running ") {
            headings += 1;
            check(current.take());
            current = Some((package.to_string(), BTreeSet::new()));
        } else if let (Some((_, printed)), Some(("PASS" | "FAIL" | "SKIP", rest))) = (
            &mut current,
            line.strip_prefix("  ").and_then(|l| l.split_once(' ')),
        ) {
            printed.insert(rest.split(' ').next().unwrap_or_default().to_string());
        }
    }
    check(current);
    assert_eq!(headings, 4, "a heading per package:\n{}", two.stderr);
}

#[test]
fn ctrl_c_stops_every_binary_running_at_once() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().expect("tempdir");
    let module = go_module(
        tmp.path(),
        &[
            (
                "a",
                "func TestHangs(t *testing.T) { time.Sleep(time.Hour) }",
            ),
            (
                "b",
                "func TestHangs(t *testing.T) { time.Sleep(time.Hour) }",
            ),
        ],
    );
    let builds = tmp.path().join("tmp");
    std::fs::create_dir(&builds).expect("mkdir");
    let (code, stderr) = interrupt_gate(
        gate()
            .current_dir(&module)
            .args(["run", "--no-ebpf", "-p", "2", "./..."])
            .env("TMPDIR", &builds),
        &builds,
        2,
        "-INT",
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
}

/// A Go module `example.com/m` under `dir` with one package per
/// `(name, test functions)`; each test file imports os, syscall, testing
/// and time.
fn go_module(dir: &Path, packages: &[(&str, &str)]) -> std::path::PathBuf {
    let module = dir.join("m");
    for (package, tests) in packages {
        let pkg = module.join(package);
        let name = package.rsplit('/').next().unwrap_or(package);
        std::fs::create_dir_all(&pkg).expect("mkdir");
        std::fs::write(
            pkg.join("x_test.go"),
            format!(
                "package {name}\n\nimport (\n\t\"os\"\n\t\"syscall\"\n\t\"testing\"\n\t\"time\"\n)\n\n\
                 var _, _, _ = os.Getpid, syscall.Kill, time.Sleep\n\n{tests}\n"
            ),
        )
        .expect("write test");
    }
    std::fs::write(module.join("go.mod"), "module example.com/m\n\ngo 1.22\n").expect("go.mod");
    module
}

#[test]
fn a_binary_that_hangs_crashes_or_is_killed_still_reports_while_the_others_finish() {
    if !require_ebpf() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let module = go_module(
        tmp.path(),
        &[
            (
                "hangs",
                "func TestHangs(t *testing.T) { t.Log(\"before the hang\"); time.Sleep(time.Hour) }",
            ),
            (
                "crashes",
                "func TestCrashes(t *testing.T) {\n\tdone := make(chan int)\n\tgo func() { var m map[string]int; m[\"x\"] = 1 }()\n\t<-done\n}",
            ),
            (
                "killed",
                "func TestKilled(t *testing.T) { t.Log(\"about to die\"); syscall.Kill(os.Getpid(), syscall.SIGKILL); time.Sleep(time.Second) }",
            ),
            (
                "passes",
                "func TestPasses(t *testing.T) { time.Sleep(200 * time.Millisecond) }\nfunc TestAlsoPasses(t *testing.T) {}",
            ),
        ],
    );
    let json = tmp.path().join("report.json");
    let r = run(gate()
        .current_dir(&module)
        .args(["run", "-p", "4", "--timeout", "3s", "--json"])
        .arg(&json)
        .arg("./..."));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let binaries = report["binaries"].as_array().expect("binaries");
    let tests_of = |package: &str| -> Vec<(String, String, String)> {
        binaries
            .iter()
            .filter(|b| b["package"] == format!("example.com/m/{package}"))
            .flat_map(|b| b["tests"].as_array().cloned().unwrap_or_default())
            .map(|t| {
                (
                    t["name"].as_str().unwrap_or_default().to_string(),
                    t["status"].as_str().unwrap_or_default().to_string(),
                    t["output"].to_string(),
                )
            })
            .collect()
    };
    let passes = tests_of("passes");
    assert_eq!(
        passes
            .iter()
            .map(|(n, s, _)| (n.as_str(), s.as_str()))
            .collect::<Vec<_>>(),
        [("TestPasses", "pass"), ("TestAlsoPasses", "pass")],
        "{}",
        r.stderr
    );
    for (package, test, tail) in [
        ("hangs", "TestHangs", "SIGQUIT"),
        ("crashes", "TestCrashes", "assignment to entry in nil map"),
        ("killed", "TestKilled", "about to die"),
    ] {
        let tests = tests_of(package);
        let found = tests.iter().find(|(n, _, _)| n == test);
        let Some((_, status, output)) = found else {
            panic!("{package}: no {test} in {tests:?}\n{}", r.stderr)
        };
        assert_eq!(status, "fail", "{package}: {output}");
        assert!(
            output.contains(tail),
            "{package}'s output tail lacks {tail:?}: {output}"
        );
    }
}

#[test]
fn packages_whose_binaries_share_a_name_each_build_and_run() {
    // go test -c -o DIR/ refuses two util.test in one directory: gate groups them apart.
    let tmp = tempfile::tempdir().expect("tempdir");
    let module = go_module(
        tmp.path(),
        &[
            ("a/util", "func TestA(t *testing.T) {}"),
            ("b/util", "func TestB(t *testing.T) {}"),
            ("c", "func TestC(t *testing.T) {}"),
            ("d/v2", "func TestD(t *testing.T) {}"),
        ],
    );
    let json = tmp.path().join("report.json");
    let r = run(gate()
        .current_dir(&module)
        .args(["run", "--no-ebpf", "--json"])
        .arg(&json)
        .arg("./..."));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report = read_json(&json);
    let ran: BTreeSet<String> = report["binaries"]
        .as_array()
        .expect("binaries")
        .iter()
        .map(|b| {
            format!(
                "{} {}",
                b["package"].as_str().unwrap_or_default(),
                b["tests"][0]["name"]
            )
        })
        .collect();
    let want: BTreeSet<String> = [
        "example.com/m/a/util \"TestA\"",
        "example.com/m/b/util \"TestB\"",
        "example.com/m/c \"TestC\"",
        "example.com/m/d/v2 \"TestD\"",
    ]
    .map(String::from)
    .into();
    assert_eq!(ran, want, "{}", r.stderr);
}
