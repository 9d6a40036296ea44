//! Command-line arguments, and nothing else: parsing lives here, work elsewhere.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    args_override_self = true,
    name = "gate",
    version = env!("GATE_VERSION"),
    about = "A CI regression gate for Go: runs Go tests under eBPF probes and GODEBUG=gctrace=1 and fails the build when a rule is broken.",
    long_about = "gate runs a Go test binary (or builds one per package with `go test -c`), measures what the \
code under test really did, checks the figures against declarative rules and writes JUnit, SARIF and JSON \
reports.\n\nExit codes: 0 all checks and tests passed; 1 a check or a Go test failed; 2 usage or \
configuration error; 3 environment error (not a Go test binary, no Go toolchain, no eBPF).",
    after_help = "Examples:\n  gate run ./...                                # build and check every package with tests\n  gate run --junit junit.xml --sarif gate.sarif ./pkg.test\n  gate run ./pkg -- -test.run '^TestFoo$'       # flags after -- go to the test binary\n  gate rules                                    # list the built-in rules\n  gate explain goroutine-leak                   # what a rule checks and how to fix it"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run Go tests under gate and check them against the rules.
    #[command(
        after_help = "Examples:\n  gate run ./...\n  gate run --rules rules/ --junit junit.xml --sarif gate.sarif --json gate.json ./pkg.test\n  gate run --timeout 2m ./internal/... -- -test.run '^TestAPI' -test.count 1"
    )]
    Run(RunArgs),
    /// Combine the JSON reports of parallel CI jobs (shards) into one verdict and one set of reports.
    #[command(
        after_help = "Exit codes as for `gate run`: 0 everything passed, 1 a test, check or regression failed.\n\nExamples:\n  gate merge --junit junit.xml --sarif gate.sarif shard-*/gate.json\n  gate merge --baseline base/gate.json --json gate.json a.json b.json"
    )]
    Merge(MergeArgs),
    /// List the loaded rules (id, title, severity, scope), or the metrics rules can use.
    #[command(
        after_help = "Examples:\n  gate rules\n  gate rules --rules my-rules/\n  gate rules --metrics\n  gate rules --markdown > docs/checks.md"
    )]
    Rules(RulesArgs),
    /// Print a rule's documentation: checklist items, severity, check, metrics and help.
    #[command(
        after_help = "Exit code 2 for an unknown rule id, with the closest ids.\n\nExamples:\n  gate explain goroutine-leak\n  gate explain --rules my-rules/ big-reads"
    )]
    Explain(ExplainArgs),
    /// Print a shell completion script for gate.
    #[command(
        after_help = "Examples:\n  gate completions bash > /etc/bash_completion.d/gate\n  gate completions zsh > \"${fpath[1]}/_gate\"\n  gate completions fish > ~/.config/fish/completions/gate.fish"
    )]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct RuleSource {
    /// Rule file or directory of *.toml rule files; repeat to combine. Default: the built-in catalog.
    ///
    /// Example: --rules rules/ --rules extra/alloc-budget.toml
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,

    /// The configuration file; default: the first .gate.toml from the current
    /// directory up. It adds rules to the catalog, changes, enables and
    /// disables them, and sets default `gate run` flags.
    ///
    /// Example: --config ci/gate.toml
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ReportFiles {
    /// At most one report can go to stdout (`-`).
    pub fn check(&self) -> Result<(), String> {
        let on_stdout: Vec<&str> = [
            ("--json", &self.json),
            ("--junit", &self.junit),
            ("--sarif", &self.sarif),
        ]
        .into_iter()
        .filter(|(_, p)| p.as_deref().is_some_and(|p| p.as_os_str() == "-"))
        .map(|(flag, _)| flag)
        .collect();
        if on_stdout.len() > 1 {
            return Err(format!(
                "{} write to stdout (-), where they would be mixed: give all but one a file",
                on_stdout.join(" and ")
            ));
        }
        Ok(())
    }
}

/// The report files of `gate run` and `gate merge`.
#[derive(Debug, Args)]
pub struct ReportFiles {
    /// Write a JUnit XML report here (one testsuite per test binary).
    ///
    /// Example: --junit reports/gate-junit.xml
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write a SARIF 2.1.0 report here, for GitHub code scanning.
    ///
    /// Example: --sarif reports/gate.sarif
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,

    /// Write the JSON report here (the stable format; it can serve as a baseline).
    ///
    /// Example: --json reports/gate.json; `--json -` writes it to stdout (the
    /// terminal summary then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// JUnit with a testcase for every check of every rule and test (the full
    /// matrix), not only for the rules that failed or warned.
    #[arg(long)]
    pub junit_all_checks: bool,

    /// Show every passing check in the terminal too, not only failures and warnings.
    #[arg(long, short = 'v', visible_alias = "show-passing")]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub rules: RuleSource,

    #[command(flatten)]
    pub reports: ReportFiles,

    /// Kill a test binary (its whole process group) that runs longer than this.
    ///
    /// Accepts Go-style durations: 90s, 10m, 1h30m. Example: --timeout 5m
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Turn on an opt-in rule (one whose file says enabled = false); repeatable.
    ///
    /// Example: --enable sync-pool-low-reuse
    #[arg(long, value_name = "RULE_ID")]
    pub enable: Vec<String>,

    /// Run without eBPF: only rules that need no eBPF are checked; the others are reported as skipped.
    #[arg(long)]
    pub no_ebpf: bool,

    /// Let a test binary that runs no test pass (a -test.run filter that matches
    /// nothing, a package with only benchmarks skipped): by default that fails,
    /// since a green run must mean the tests ran.
    #[arg(long)]
    pub allow_no_tests: bool,

    /// Compare with a JSON report of an earlier run (main's): rules with [[regression]] sections fail on a regression.
    ///
    /// Example: --baseline baseline/gate.json
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Run each test binary N times: N samples per test metric for statistical comparisons.
    ///
    /// For benchmarks, -- -test.count N gives N samples in one run. Example: --repeat 5
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: u32,

    /// How many packages build and how many test binaries run at once (as
    /// `go test -p`); default: `-p=N` in GOFLAGS, else the number of CPUs.
    /// `-p 1` runs one binary at a time, for timings that share no CPU;
    /// with `-bench` the binaries always run one at a time, as in `go test`.
    #[arg(short = 'p', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub parallel: Option<u32>,

    /// Go test binaries built with `go test -c`, or package patterns (./..., ./pkg) that gate builds.
    #[arg(value_name = "TARGET", required = true)]
    pub targets: Vec<String>,

    /// Flags passed to every test binary, after `--` (e.g. -- -test.run '^TestX$' -test.count 2).
    #[arg(last = true, value_name = "TEST_FLAGS", allow_hyphen_values = true)]
    pub test_flags: Vec<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    #[command(flatten)]
    pub rules: RuleSource,

    /// Compare the merged report with this baseline (instead of comparisons the shards made).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    #[command(flatten)]
    pub reports: ReportFiles,

    /// JSON reports written by `gate run --json` in each shard.
    #[arg(value_name = "REPORT", required = true)]
    pub shards: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub rules: RuleSource,

    /// List the metrics rules can check instead of the rules.
    #[arg(long)]
    pub metrics: bool,

    /// Print docs/checks.md instead: every checklist item with its rule, signal and limit.
    ///
    /// Example: gate rules --markdown > docs/checks.md
    #[arg(long, conflicts_with = "metrics")]
    pub markdown: bool,

    /// Output format: a table for people, or JSON for machines.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub rules: RuleSource,

    /// The rule to explain (see `gate rules`).
    #[arg(value_name = "RULE_ID", required_unless_present = "all")]
    pub rule: Option<String>,

    /// Every rule, as Markdown: the rule reference (docs/rule-reference.md).
    ///
    /// Example: gate explain --all > docs/rule-reference.md
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
}

/// Parses a Go-style duration: a sequence of number+unit pairs (ns, us, ms, s, m, h).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid =
        || format!("invalid duration {text:?}: use Go-style durations such as 90s, 10m or 1h30m");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let (number, tail) = rest.split_at(number_len);
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let seconds = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        total += value * seconds;
        rest = tail;
    }
    if total <= 0.0 {
        return Err(format!(
            "invalid duration {text:?}: must be greater than zero"
        ));
    }
    // Go's time.Duration holds at most 2^63-1 ns (about 292 years).
    if !total.is_finite() || total > i64::MAX as f64 / 1e9 {
        return Err(format!(
            "invalid duration {text:?}: at most 2562047h, the largest Go duration"
        ));
    }
    let duration = Duration::from_secs_f64(total);
    // Go truncates to whole nanoseconds: `.1ns` is no time at all.
    if duration.is_zero() {
        return Err(format!("invalid duration {text:?}: must be at least 1ns"));
    }
    Ok(duration)
}

