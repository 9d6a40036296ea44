//! The fixture harness: one table-driven test over every fixture package
//! that declares what gate must find in it, so that adding a check needs a
//! rule file, a fixture pair and an accepted snapshot, and no Rust.
//!
//! A fixture package declares itself with comments in any of its `.go` files
//! (test files or not):
//!
//! - `// want: RULE-ID TestName` on the line where a finding's site is
//!   (several on one line: `// want: goroutine-leak TestA; goroutine-leak
//!   TestB/sub`). The site is the report's `site.file`/`site.line`: the
//!   creation site of a lifecycle finding (a goroutine, a Ticker, a response
//!   body, a probed call), the `func TestX(` line of a per-test figure (GC
//!   budgets, `alloc-budget`, `alloc-regression`) and the `func BenchmarkX(`
//!   line of a benchmark's. `TestName` is the full name gate reports
//!   (subtests with `/`); for a benchmark, its name without the `-N`
//!   GOMAXPROCS suffix Go adds (`BenchmarkEncode`, not `BenchmarkEncode-2`),
//!   since N is the machine's core count.
//! - `// gate:clean RULE-ID [RULE-ID...]`: a clean twin of those rules.
//! - `// gate:baseline-env NAME=VALUE`: gate runs twice, first with that
//!   variable set to write a baseline report, then without it and with
//!   `--baseline`; the markers name the findings of the second run (so the
//!   regression rules' findings are ordinary markers at the test's or
//!   benchmark's function).
//! - `// gate:test-flags FLAG...`: flags for the test binary (after `--`),
//!   e.g. `-test.bench . -test.benchtime 100x` for benchmark rules.
//! - `// gate:fails TestName...`: Go tests that fail on purpose, because the
//!   anti-pattern itself is a crash (a runtime fatal error).
//!
//! For a package with `want:` markers, the set of (rule, test, file:line) of
//! the report's violations must equal the set of markers: none missing, none
//! extra (a site with two findings of one rule and test is one marker; how
//! many there are is in the rule's snapshot). A clean twin must have no
//! violation at all, and each rule it names must have been checked and passed
//! there (not skipped, not absent). Opt-in rules a package names are enabled
//! with `--enable`. Packages without markers (outcomes/, notatest/) are not
//! the harness's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// (rule, test, "file:line").
type Finding = (String, String, String);

/// What one fixture package declares about itself.
#[derive(Debug, Default)]
pub struct Fixture {
    /// The package directory under fixtures-go/, e.g. `leak/goroutines`.
    pub dir: String,
    pub wants: BTreeSet<Finding>,
    pub clean: BTreeSet<String>,
    pub baseline_env: Vec<(String, String)>,
    pub test_flags: Vec<String>,
    /// Go tests that fail on purpose (the anti-pattern is a crash).
    pub fails: BTreeSet<String>,
    /// Malformed declarations, with file and line.
    pub errors: Vec<String>,
}

impl Fixture {
    /// Every rule the package's declarations name.
    pub fn rules(&self) -> BTreeSet<String> {
        let mut rules: BTreeSet<String> = self.wants.iter().map(|(r, _, _)| r.clone()).collect();
        rules.extend(self.clean.iter().cloned());
        rules
    }
}

/// Parses one package directory's `.go` files; None when it declares nothing.
fn parse_package(root: &Path, dir: &Path) -> Option<Fixture> {
    let want = regex::Regex::new(r"//.*\bwant:(.*)$").expect("regex");
    let directive = regex::Regex::new(r"//\s*gate:([a-z-]+)\b(.*)$").expect("regex");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    let mut fixture = Fixture {
        dir: dir
            .strip_prefix(root.join("fixtures-go"))
            .expect("under fixtures-go")
            .to_string_lossy()
            .into_owned(),
        ..Fixture::default()
    };
    let mut declares = false;
    for file in files {
        let rel = file
            .strip_prefix(root)
            .expect("under the repository")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).expect("a readable fixture");
        for (i, line) in text.lines().enumerate() {
            let at = format!("{rel}:{}", i + 1);
            if let Some(c) = want.captures(line) {
                declares = true;
                for entry in c[1].split(';') {
                    match entry.split_whitespace().collect::<Vec<_>>()[..] {
                        [rule, test] => {
                            fixture
                                .wants
                                .insert((rule.to_string(), test.to_string(), at.clone()));
                        }
                        _ => fixture.errors.push(format!(
                            "{at}: `want:` entry {entry:?} is not `RULE-ID TestName`"
                        )),
                    }
                }
            } else if let Some(c) = directive.captures(line) {
                declares = true;
                let args = c[2].trim();
                match &c[1] {
                    "clean" if !args.is_empty() => {
                        fixture
                            .clean
                            .extend(args.split_whitespace().map(str::to_string));
                    }
                    "baseline-env" => match args.split_once('=') {
                        Some((k, v)) if !k.is_empty() && !k.contains(' ') => {
                            fixture.baseline_env.push((k.to_string(), v.to_string()));
                        }
                        _ => fixture
                            .errors
                            .push(format!("{at}: gate:baseline-env wants NAME=VALUE")),
                    },
                    "fails" if !args.is_empty() => {
                        fixture
                            .fails
                            .extend(args.split_whitespace().map(str::to_string));
                    }
                    "test-flags" if !args.is_empty() => {
                        fixture
                            .test_flags
                            .extend(args.split_whitespace().map(str::to_string));
                    }
                    other => fixture.errors.push(format!(
                        "{at}: unknown or empty directive gate:{other} (known: clean RULE-ID..., baseline-env NAME=VALUE, test-flags FLAG..., fails TestName...)"
                    )),
                }
            }
        }
    }
    declares.then_some(fixture)
}

