//! The pipeline of `gate run` and `gate merge`: each stage's output is the
//! next one's input (docs/architecture.md). Rules are loaded, targets built
//! and inspected, each binary planned, attached, run, observed and checked;
//! the binaries' reports are compared with a baseline and written.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use crate::cli::{self, MergeArgs, RunArgs};
use crate::error::{GateError, exit};
use crate::rules::RuleSet;
use crate::{
    baseline, bpf, check, load_rules, observe, report, rules, run, target, timings, write_stdout,
};

pub fn run(mut args: RunArgs) -> Result<i32, GateError> {
    args.reports.check().map_err(GateError::Usage)?;
    let (rule_set, config_warnings) = crate::load_rules_with_warnings(&args.rules)?;
    let rule_set = rule_set.select(&args.enable).map_err(GateError::Usage)?;
    // Read the baseline before running anything: a wrong path fails fast.
    let baseline = match &args.baseline {
        Some(path) => Some(baseline::read_baseline(path)?),
        None => None,
    };
    args.test_flags = run::test_flags::normalise(&args.test_flags);
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
    // From here on, Ctrl-C and SIGTERM unwind (see run::interrupt).
    run::interrupt::install();
    let build_dir = tempfile::Builder::new()
        .prefix("gate-build-")
        .tempdir()
        .map_err(|e| GateError::io("cannot create a temporary directory", e))?;
    let mut binaries = Vec::new();
    let mut build_failures = Vec::new();
    for spec in specs {
        match spec {
            target::TargetSpec::Binary(path) => binaries.push(target::TestBinary {
                path,
                workdir: None,
                built_from: None,
            }),
            target::TargetSpec::Pattern(p) => {
                let built = target::build_packages(&p, build_dir.path(), args.parallel)?;
                binaries.extend(built.binaries);
                build_failures.extend(built.failures);
            }
        }
    }
    if binaries.is_empty() && build_failures.is_empty() {
        return Err(GateError::Usage(
            "no test binaries to run: the package patterns matched only packages without tests"
                .into(),
        ));
    }
    if engine.enabled {
        bpf::check_privileges()?;
    }
    // Benchmarks run one binary at a time whatever -p says, as `go test -bench`
    // runs them: ns/op measured while another binary has the CPUs means nothing.
    let jobs = if run::test_flags::runs_benchmarks(&args.test_flags) {
        1
    } else {
        args.parallel
            .map_or_else(target::parallelism, |n| n as usize)
            .clamp(1, binaries.len().max(1))
    };
    let ignores_used = Mutex::new(BTreeSet::new());
    let ctx = RunContext {
        args: &args,
        rule_set: &rule_set,
        engine: &engine,
        ignores_used: &ignores_used,
        root: &root,
        whole_output: jobs > 1,
        read_by_rules: regex::RegexSet::new(
            rule_set
                .rules
                .iter()
                .flat_map(|r| &r.outputs)
                .map(|o| o.pattern.as_str()),
        )
        .ok(),
    };
    let releaser = bpf::Releaser::start();
    let ran = run_all(&ctx, &binaries, jobs, preloader, &releaser)?;

    // A package that did not compile is one red package; the others still run.
    let mut reports: Vec<report::BinaryReport> = build_failures
        .iter()
        .map(|f| report::BinaryReport::build_failed(f, run::display_path(&f.dir)))
        .collect();
    reports.extend(ran.reports);
    let probes_attached = ran.probes_attached;
    // A probe found in no binary: its rules were not applicable anywhere. Misspelled,
    // inlined, or a package these tests do not link: an error only where the rule says so.
    // Built-in rules name functions that exist; most tests just do not link them (their
    // checks say "n/a"), so only the team's own rule files are warned about.
    let mut nowhere = Vec::new();
    for ((probe, file), seen) in engine.declared.iter().zip(&probes_attached) {
        if *seen || !engine.enabled {
            continue;
        }
        if probe.required {
            return Err(GateError::UnknownProbeSymbol {
                file: file.clone(),
                symbol: probe.point.symbol.clone(),
            });
        }
        if file.ends_with(crate::rules::BUILTIN_SUFFIX) {
            continue;
        }
        nowhere.push(format!(
            "rule file {file}: probe {:?}: no test binary contains {} (misspelled, inlined, or not linked by these tests): its rules did not apply; `go tool nm BINARY | grep` lists the functions",
            probe.name, probe.point.symbol
        ));
    }
    let mut report = report::Report::new(reports);
    nowhere.extend(checks_without_data(&report, &rule_set));
    nowhere.extend(config_warnings);
    nowhere.extend(unused_ignores(&rule_set, &ignores_used));
    if let Some(first) = report.binaries.first_mut() {
        first.warnings.extend(nowhere);
    }
    if let Some(base) = &baseline {
        baseline::compare(&mut report, base, &rule_set);
    }
    let code = emit(&report, &rule_set, &root, &args.reports)?;
    releaser.finish();
    Ok(code)
}

