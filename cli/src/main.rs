//! gate: a CI regression gate for Go.
//!
//! Data flows one way (docs/architecture.md):
//! rules --load--> RuleSet; TARGET --target--> test binaries + BinaryInfo;
//! bpf (plan, attach) + run --> RunRecord + BpfRecord; observe --> Observations;
//! check --> check results; report (model) --> baseline --> report writers; exit code.
//! `pipeline` strings the stages together for `gate run` and `gate merge`.

mod baseline;
mod bpf;
mod check;
mod cli;
mod config;
mod docs;
mod error;
mod observe;
mod pipeline;
mod report;
mod rules;
mod run;
mod stats;
mod target;
mod units;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, RuleSource, RulesArgs};
use error::{GateError, exit};
use rules::RuleSet;

fn main() -> ExitCode {
    let args = match with_config_defaults(cli::go_test_style(std::env::args_os().collect())) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("gate: error: {e}");
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE as u8
            } else {
                exit::OK as u8
            });
        }
    };
    let result = match cli.command {
        Command::Run(args) => pipeline::run(args),
        Command::Merge(args) => pipeline::merge(args),
        Command::Rules(args) if args.markdown => docs::markdown(args),
        Command::Rules(args) => list_rules(args),
        Command::Explain(args) => docs::explain(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "gate", &mut script);
            write_stdout(&String::from_utf8_lossy(&script));
            Ok(exit::OK)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            // Each message once: most errors already quote their cause.
            let mut said = e.to_string();
            eprintln!("gate: error: {said}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                let text = cause.to_string();
                if !said.contains(&text) {
                    eprintln!("  caused by: {text}");
                    said.push_str(&text);
                }
                source = cause.source();
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// `gate run`'s arguments with the `[run]` defaults of the configuration
/// put first (flags after `run`, test flags first after `--`): the user's
/// own come later and win.
fn with_config_defaults(
    mut args: Vec<std::ffi::OsString>,
) -> Result<Vec<std::ffi::OsString>, GateError> {
    if args.get(1).is_none_or(|a| a != "run") {
        return Ok(args);
    }
    let Some(config) = config::find(config::explicit_path(&args).as_deref())? else {
        return Ok(args);
    };
    let (flags, test_flags) = config.run_arguments();
    let mut out: Vec<std::ffi::OsString> = args.drain(..2).collect();
    out.extend(flags);
    match args.iter().position(|a| a == "--") {
        Some(dash) => {
            out.extend(args.drain(..=dash));
            out.extend(test_flags);
            out.extend(args);
        }
        None => {
            out.extend(args);
            if !test_flags.is_empty() {
                out.push("--".into());
                out.extend(test_flags);
            }
        }
    }
    Ok(out)
}

/// The rules to use: `--rules` files or the built-in catalog, then the
/// configuration's additions and changes. Its warnings are printed.
pub fn load_rules(source: &RuleSource) -> Result<RuleSet, GateError> {
    let (set, warnings) = load_rules_with_warnings(source)?;
    for w in &warnings {
        eprintln!("gate: warning: {w}");
    }
    Ok(set)
}

/// As `load_rules`, the configuration's warnings returned (for the reports).
pub fn load_rules_with_warnings(source: &RuleSource) -> Result<(RuleSet, Vec<String>), GateError> {
    let base = if source.rules.is_empty() {
        rules::load_builtin()?
    } else {
        rules::load_paths(&source.rules)?
    };
    match config::find(source.config.as_deref())? {
        Some(config) => config.apply(base),
        None => Ok((base, Vec::new())),
    }
}

fn list_rules(args: RulesArgs) -> Result<i32, GateError> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    if args.metrics {
        rows.push(["METRIC", "UNIT", "SIGNAL", "DESCRIPTION"].map(String::from));
        // The built-in signals' metrics, then those each probe kind declares
        // for a probe named <name> (and an output pattern's).
        for m in rules::metrics::METRICS {
            rows.push([
                m.name.to_string(),
                m.unit.to_string(),
                m.signal.describe().to_string(),
                m.description.to_string(),
            ]);
        }
        for kind in rules::probe::ProbeKind::ALL {
            for m in rules::probe::metrics_of(kind, "<name>", "the probed function") {
                rows.push([
                    m.name.to_string(),
                    m.unit.to_string(),
                    format!("{} kind = {:?}", m.signal.describe(), kind.as_str()),
                    m.description.to_string(),
                ]);
            }
        }
        rows.push([
            "output.<name>".into(),
            "lines".into(),
            rules::metrics::Signal::TestOutput.describe().into(),
            "Lines of a test's output matching an [[output]] pattern, one finding per site.".into(),
        ]);
    } else if args.format == cli::ListFormat::Json {
        // The effective rule set for machines: one object per rule.
        let set = load_rules(&args.rules)?;
        let rules: Vec<serde_json::Value> = set
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "title": r.title, "severity": r.severity.as_str(),
                    "scope": r.scope.as_str(), "enabled": r.enabled, "catalog": r.catalog,
                    "check": r.describe_check(), "origin": r.origin,
                    "ignores": r.ignores.len(),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&rules)
            .map_err(|e| GateError::io("encoding the rules as JSON", e.into()))?;
        write_stdout(&(text + "\n"));
        return Ok(exit::OK);
    } else {
        let set = load_rules(&args.rules)?;
        rows.push(["ID", "SEVERITY", "SCOPE", "TITLE / CHECK"].map(String::from));
        for r in &set.rules {
            // Opt-in rules are marked: they run only with `gate run --enable ID`.
            let title = if r.enabled {
                r.title.clone()
            } else {
                format!("{} (opt-in: --enable {})", r.title, r.id)
            };
            rows.push([
                r.id.clone(),
                r.severity.as_str().to_string(),
                r.scope.as_str().to_string(),
                format!("{title}\n    {}", r.describe_check()),
            ]);
        }
    }
    let widths: Vec<usize> = (0..3)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    // The last column may hold a second line: indent it under the last column.
    let indent = " ".repeat(widths.iter().sum::<usize>() + 3 * 2);
    for row in &rows {
        let last = row[3].replace("\n    ", &format!("\n{indent}"));
        out.push_str(&format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {last}\n",
            row[0],
            row[1],
            row[2],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    }
    write_stdout(&out);
    Ok(exit::OK)
}

/// `GATE_TIMINGS=1`: gate prints its phases, probes and per-program hits to
/// stderr (bench/overhead.py reads them).
pub fn timings() -> bool {
    std::env::var_os("GATE_TIMINGS").is_some()
}

/// Writes to stdout; a closed pipe (`gate rules | head`) is not an error worth a panic.
pub fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}