/// Every fixture package under fixtures-go/ that declares findings or a clean twin.
pub fn discover() -> Vec<Fixture> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Fixture>) {
        if let Some(f) = parse_package(root, dir) {
            out.push(f);
        }
        let mut subdirs: Vec<_> = std::fs::read_dir(dir)
            .expect("a readable directory")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        for d in subdirs {
            walk(root, &d, out);
        }
    }
    let root = repo_root();
    let mut out = Vec::new();
    walk(&root, &root.join("fixtures-go"), &mut out);
    out
}

/// The built-in rules: id -> parsed rule file.
pub fn rule_files() -> BTreeMap<String, toml::Table> {
    let mut rules = BTreeMap::new();
    for entry in std::fs::read_dir(repo_root().join("rules")).expect("rules/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).expect("a rule file");
            let table: toml::Table = text
                .parse()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let id = path
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            rules.insert(id, table);
        }
    }
    rules
}

fn opt_in(rule: &toml::Table) -> bool {
    rule.get("enabled").and_then(toml::Value::as_bool) == Some(false)
}

/// A benchmark's name without the `-N` GOMAXPROCS suffix Go appends.
fn test_name(name: &str) -> String {
    let suffix = regex::Regex::new(r"^(Benchmark.*)-\d+$").expect("regex");
    suffix.replace(name, "$1").into_owned()
}

fn finding(v: &Value) -> Finding {
    let site = match &v["site"] {
        Value::Null => "-".to_string(),
        s => format!("{}:{}", s["file"].as_str().unwrap_or("?"), s["line"]),
    };
    (
        v["rule"].as_str().unwrap_or("?").to_string(),
        test_name(v["test"].as_str().unwrap_or("-")),
        site,
    )
}

/// Runs gate on one fixture package (twice with a baseline); the report of
/// the run the markers describe, or why there is none.
fn run_fixture(
    fixture: &Fixture,
    rules: &BTreeMap<String, toml::Table>,
    dir: &Path,
) -> Result<(Run, Value), String> {
    let enable: Vec<&String> = fixture
        .rules()
        .into_iter()
        .filter_map(|r| rules.get_key_value(&r))
        .filter(|(_, t)| opt_in(t))
        .map(|(id, _)| id)
        .collect();
    let command = |json: &Path, baseline: Option<&Path>| {
        let mut cmd = gate();
        cmd.args(["run", "--json"]).arg(json);
        for id in &enable {
            cmd.args(["--enable", id]);
        }
        if let Some(b) = baseline {
            cmd.arg("--baseline").arg(b);
        }
        cmd.arg(format!("./fixtures-go/{}", fixture.dir));
        if !fixture.test_flags.is_empty() {
            cmd.arg("--").args(&fixture.test_flags);
        }
        cmd
    };
    let report = |run: Run, json: &Path, what: &str| {
        if !json.exists() || !(run.code == 0 || run.code == 1) {
            return Err(format!(
                "{what}: exit {} and {}\n{}{}",
                run.code,
                if json.exists() {
                    "a report"
                } else {
                    "no report"
                },
                run.stdout,
                run.stderr
            ));
        }
        let report = read_json(json);
        Ok((run, report))
    };
    let mut baseline = None;
    if !fixture.baseline_env.is_empty() {
        let json = dir.join("baseline.json");
        let mut cmd = command(&json, None);
        for (k, v) in &fixture.baseline_env {
            cmd.env(k, v);
        }
        report(run(&mut cmd), &json, "the baseline run")?;
        baseline = Some(json);
    }
    let json = dir.join("gate.json");
    report(run(&mut command(&json, baseline.as_deref())), &json, "gate")
}