/// Marks the configuration's ignores that match an object this run saw.
fn note_ignores_used(rules: &RuleSet, obs: &observe::Observations, used: &Mutex<BTreeSet<String>>) {
    let Some(engine) = &obs.engine else { return };
    for rule in &rules.rules {
        for ig in &rule.ignores {
            let Some(origin) = &ig.origin else { continue };
            let metrics = rule.check.iter().map(|l| l.metric.name);
            let hit = metrics
                .filter_map(|m| engine.instances.get(m))
                .flatten()
                .any(|i| ig.matches(i.entry.as_deref(), &i.created_by));
            if hit {
                used.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(origin.clone());
            }
        }
    }
}

/// The configuration's ignores that matched nothing in the whole run.
fn unused_ignores(rules: &RuleSet, used: &Mutex<BTreeSet<String>>) -> Vec<String> {
    let used = used.lock().unwrap_or_else(|e| e.into_inner());
    rules
        .rules
        .iter()
        .flat_map(|r| r.ignores.iter().map(move |ig| (r, ig)))
        .filter_map(|(r, ig)| {
            let origin = ig.origin.as_ref()?;
            (!used.contains(origin)).then(|| {
                format!(
                    "configuration {origin}: an ignore of {} matched nothing in this run (entry {:?}, created_by {:?}): remove it, or check the function names (`go tool nm BINARY`)",
                    r.id,
                    ig.entry.as_deref().unwrap_or("any"),
                    ig.created_by.as_deref().unwrap_or("any")
                )
            })
        })
        .collect()
}

/// A test binary that rejected its flags (Go's flag package prints one line
/// and its usage, and exits 2 before any test): a usage error with that line,
/// not a failed test with 75 lines of usage.
fn rejected_flags(
    obs: &observe::Observations,
    binary: &target::TestBinary,
) -> Result<(), GateError> {
    if obs.exit != "exit status 2" || obs.tests.iter().any(|t| t.name != observe::PROCESS_TEST) {
        return Ok(());
    }
    let said = obs
        .tests
        .iter()
        .flat_map(|t| &t.output)
        .chain(&obs.output)
        .find(|l| {
            l.starts_with("flag provided but not defined: ")
                || l.starts_with("flag needs an argument: ")
                || l.starts_with("invalid value ") && l.contains(" for flag -")
        });
    match said {
        Some(line) => Err(GateError::Usage(format!(
            "the test binary of {} rejected its flags: {line}\nFlags after `--` go to the test binary (`-test.run X`, or go test's `-run X`; `BINARY -test.h` lists them); gate's own flags go before the targets.",
            binary
                .built_from
                .clone()
                .unwrap_or_else(|| run::display_path(&binary.path))
        ))),
        None => Ok(()),
    }
}

/// A binary that ran no test and no benchmark: a `[no tests]` failure, or a
/// warning with `--allow-no-tests`. A filter that matches nothing must not
/// look like a pass.
fn no_test_ran(report: &mut report::BinaryReport, allowed: bool) {
    let message = format!(
        "no test ran in {}: the -test.run filter matched none of its tests, or it has none",
        report.package
    );
    if allowed {
        report.warnings.push(message);
        return;
    }
    report.tests.push(report::TestReport {
        name: report::NO_TESTS.to_string(),
        status: crate::run::test_output::TestStatus::Fail,
        duration_s: 0.0,
        runs: 1,
        message: Some(format!(
            "{message}; pass --allow-no-tests when that is expected"
        )),
        site: None,
        output: Vec::new(),
    });
}