/// Rewrites go test's flags given to `gate run` before `--` into what gate
/// understands: `-run X` / `-run=X` become the test binary's `-test.run=X`
/// after `--`, `-timeout D` becomes `--timeout D`. Everything else is left for
/// clap, which rejects what it does not know.
pub fn go_test_style(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_none_or(|a| a != "run") {
        return args;
    }
    let (mut kept, mut moved) = (Vec::new(), Vec::new());
    let mut rest = args.into_iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            break;
        }
        let text = arg.to_string_lossy().into_owned();
        let single_dash = text.starts_with('-') && !text.starts_with("--");
        let (name, inline) = match text[1.min(text.len())..].split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (text[1.min(text.len())..].to_string(), None),
        };
        if single_dash && name == "timeout" {
            kept.push("--timeout".into());
            match inline {
                Some(v) => kept.push(v.into()),
                None => kept.extend(rest.next()),
            }
            continue;
        }
        match crate::run::test_flags::GO_TEST_FLAGS
            .iter()
            .find(|(n, _)| *n == name)
        {
            Some((_, takes_value)) if single_dash => {
                let value = match inline {
                    Some(v) => Some(v),
                    None if *takes_value => rest.next().map(|v| v.to_string_lossy().into_owned()),
                    None => None,
                };
                moved.push(match value {
                    Some(v) => format!("-test.{name}={v}").into(),
                    None => format!("-test.{name}").into(),
                });
            }
            _ => kept.push(arg),
        }
    }
    let after: Vec<_> = rest.collect();
    if !moved.is_empty() || !after.is_empty() {
        kept.push("--".into());
        kept.extend(moved);
        kept.extend(after);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_test_flags_before_the_targets_go_to_the_binary() {
        let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(
            go_test_style(args(&[
                "gate",
                "run",
                "-run",
                "TestX",
                "-count=2",
                "-short",
                "-timeout",
                "5m",
                "-p",
                "2",
                "-v",
                "./...",
                "--",
                "-test.cpu",
                "1"
            ])),
            args(&[
                "gate",
                "run",
                "--timeout",
                "5m",
                "-p",
                "2",
                "-v",
                "./...",
                "--",
                "-test.run=TestX",
                "-test.count=2",
                "-test.short",
                "-test.cpu",
                "1"
            ])
        );
        // gate's own flags and other commands are left alone.
        let same = args(&["gate", "run", "--rules", "r/", "x.test"]);
        assert_eq!(go_test_style(same.clone()), same);
        let merge = args(&["gate", "merge", "-run", "x"]);
        assert_eq!(go_test_style(merge.clone()), merge);
        // The parsed result: test flags, timeout and parallelism where clap puts them.
        let cli = Cli::try_parse_from(go_test_style(args(&[
            "gate",
            "run",
            "-bench=.",
            "-timeout=90s",
            "-p",
            "3",
            "./pkg",
        ])))
        .expect("parses");
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.test_flags, ["-test.bench=."]);
        assert_eq!(run.timeout, Duration::from_secs(90));
        assert_eq!(run.parallel, Some(3));
        assert_eq!(run.targets, ["./pkg"]);
    }

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("ten minutes").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration(".1ns").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    mod never_panics {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_duration_text_parses_or_is_refused(text in r"([0-9]{0,25}(\.[0-9]{0,5})?(ns|us|µs|ms|s|m|h|x)?){0,3}") {
                if let Ok(d) = parse_duration(&text) {
                    prop_assert!(d > Duration::ZERO);
                    prop_assert!(std::time::Instant::now().checked_add(d).is_some());
                }
            }
        }
    }
}