/// What is wrong with one fixture package's run, if anything.
fn judge(fixture: &Fixture, run: &Run, report: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    let binaries = report["binaries"].as_array().cloned().unwrap_or_default();
    let violations: Vec<&Value> = binaries
        .iter()
        .flat_map(|b| b["violations"].as_array().into_iter().flatten())
        .collect();
    let got: BTreeSet<Finding> = violations.iter().map(|v| finding(v)).collect();
    for (name, status) in tests(report) {
        if status != "pass" && !fixture.fails.contains(&name) {
            wrong.push(format!(
                "Go test {name} is {status}: fixtures' tests must pass"
            ));
        }
    }
    let errors = violations.iter().any(|v| v["severity"] == "error") || !fixture.fails.is_empty();
    if run.code != i32::from(errors) {
        wrong.push(format!(
            "exit code {} with{} error-severity findings",
            run.code,
            if errors { "" } else { " no" }
        ));
    }
    if fixture.wants.is_empty() {
        for (rule, test, site) in &got {
            wrong.push(format!(
                "clean twin has a violation: {rule} {test} at {site}"
            ));
        }
    } else {
        for (rule, test, site) in fixture.wants.difference(&got) {
            wrong.push(format!("missing: {rule} {test} at {site}"));
        }
        for (rule, test, site) in got.difference(&fixture.wants) {
            wrong.push(format!("extra:   {rule} {test} at {site}"));
        }
    }
    // A clean twin is clean for a rule only if the rule ran there and passed.
    let checks: Vec<&Value> = binaries
        .iter()
        .flat_map(|b| b["checks"].as_array().into_iter().flatten())
        .collect();
    for rule in &fixture.clean {
        let of_rule: Vec<&&Value> = checks.iter().filter(|c| c["rule"] == **rule).collect();
        let statuses: BTreeSet<&str> = of_rule
            .iter()
            .map(|c| c["status"].as_str().unwrap_or("?"))
            .collect();
        // n/a: the binary does not link what the rule probes; no data: the probe
        // ran and saw no object to judge. Either is the truth for a twin that
        // does the right thing without the API; skipped never is.
        let judged = ["pass", "n/a", "no data"];
        if statuses.contains("skipped") || !statuses.iter().any(|s| judged.contains(s)) {
            wrong.push(format!(
                "clean for {rule}, but its checks there are {statuses:?}: the rule must run and pass"
            ));
        }
    }
    wrong
}

/// A finding's message with what changes from run to run redacted: heap
/// addresses, goroutine ids, temporary and absolute paths, measured figures
/// and durations (limits and Ticker periods are the rule's and the code's,
/// and kept), a regression's two sides and change, GOMAXPROCS suffixes.
fn redact(message: &str) -> String {
    let root = repo_root().to_string_lossy().into_owned();
    let mut m = message.replace(&root, "[repo]");
    for (pattern, with) in [
        (r"0x[0-9a-fA-F]+", "0x[addr]"),
        (r"(?i)goroutine \d+", "goroutine [id]"),
        (r"/tmp/[^\s,:;)]+", "[tmp]"),
        (r"\b(Benchmark[\w/]*)-\d+\b", "$1-[procs]"),
        // A measured figure: "alloc.bytes = 2869991551 bytes".
        (r"([\w./]+) = \d+(\.\d+)?", "$1 = [value]"),
        // A regression: "alloc.bytes 714240 -> 2952832 bytes (+313.4%, 1 vs 1 samples)".
        (r"\d+(\.\d+)? -> \d+(\.\d+)?", "[baseline] -> [current]"),
        (r"\(([+-])\d+(\.\d+)?%", "($1[change]%"),
        // What an alloc probe saw: sync.Pool reuse (slog's buffers) depends on
        // when the GC ran.
        (
            r"\b\d+ objects, \d+ bytes allocated",
            "[n] objects, [n] bytes allocated",
        ),
        // Finalizer-guarded objects are counted by address, and the GC reuses
        // the addresses of those it finalized: how many depends on its timing.
        (
            r"\b\d+ acquired by runtime\.SetFinalizer",
            "[n] acquired by runtime.SetFinalizer",
        ),
        // A count of calls that depends on time (a spin loop until a deadline).
        (r"\b\d+ calls of time\.Sleep", "[n] calls of time.Sleep"),
    ] {
        m = regex::Regex::new(pattern)
            .expect("regex")
            .replace_all(&m, with)
            .into_owned();
    }
    let duration = regex::Regex::new(r"(<= |>= |period )?\b\d+(\.\d+)?\s?(ns|µs|us|ms|s|m|h)\b")
        .expect("regex");
    duration
        .replace_all(&m, |c: &regex::Captures| match c.get(1) {
            Some(_) => c[0].to_string(),
            None => "[duration]".to_string(),
        })
        .into_owned()
}