/// Writes every report of a finished run or merge, and returns the exit code.
fn emit(
    report: &report::Report,
    rule_set: &RuleSet,
    root: &std::path::Path,
    files: &cli::ReportFiles,
) -> Result<i32, GateError> {
    // Every report that can be written is, and the verdict is printed, before
    // gate exits with the first error: one bad path loses nothing else.
    let mut failures = Vec::new();
    if let Some(path) = &files.json {
        failures.extend(report::json::write(report, path).err());
    }
    if let Some(path) = &files.junit {
        failures.extend(report::junit::write(report, rule_set, path, files.junit_all_checks).err());
    }
    if let Some(path) = &files.sarif {
        failures.extend(report::sarif::write(report, rule_set, root, path).err());
    }
    // A report written to stdout (`--json -`) keeps it to itself: the
    // terminal's account goes to stderr then.
    use std::io::IsTerminal as _;
    let reports_on_stdout = [&files.json, &files.junit, &files.sarif]
        .iter()
        .any(|p| p.as_deref().is_some_and(report::is_stdout));
    let on_terminal = if reports_on_stdout {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let terminal = report::terminal::render(
        report,
        report::terminal::Style::for_stream(files.verbose, on_terminal),
    );
    if reports_on_stdout {
        eprint!("{terminal}");
    } else {
        write_stdout(&terminal);
    }
    failures.extend(report::github::publish(report).err());
    let mut failures = failures.into_iter();
    if let Some(first) = failures.next() {
        for other in failures {
            eprintln!("gate: error: {other}");
        }
        return Err(first);
    }
    Ok(if report.passed() {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// `gate merge`: one verdict from the reports of parallel shards.
pub fn merge(args: MergeArgs) -> Result<i32, GateError> {
    args.reports.check().map_err(GateError::Usage)?;
    let rule_set = load_rules(&args.rules)?;
    let parts = baseline::read_shards(&args.shards)?;
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
        let base = baseline::read_baseline(path)?;
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
    /// Where the configuration's `[[rule.X.ignore]]`s that matched an object were written.
    ignores_used: &'a Mutex<BTreeSet<String>>,
    root: &'a std::path::Path,
    /// Several binaries run at once: each package's progress is printed whole.
    whole_output: bool,
    /// The `[[output]]` patterns: lines they match are kept however much a test prints.
    read_by_rules: Option<regex::RegexSet>,
}

/// The test binaries' reports, in the order of the binaries, whichever finished first.
struct Ran {
    reports: Vec<report::BinaryReport>,
    /// Per declared probe: whether any binary had it.
    probes_attached: Vec<bool>,
}

/// Runs every binary, `jobs` at once, as `go test -p` runs packages: each
/// worker has its own BPF object (maps, ring buffer) filtered to its own
/// child, so no binary's events reach another's. After an error no new
/// binary starts; those running finish, and the first error in the order
/// of the binaries is returned, as a run with `-p 1` would have stopped there.
fn run_all(
    ctx: &RunContext,
    binaries: &[target::TestBinary],
    jobs: usize,
    preloader: bpf::Preloader,
    releaser: &bpf::Releaser,
) -> Result<Ran, GateError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Per binary: not started (None), or what its package gave.
    type Outcome = Option<Result<Option<report::BinaryReport>, GateError>>;
    let results: Vec<Mutex<Outcome>> = binaries.iter().map(|_| Mutex::new(None)).collect();
    let attached = Mutex::new(vec![false; ctx.engine.declared.len()]);
    let mut preloaders = vec![preloader];
    preloaders.resize_with(jobs, || {
        let mut p = bpf::Preloader::default();
        if ctx.engine.enabled {
            p.prepare();
        }
        p
    });
    std::thread::scope(|scope| {
        for mut preloader in preloaders {
            let (next, stop, results, attached) = (&next, &stop, &results, &attached);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(binary) = binaries.get(i) else { break };
                    // No binary left to start: this one's probes can detach
                    // after gate exits instead of holding up its exit.
                    let last = || next.load(Ordering::SeqCst) >= binaries.len();
                    let outcome =
                        run_package(ctx, binary, &mut preloader, attached, releaser, &last);
                    if outcome.is_err() {
                        stop.store(true, Ordering::SeqCst);
                    }
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
                }
            });
        }
    });
    let mut reports = Vec::with_capacity(binaries.len());
    for slot in results {
        match slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(report)) => reports.extend(report),
            Some(Err(e)) => return Err(e),
            // Not started: an earlier binary's error stopped the run.
            None => {}
        }
    }
    Ok(Ran {
        reports,
        probes_attached: attached.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

/// One package: its binary inspected, then run `--repeat` times, the runs combined.
fn run_package(
    ctx: &RunContext,
    binary: &target::TestBinary,
    preloader: &mut bpf::Preloader,
    attached: &Mutex<Vec<bool>>,
    releaser: &bpf::Releaser,
    last: &dyn Fn() -> bool,
) -> Result<Option<report::BinaryReport>, GateError> {
    // Start-up phases, printed with GATE_TIMINGS=1 (bench/overhead.py reads them).
    let started = Instant::now();
    let info = target::inspect(&binary.path, ctx.root)?;
    let inspect_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut probes_attached = vec![false; ctx.engine.declared.len()];
    let mut combined: Option<report::BinaryReport> = None;
    let mut session = None;
    for _ in 0..ctx.args.repeat {
        if let Some(signal) = run::interrupt::pending() {
            return Err(GateError::Interrupted {
                signal,
                during: format!("about to run {}", run::display_path(&binary.path)),
            });
        }
        // Probes left attached to this binary would trap in its next run too: detach now.
        drop(session.take());
        let one = run_binary(
            ctx,
            binary,
            &info,
            inspect_ms,
            &mut probes_attached,
            &mut session,
            preloader,
        )?;
        match &mut combined {
            None => combined = Some(one),
            Some(c) => c.absorb(one),
        }
    }
    if let Some(session) = session {
        if last() {
            releaser.release_at_exit(session);
        } else {
            releaser.release(session);
        }
    }
    for (all, mine) in attached
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter_mut()
        .zip(probes_attached)
    {
        *all |= mine;
    }
    // A binary's symbols and line tables are large: freeing them piece by
    // piece took ~10 ms on a 12 MB binary, time the next binary need not wait.
    std::thread::spawn(move || drop(info));
    Ok(combined.map(|mut report| {
        if report.tests.is_empty() && report.benchmarks.is_empty() {
            no_test_ran(&mut report, ctx.args.allow_no_tests);
        }
        report
    }))
}

/// Runs one test binary once: plan, attach, run, observe, evaluate.
fn run_binary(
    ctx: &RunContext,
    binary: &target::TestBinary,
    info: &target::BinaryInfo,
    inspect_ms: f64,
    probes_attached: &mut [bool],
    finished_session: &mut Option<bpf::Session>,
    preloader: &mut bpf::Preloader,
) -> Result<report::BinaryReport, GateError> {
    let (args, rule_set, engine) = (ctx.args, ctx.rule_set, ctx.engine);
    let mut cfg = run::RunConfig {
        binary: binary.path.clone(),
        workdir: binary.workdir.clone(),
        test_flags: args.test_flags.clone(),
        timeout: args.timeout,
        framed: info.supports_framed_output(),
        gctrace: None,
        read_by_rules: ctx.read_by_rules.clone(),
    };
    // Benchmarks run in a pass of their own, before any probe is attached: timed
    // without traps, and their runtime.GC() calls kept apart from the tests' GC figures.
    let mut bench_pass = None;
    if let Some((bench_flags, test_flags)) = run::test_flags::split_benchmarks(&cfg.test_flags) {
        let bench_cfg = run::RunConfig {
            test_flags: bench_flags,
            ..cfg.clone()
        };
        let mut progress = report::progress::Progress::new(&info.package, ctx.whole_output);
        let record = run::execute(&bench_cfg, None, &mut |e| progress.on_event(e))?;
        progress.finish();
        let observed = observe::collect(record, args.timeout);
        rejected_flags(&observed, binary)?;
        bench_pass = Some(observed);
        cfg.test_flags = test_flags;
    }
    // Plan the probes for this binary before it starts: a missing symbol is an error now, not a silent pass.
    let planning = Instant::now();
    // Tests run inside testing.tRunner; a TestMain that never calls m.Run lets
    // the linker drop both, in a binary that still has its symbols.
    if engine.enabled
        && !info.has_function("testing.tRunner")
        && !info.has_function("testing.(*M).Run")
        && (info.has_function("testing.MainStart")
            || info.variable(target::inspect::TESTMAIN_MARK).is_some())
    {
        return Err(GateError::NotGoTestBinary {
            path: binary.path.clone(),
            reason: "its TestMain never calls m.Run, so no test runs and there is nothing to measure; end TestMain with os.Exit(m.Run())".into(),
        });
    }
    let plan = if engine.enabled {
        preloader.prepare();
        let mut plan =
            bpf::plan::plan(info, &engine.signals, &[]).map_err(|m| GateError::EngineTarget {
                binary: binary.path.display().to_string(),
                rules: match engine.rule_ids.as_slice() {
                    [one] => format!("rule {one}"),
                    many => format!("rules {}", many.join(", ")),
                },
                symbol: m.symbol,
                what: m.what,
            })?;
        let specs: Vec<&rules::probe::ProbeSpec> =
            engine.declared.iter().map(|(spec, _)| spec).collect();
        plan.declared = bpf::declared::plan(info, &specs).map_err(|e| {
            let file = engine
                .declared
                .iter()
                .find(|(s, _)| s.name == e.probe)
                .map_or("", |(_, f)| f.as_str());
            GateError::Usage(format!(
                "rule file {file}: [[probe]] {:?} in {}: {}: {}",
                e.probe,
                binary.path.display(),
                e.symbol,
                e.message
            ))
        })?;
        for (seen, planned) in probes_attached.iter_mut().zip(&plan.declared.planned) {
            *seen |= !matches!(planned, bpf::declared::Planned::Absent { .. });
        }
        plan.attachments
            .extend(plan.declared.attachments.iter().cloned());
        if timings() {
            let mut probes: Vec<String> = plan
                .attachments
                .iter()
                .map(|a| format!("{}@{}", a.program, a.symbol))
                .collect();
            probes.dedup();
            eprintln!("gate: {}: probes {}", info.package, probes.join("; "));
        }
        Some(plan)
    } else {
        None
    };
    let plan_ms = planning.elapsed().as_secs_f64() * 1000.0;
    let mut session = None;
    let mut attach_ms = 0.0;
    cfg.gctrace = plan.as_ref().and_then(|p| p.gctrace);
    let mut attach = |pid: u32| -> Result<(), GateError> {
        if let Some(plan) = &plan {
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
    // Allocation scopes: the binary writes its heap profile, every allocation sampled.
    let alloc_probes: Vec<&rules::probe::ProbeSpec> = rule_set
        .rules
        .iter()
        .flat_map(|r| &r.probes)
        .filter(|p| p.kind == rules::probe::ProbeKind::Alloc)
        .collect();
    let profile_dir = if alloc_probes.is_empty() {
        None
    } else {
        let dir = tempfile::tempdir()
            .map_err(|e| GateError::io("cannot create a temporary directory", e))?;
        cfg.test_flags.push(format!(
            "-test.memprofile={}",
            dir.path().join("mem.pprof").display()
        ));
        cfg.test_flags.push("-test.memprofilerate=1".to_string());
        Some(dir)
    };
    let mut progress = report::progress::Progress::new(&info.package, ctx.whole_output);
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
    let mut record = record;
    let (mut finish_ms, mut interpret_ms) = (0.0, 0.0);
    let mut engine_record = None;
    if let (Some(mut session), Some(plan)) = (session, &plan) {
        let finishing = Instant::now();
        engine_record = Some((session.finish(), plan));
        *finished_session = Some(session);
        finish_ms = finishing.elapsed().as_secs_f64() * 1000.0;
    }
    // GC cycles are the runtime's own gctrace lines, not text a test wrote.
    // With events lost (a full ring buffer) the runtime's prints may be
    // incomplete: then nothing is set aside (the lost-events warning says so).
    let forged = match &engine_record {
        Some((bpf_record, plan)) if plan.gc_prints && bpf_record.aggregates.lost == 0 => {
            run::gctrace::keep_runtime_lines(&mut record.events, &bpf::gc_printed(bpf_record))
        }
        _ => 0,
    };
    let collecting = Instant::now();
    let mut observations = observe::collect(record, args.timeout);
    rejected_flags(&observations, binary)?;
    let output_ms = collecting.elapsed().as_secs_f64() * 1000.0;
    if forged > 0 {
        observations.warnings.push(format!(
            "{forged} gctrace-shaped line(s) on stderr were not printed by the Go runtime's GC \
             (a test or a process it started wrote them): kept as output, not counted as GC cycles"
        ));
    }
    if let Some((bpf_record, plan)) = engine_record {
        let interpreting = Instant::now();
        let declared = engine.declared_in(&plan.declared.planned);
        let reasons = target::probes::wait_reasons(info);
        let tracked = engine
            .signals
            .contains(&bpf::plan::EngineSignal::Goroutines);
        let seen = observe::engine::interpret(&bpf_record, info, &reasons, &declared, tracked);
        if seen.lost_events > 0 {
            observations.warnings.push(format!(
                "the eBPF engine lost {} events (ring buffer or goroutine map full): \
                 lifecycle counts and their attribution to tests may be incomplete",
                seen.lost_events
            ));
        }
        observations.warnings.extend(seen.notes.iter().cloned());
        observations
            .warnings
            .extend(plan.declared.notes.iter().chain(&plan.notes).cloned());
        observations.engine = Some(seen);
        interpret_ms = interpreting.elapsed().as_secs_f64() * 1000.0;
    }
    let outputs: Vec<&rules::probe::OutputSpec> =
        rule_set.rules.iter().flat_map(|r| &r.outputs).collect();
    observe::output::scan(&mut observations, &outputs, info);
    if let Some(dir) = &profile_dir {
        let profile = std::fs::read(dir.path().join("mem.pprof")).ok();
        observe::memprofile::scan(&mut observations, &alloc_probes, info, profile.as_deref());
    }
    if let Some(bench) = bench_pass {
        observations.absorb_benchmark_pass(bench);
    }
    let checking = Instant::now();
    // Rules about a build variant (-race, checkptr) judge a second build and run
    // of the package; the others, this one.
    let (plain_rules, variants) = rule_set.by_build();
    note_ignores_used(rule_set, &observations, ctx.ignores_used);
    let mut checks = check::evaluate(&plain_rules, &observations);
    for (tag, (flags, set)) in variants.iter().enumerate() {
        let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
        let dir = tempfile::tempdir()
            .map_err(|e| GateError::io("cannot create a temporary directory", e))?;
        let Some(variant) = target::build_variant(binary, flags, dir.path(), tag)? else {
            observations.warnings.push(format!(
                "{} judge a build with {}: they need a package pattern as the target (gate builds it \
                 twice), not a test binary; not checked",
                ids.join(", "),
                flags.join(" ")
            ));
            continue;
        };
        let variant_cfg = run::RunConfig {
            binary: variant.path.clone(),
            gctrace: None,
            ..cfg.clone()
        };
        let mut progress = report::progress::Progress::new(
            &format!("{} ({})", info.package, flags.join(" ")),
            ctx.whole_output,
        );
        let record = run::execute(&variant_cfg, None, &mut |e| progress.on_event(e))?;
        progress.finish();
        let mut seen = observe::collect(record, args.timeout);
        let outputs: Vec<&rules::probe::OutputSpec> =
            set.rules.iter().flat_map(|r| &r.outputs).collect();
        observe::output::scan(&mut seen, &outputs, info);
        checks.extend(check::evaluate(set, &seen));
        for w in seen.warnings {
            observations
                .warnings
                .push(format!("{} build: {w}", flags.join(" ")));
        }
    }
    // A binary gate built is gone after the run: point at its package directory instead.
    let shown_path = match &binary.workdir {
        Some(dir) if binary.built_from.is_some() => run::display_path(dir),
        _ => run::display_path(&binary.path),
    };
    // The rules have read all of it; the reports keep a bounded tail per test.
    observations.trim_output(observe::KEPT_OUTPUT_LINES);
    let mut binary_report =
        report::BinaryReport::build(info, shown_path, &observations, checks, rule_set);
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
    /// Every declared probe of the rules, once (rules may share one), with its rule file.
    declared: Vec<(rules::probe::ProbeSpec, String)>,
    /// Per-key ratios rules read: (metric `probe.a/probe.b`, index of a, index of b).
    ratios: Vec<(String, usize, usize)>,
    rule_ids: Vec<String>,
}

impl EnginePlan {
    fn from_rules(rules: &RuleSet, no_ebpf: bool) -> Self {
        use bpf::plan::EngineSignal;
        use rules::metrics::Signal;
        let mut signals = Vec::new();
        let mut rule_ids = Vec::new();
        let mut declared: Vec<(rules::probe::ProbeSpec, String)> = Vec::new();
        let mut ratios = Vec::new();
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
            for p in rule
                .probes
                .iter()
                .filter(|p| p.kind != rules::probe::ProbeKind::Alloc)
            {
                // A probe several rules declare alike is planned once; all of them read it.
                if !declared.iter().any(|(q, _)| q == p) {
                    declared.push((p.clone(), rule.origin.clone()));
                }
                // A lifecycle kept until the end of each test needs the tests' goroutine exits.
                if p.until == rules::probe::Until::Test
                    && p.kind == rules::probe::ProbeKind::Lifecycle
                    && !signals.contains(&EngineSignal::Goroutines)
                {
                    signals.push(EngineSignal::Goroutines);
                }
            }
        }
        for rule in &rules.rules {
            for m in rule.metrics() {
                if let Some((a, b)) = m.name.split_once('/')
                    && let (Some(ia), Some(ib)) = (
                        declared.iter().position(|(p, _)| p.metrics[0].name == a),
                        declared.iter().position(|(p, _)| p.metrics[0].name == b),
                    )
                {
                    ratios.push((m.name.to_string(), ia, ib));
                }
            }
        }
        EnginePlan {
            enabled: !no_ebpf && !rule_ids.is_empty(),
            signals,
            declared,
            ratios,
            rule_ids,
        }
    }

    /// The declared probes as this binary's plan made them.
    fn declared_in<'a>(
        &'a self,
        all: &[bpf::declared::Planned],
    ) -> Vec<observe::engine::DeclaredProbe<'a>> {
        self.declared
            .iter()
            .zip(all)
            .enumerate()
            .map(|(i, ((spec, _), planned))| observe::engine::DeclaredProbe {
                spec,
                planned: planned.clone(),
                ratios: self
                    .ratios
                    .iter()
                    .filter(|(_, a, _)| *a == i)
                    .filter_map(|(name, _, b)| match all.get(*b) {
                        Some(bpf::declared::Planned::Counted { conf }) => {
                            Some((name.clone(), *conf))
                        }
                        _ => None,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The team's own rules whose check had no data anywhere in the run: a
/// "no data" that passes looks like a pass. (Built-in rules often see no
/// data where a package does not use what they watch; their checks say so.)
fn checks_without_data(report: &report::Report, rules: &RuleSet) -> Vec<String> {
    let mut out = Vec::new();
    for rule in &rules.rules {
        let Some(limit) = &rule.check else { continue };
        if rule.origin.ends_with(crate::rules::BUILTIN_SUFFIX) {
            continue;
        }
        let mut statuses = report
            .binaries
            .iter()
            .flat_map(|b| &b.checks)
            .filter(|c| c.rule == rule.id && c.kind == check::CheckKind::Limit)
            .map(|c| c.status)
            .peekable();
        if statuses.peek().is_some() && statuses.all(|s| s == check::CheckStatus::NoData) {
            out.push(format!(
                "rule file {}: rule {}: {} had no data in any {} of this run, so its check passed without evidence; check the metric and that the tests exercise it",
                rule.origin,
                rule.id,
                limit.metric.name,
                match rule.scope {
                    crate::rules::Scope::Test => "test",
                    crate::rules::Scope::Binary => "binary",
                    crate::rules::Scope::Benchmark => "benchmark",
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rule: &str, statuses: &[&str]) -> report::Report {
        let checks: Vec<serde_json::Value> = statuses
            .iter()
            .map(|s| {
                serde_json::json!({"rule": rule, "test": "TestA", "metric": "alloc.bytes",
                    "value": null, "limit": "<= 1", "status": s})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "version": 1, "gate_version": "0", "binaries": [{
                "path": "x.test", "package": "x", "go_version": "go1.26", "tests": [],
                "metrics": {"binary": {}, "tests": {}}, "violations": [], "checks": checks,
                "exit": "exit status 0", "wall_s": 0.1, "warnings": []
            }]
        }))
        .expect("a report")
    }

    #[test]
    fn a_users_check_without_data_anywhere_is_a_warning() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("mine.toml");
        std::fs::write(
            &file,
            "id = \"mine\"\ntitle = \"t\"\nseverity = \"error\"\nscope = \"test\"\nhelp = \"h\"\n[check]\nmetric = \"alloc.bytes\"\nmax = 1\n",
        )
        .expect("write");
        let rules = crate::rules::load_paths(&[file]).expect("rules");
        let warned = checks_without_data(&report("mine", &["no data", "no data"]), &rules);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(warned[0].contains("mine.toml: rule mine: alloc.bytes had no data in any test"));
        assert!(checks_without_data(&report("mine", &["no data", "pass"]), &rules).is_empty());
        assert!(checks_without_data(&report("mine", &[]), &rules).is_empty());
        let builtin = crate::rules::load_builtin().expect("built-in rules");
        let theirs = report("alloc-budget", &["no data"]);
        assert!(checks_without_data(&theirs, &builtin).is_empty());
    }
}
