//! gate: a CI regression gate for Go.
//!
//! Data flows one way (DESIGN.md):
//! rules --load--> RuleSet; TARGET --target--> test binaries + BinaryInfo;
//! run --> RunRecord; observe --> Observations; rules::evaluate --> checks;
//! report --> terminal, JSON, JUnit, SARIF; exit code.

mod baseline;
mod bpf;
mod cli;
mod docs;
mod error;
mod observe;
mod report;
mod rules;
mod run;
mod stats;
mod target;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use cli::{Cli, Command, MergeArgs, RuleSource, RulesArgs, RunArgs};
use error::{GateError, exit};
use rules::RuleSet;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
        Command::Run(args) => run(args),
        Command::Merge(args) => merge(args),
        Command::Rules(args) if args.markdown => docs::markdown(args),
        Command::Rules(args) => list_rules(args),
        Command::Explain(args) => docs::explain(args),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("gate: error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn load_rules(source: &RuleSource) -> Result<RuleSet, GateError> {
    Ok(if source.rules.is_empty() {
        rules::load_builtin()?
    } else {
        rules::load_paths(&source.rules)?
    })
}

fn list_rules(args: RulesArgs) -> Result<i32, GateError> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    if args.metrics {
        rows.push(["METRIC", "UNIT", "SIGNAL", "DESCRIPTION"].map(String::from));
        for m in rules::metrics::METRICS {
            rows.push([
                m.name.to_string(),
                m.unit.to_string(),
                m.signal.describe().to_string(),
                m.description.to_string(),
            ]);
        }
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
fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

fn run(mut args: RunArgs) -> Result<i32, GateError> {
    let rule_set = load_rules(&args.rules)?
        .select(&args.enable)
        .map_err(GateError::Usage)?;
    // Read the baseline before running anything: a wrong path fails fast.
    let baseline = match &args.baseline {
        Some(path) => Some(baseline::read_report(path, "baseline")?),
        None => None,
    };
    run::test_flags::add_benchmem(&mut args.test_flags);
    let cwd = std::env::current_dir()
        .map_err(|e| GateError::io("cannot read the current directory", e))?;
    let root = target::repository_root(&cwd);

    let engine = EnginePlan::from_rules(&rule_set, args.no_ebpf);
    let mut preloader = bpf::Preloader::default();
    if engine.enabled {
        preloader.prepare();
    }

    // Resolve every target before running anything: a typo fails fast.
    let specs = args
        .targets
        .iter()
        .map(|t| target::classify(t))
        .collect::<Result<Vec<_>, _>>()?;
    let build_dir = tempfile::Builder::new()
        .prefix("gate-build-")
        .tempdir()
        .map_err(|e| GateError::io("cannot create a temporary directory", e))?;
    let mut binaries = Vec::new();
    for spec in specs {
        match spec {
            target::TargetSpec::Binary(path) => binaries.push(target::TestBinary {
                path,
                workdir: None,
                built_from: None,
            }),
            target::TargetSpec::Pattern(p) => {
                binaries.extend(target::build_packages(&p, build_dir.path())?)
            }
        }
    }
    if binaries.is_empty() {
        return Err(GateError::Usage(
            "no test binaries to run: the package patterns matched only packages without tests"
                .into(),
        ));
    }
    // Start-up phases, printed with GATE_TIMINGS=1 (bench/overhead.py reads them).
    let mut inspect_ms = Vec::new();
    let mut infos = Vec::new();
    for b in &binaries {
        let started = Instant::now();
        infos.push(target::inspect(&b.path, &root)?);
        inspect_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    if engine.enabled {
        bpf::check_privileges()?;
    }
    let mut probes_attached = vec![false; engine.user_probes.len()];

    let mut reports = Vec::new();
    let mut finished_sessions = Vec::new();
    for ((binary, info), inspect_ms) in binaries.iter().zip(&infos).zip(&inspect_ms) {
        let mut combined: Option<report::BinaryReport> = None;
        for run_index in 0..args.repeat {
            if run_index > 0 {
                // Probes left attached to this binary would trap in the next run too: detach now.
                finished_sessions.clear();
            }
            let ctx = RunContext {
                args: &args,
                rule_set: &rule_set,
                engine: &engine,
            };
            let one = run_binary(
                &ctx,
                binary,
                info,
                *inspect_ms,
                &mut probes_attached,
                &mut finished_sessions,
                &mut preloader,
            )?;
            match &mut combined {
                None => combined = Some(one),
                Some(c) => c.absorb(one),
            }
        }
        reports.extend(combined);
    }
    if let Some(i) = probes_attached
        .iter()
        .position(|seen| !seen)
        .filter(|_| engine.enabled)
    {
        let (probe, _) = &engine.user_probes[i];
        return Err(GateError::UnknownProbeSymbol {
            file: engine.probe_files[i].clone(),
            symbol: probe.symbol.clone(),
        });
    }
    let mut report = report::Report::new(reports);
    if let Some(base) = &baseline {
        baseline::compare(&mut report, base, &rule_set);
    }
    let code = emit(&report, &rule_set, &root, &args.reports)?;
    bpf::release_in_background(finished_sessions);
    // The binaries' symbols and line tables are large and about to go with the
    // process: freeing them piece by piece took ~10 ms on a 12 MB binary.
    std::mem::forget(infos);
    Ok(code)
}

/// Writes every report of a finished run or merge, and returns the exit code.
fn emit(
    report: &report::Report,
    rule_set: &RuleSet,
    root: &std::path::Path,
    files: &cli::ReportFiles,
) -> Result<i32, GateError> {
    if let Some(path) = &files.json {
        report::json::write(report, path)?;
    }
    if let Some(path) = &files.junit {
        report::junit::write(report, rule_set, path)?;
    }
    if let Some(path) = &files.sarif {
        report::sarif::write(report, rule_set, root, path)?;
    }
    write_stdout(&report::terminal::render(report));
    report::github::publish(report)?;
    Ok(if report.passed() {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// `gate merge`: one verdict from the reports of parallel shards.
fn merge(args: MergeArgs) -> Result<i32, GateError> {
    let rule_set = load_rules(&args.rules)?;
    let mut parts = Vec::new();
    for path in &args.shards {
        parts.push(baseline::read_report(path, "report")?);
    }
    // SARIF and JUnit describe findings by their rules: every rule a shard used must be known.
    for part in &parts {
        for v in part.binaries.iter().flat_map(|b| &b.violations) {
            if rule_set.get(&v.rule).is_none() {
                return Err(GateError::Usage(format!(
                    "a report names rule {:?}, which the loaded rules lack; pass the --rules the shards ran with",
                    v.rule
                )));
            }
        }
    }
    let mut report = report::Report::combine(parts);
    if let Some(path) = &args.baseline {
        let base = baseline::read_report(path, "baseline")?;
        baseline::compare(&mut report, &base, &rule_set);
    }
    let cwd = std::env::current_dir()
        .map_err(|e| GateError::io("cannot read the current directory", e))?;
    let root = target::repository_root(&cwd);
    emit(&report, &rule_set, &root, &args.reports)
}

/// What every run of every binary shares.
struct RunContext<'a> {
    args: &'a RunArgs,
    rule_set: &'a RuleSet,
    engine: &'a EnginePlan,
}

/// Runs one test binary once: plan, attach, run, observe, evaluate.
fn run_binary(
    ctx: &RunContext,
    binary: &target::TestBinary,
    info: &target::BinaryInfo,
    inspect_ms: f64,
    probes_attached: &mut [bool],
    finished_sessions: &mut Vec<bpf::Session>,
    preloader: &mut bpf::Preloader,
) -> Result<report::BinaryReport, GateError> {
    let (args, rule_set, engine) = (ctx.args, ctx.rule_set, ctx.engine);
    let mut cfg = run::RunConfig {
        binary: binary.path.clone(),
        workdir: binary.workdir.clone(),
        test_flags: args.test_flags.clone(),
        timeout: args.timeout,
        framed: info.supports_framed_output(),
    };
    // Benchmarks run in a pass of their own, before any probe is attached: timed
    // without traps, and their runtime.GC() calls kept apart from the tests' GC figures.
    let mut bench_pass = None;
    if let Some((bench_flags, test_flags)) = run::test_flags::split_benchmarks(&cfg.test_flags) {
        let bench_cfg = run::RunConfig {
            test_flags: bench_flags,
            ..cfg.clone()
        };
        let mut progress = report::progress::Progress::new(&info.package);
        let record = run::execute(&bench_cfg, None, &mut |e| progress.on_event(e))?;
        progress.finish();
        bench_pass = Some(observe::collect(&record, args.timeout));
        cfg.test_flags = test_flags;
    }
    // Plan the probes for this binary before it starts: a missing symbol is an error now, not a silent pass.
    let planning = Instant::now();
    let plan = if engine.enabled {
        preloader.prepare();
        let present: Vec<bool> = engine
            .user_probes
            .iter()
            .map(|(p, _)| info.has_function(&p.symbol))
            .collect();
        let user: Vec<bpf::plan::UserProbe> = engine
            .user_probes
            .iter()
            .zip(&present)
            .filter(|(_, here)| **here)
            .map(|((p, _), _)| p.clone())
            .collect();
        for (seen, here) in probes_attached.iter_mut().zip(&present) {
            *seen |= *here;
        }
        let plan =
            bpf::plan::plan(info, &engine.signals, &user).map_err(|m| GateError::EngineTarget {
                binary: binary.path.display().to_string(),
                rules: engine.rule_ids.join(", "),
                symbol: m.symbol,
                what: m.what,
            })?;
        if timings() {
            let mut probes: Vec<String> = plan
                .attachments
                .iter()
                .map(|a| format!("{}@{}", a.program, a.symbol))
                .collect();
            probes.dedup();
            eprintln!("gate: {}: probes {}", info.package, probes.join("; "));
        }
        Some((plan, user))
    } else {
        None
    };
    let plan_ms = planning.elapsed().as_secs_f64() * 1000.0;
    let mut session = None;
    let mut attach_ms = 0.0;
    let mut attach = |pid: u32| -> Result<(), GateError> {
        if let Some((plan, _)) = &plan {
            let started = Instant::now();
            session = Some(bpf::start(plan, &binary.path, pid, preloader)?);
            attach_ms = started.elapsed().as_secs_f64() * 1000.0;
        }
        info.start_loading_lines();
        Ok(())
    };
    if plan.is_none() {
        info.start_loading_lines();
    }
    let mut progress = report::progress::Progress::new(&info.package);
    let record = run::execute(
        &cfg,
        plan.is_some().then_some(&mut attach as run::Attach),
        &mut |e| progress.on_event(e),
    )?;
    progress.finish();
    if timings() {
        eprintln!(
            "gate: {}: start-up {:.1} ms (inspect {inspect_ms:.1}, plan {plan_ms:.1}, load+attach {attach_ms:.1})",
            info.package,
            inspect_ms + plan_ms + attach_ms
        );
    }
    let after_run = Instant::now();
    let mut observations = observe::collect(&record, args.timeout);
    let output_ms = after_run.elapsed().as_secs_f64() * 1000.0;
    let (mut finish_ms, mut interpret_ms) = (0.0, 0.0);
    if let (Some(mut session), Some((_, user))) = (session, &plan) {
        let finishing = Instant::now();
        let bpf_record = session.finish();
        finished_sessions.push(session);
        finish_ms = finishing.elapsed().as_secs_f64() * 1000.0;
        let interpreting = Instant::now();
        let names: Vec<observe::engine::ProbeName> = user
            .iter()
            .enumerate()
            .map(|(i, p)| observe::engine::ProbeName {
                index: bpf::plan::FIRST_USER_PROBE + i as u32,
                metric: engine
                    .user_probes
                    .iter()
                    .find(|(q, _)| q == p)
                    .map(|(_, m)| m.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let reasons = target::probes::wait_reasons(info);
        let tracked = engine
            .signals
            .contains(&bpf::plan::EngineSignal::Goroutines);
        let seen = observe::engine::interpret(&bpf_record, info, &reasons, &names, tracked);
        if seen.lost_events > 0 {
            observations.warnings.push(format!(
                "the eBPF engine lost {} events (ring buffer or goroutine map full): \
                 lifecycle counts and their attribution to tests may be incomplete",
                seen.lost_events
            ));
        }
        observations.warnings.extend(seen.notes.iter().cloned());
        observations.engine = Some(seen);
        interpret_ms = interpreting.elapsed().as_secs_f64() * 1000.0;
    }
    if let Some(bench) = bench_pass {
        observations.absorb_benchmark_pass(bench);
    }
    let checking = Instant::now();
    let checks = rules::evaluate(rule_set, &observations);
    // A binary gate built is gone after the run: point at its package directory instead.
    let shown_path = match &binary.workdir {
        Some(dir) if binary.built_from.is_some() => run::display_path(dir),
        _ => run::display_path(&binary.path),
    };
    let mut binary_report =
        report::BinaryReport::build(info, shown_path, &observations, &checks, rule_set);
    binary_report.built = binary.built_from.is_some();
    if timings() {
        eprintln!(
            "gate: {}: after the run {:.1} ms (output {output_ms:.1}, engine {finish_ms:.1}, \
             interpret {interpret_ms:.1}, checks and report {:.1})",
            info.package,
            after_run.elapsed().as_secs_f64() * 1000.0,
            checking.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(binary_report)
}

/// What the enabled rules need from the eBPF engine.
struct EnginePlan {
    enabled: bool,
    signals: Vec<bpf::plan::EngineSignal>,
    /// Every `[[probe]]` of the rules, with its metric name.
    user_probes: Vec<(bpf::plan::UserProbe, String)>,
    probe_files: Vec<String>,
    rule_ids: Vec<String>,
}

impl EnginePlan {
    fn from_rules(rules: &RuleSet, no_ebpf: bool) -> Self {
        use bpf::plan::EngineSignal;
        use rules::metrics::Signal;
        let mut signals = Vec::new();
        let mut rule_ids = Vec::new();
        let mut user_probes = Vec::new();
        let mut probe_files = Vec::new();
        for rule in rules.rules.iter().filter(|r| r.needs_ebpf()) {
            rule_ids.push(rule.id.clone());
            for m in rule.metrics() {
                let s = match m.signal {
                    Signal::Goroutines => EngineSignal::Goroutines,
                    Signal::Tickers => EngineSignal::Tickers,
                    Signal::Allocations => EngineSignal::Allocations,
                    Signal::Pools => EngineSignal::Pools,
                    Signal::HttpBodies => EngineSignal::HttpBodies,
                    _ => continue,
                };
                if !signals.contains(&s) {
                    signals.push(s);
                }
            }
            for p in &rule.probes {
                user_probes.push((
                    bpf::plan::UserProbe {
                        symbol: p.symbol.clone(),
                        predicate: p.predicate,
                    },
                    p.metric.name.to_string(),
                ));
                probe_files.push(rule.origin.clone());
            }
        }
        EnginePlan {
            enabled: !no_ebpf && !rule_ids.is_empty(),
            signals,
            user_probes,
            probe_files,
            rule_ids,
        }
    }
}