/// Every fixture package, against its markers, in one test: all mismatches
/// are collected and reported together; then a snapshot per rule of its findings.
#[test]
fn every_fixture_finds_exactly_its_markers() {
    if !require_ebpf() {
        return;
    }
    let rules = rule_files();
    let fixtures = discover();
    assert!(!fixtures.is_empty(), "no fixture declares markers");
    let mut mismatches = Vec::new();
    // rule -> (package, test, site, message) of every finding.
    let mut by_rule: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for fixture in &fixtures {
        let mut wrong = fixture.errors.clone();
        for rule in fixture.rules() {
            if !rules.contains_key(&rule) {
                wrong.push(format!("names {rule}, which is no file in rules/"));
            }
        }
        let dir = tempfile::tempdir().expect("tempdir");
        match run_fixture(fixture, &rules, dir.path()) {
            Err(e) => wrong.push(e),
            Ok((run, report)) => {
                wrong.extend(judge(fixture, &run, &report));
                for b in report["binaries"].as_array().into_iter().flatten() {
                    for v in b["violations"].as_array().into_iter().flatten() {
                        let (rule, test, site) = finding(v);
                        by_rule.entry(rule).or_default().push(format!(
                            "{test} at {site}: {}",
                            redact(v["message"].as_str().unwrap_or(""))
                        ));
                    }
                }
            }
        }
        if !wrong.is_empty() {
            mismatches.push(format!(
                "fixtures-go/{}:\n  {}",
                fixture.dir,
                wrong.join("\n  ")
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} fixture packages do not match their markers:\n\n{}",
        mismatches.len(),
        fixtures.len(),
        mismatches.join("\n\n")
    );
    for id in rules.keys() {
        let mut findings = by_rule.remove(id).unwrap_or_default();
        findings.sort();
        insta::assert_snapshot!(id.as_str(), findings.join("\n"));
    }
}

/// Built-in rules that are not items of the Go tuning checklist, so carry no
/// `catalog` number: budgets and regressions a team sets for itself.
const NOT_CHECKLIST_ITEMS: [&str; 3] = [
    "alloc-budget",     // a per-test allocation budget, not a checklist item
    "alloc-regression", // a comparison with a baseline
    "bench-regression", // a comparison with a baseline
];

/// The sections every rule's help has, in this order, each a paragraph
/// starting with the bold heading (other sections may come between them).
const HELP_SECTIONS: [&str; 3] = [
    "**What it checks.**",
    "**Why it matters.**",
    "**How to fix.**",
];

/// Every rule: help in the three sections, a catalog number unless it is in
/// the allow-list, and a fixture pair (a package with `want:` markers for it
/// and a clean twin). Every fixture declaration is well-formed and names a rule.
#[test]
fn every_rule_has_help_a_catalog_number_and_a_fixture_pair() {
    let rules = rule_files();
    let fixtures = discover();
    let mut wrong = Vec::new();
    for (id, rule) in &rules {
        let help = rule.get("help").and_then(toml::Value::as_str).unwrap_or("");
        let mut from = 0;
        for section in HELP_SECTIONS {
            let Some(at) = help.lines().position(|l| l.starts_with(section)) else {
                wrong.push(format!("{id}: help has no paragraph starting {section}"));
                continue;
            };
            if at < from {
                wrong.push(format!("{id}: help section {section} is out of order"));
            }
            from = at;
            let body = help.lines().nth(at).unwrap_or("")[section.len()..].trim();
            if body.is_empty() {
                wrong.push(format!("{id}: help section {section} is empty"));
            }
        }
        // `catalog = 42` or `catalog = [33, 42, 98]`.
        let catalog = rule.get("catalog").and_then(|c| {
            c.as_integer().or_else(|| {
                c.as_array()
                    .and_then(|a| a.first())
                    .and_then(toml::Value::as_integer)
            })
        });
        match (catalog, NOT_CHECKLIST_ITEMS.contains(&id.as_str())) {
            (None, false) => wrong.push(format!(
                "{id}: no catalog number (or add it to NOT_CHECKLIST_ITEMS, saying why)"
            )),
            (Some(n), true) => wrong.push(format!(
                "{id}: catalog {n}, yet listed in NOT_CHECKLIST_ITEMS"
            )),
            _ => {}
        }
        if !fixtures
            .iter()
            .any(|f| f.wants.iter().any(|(r, _, _)| r == id))
        {
            wrong.push(format!(
                "{id}: no fixture package has a `// want: {id} TestName` marker"
            ));
        }
        if !fixtures.iter().any(|f| f.clean.contains(id)) {
            wrong.push(format!(
                "{id}: no fixture package is its clean twin (`// gate:clean {id}`)"
            ));
        }
    }
    for f in &fixtures {
        for e in &f.errors {
            wrong.push(e.clone());
        }
        for rule in f.rules() {
            if !rules.contains_key(&rule) {
                wrong.push(format!(
                    "fixtures-go/{}: names {rule}, which is no file in rules/",
                    f.dir
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
