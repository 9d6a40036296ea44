//! Turns the raw record of a run into observations: the tests with their
//! results and output, the GC cycles charged to the test that was running
//! when each cycle started, and the metrics rules can check.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub mod engine;
pub mod memprofile;
pub mod output;

use crate::rules::metrics::{Combine, MetricDef, MetricKind};
use crate::run::gctrace::GcCycle;
use crate::run::test_output::{BenchLine, TestLine, TestStatus};
use crate::run::{EventKind, Exit, RunRecord};

/// How many lines of output to keep for a crash report.
const TAIL_LINES: usize = 40;

/// Name of the pseudo-test that stands for a crash or timeout outside any test.
pub const PROCESS_TEST: &str = "[process]";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestObservation {
    pub name: String,
    pub status: TestStatus,
    pub duration_s: f64,
    /// Why gate, not `go test`, decided the status (crash, timeout).
    pub message: Option<String>,
    pub output: Vec<String>,
    /// How many times the test ran in the process (`-test.count`); its metrics add up over them.
    pub runs: u32,
    /// Intervals (seconds since start) in which the test was running, not paused.
    #[serde(skip)]
    active: Vec<(f64, Option<f64>)>,
    /// Earlier lines of its output left out while it ran (a flood).
    #[serde(skip)]
    cut: usize,
}

/// A GC cycle and the test it is charged to (None: binary scope).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributedCycle {
    #[serde(flatten)]
    pub cycle: GcCycle,
    pub test: Option<String>,
}

/// A benchmark's result lines: one sample per `-test.count` repetition.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BenchmarkObservation {
    /// As Go prints it, GOMAXPROCS suffix included: `BenchmarkEncode/small-8`.
    pub name: String,
    /// Per sample, (unit, value): ns/op, B/op, allocs/op, MB/s, custom units.
    pub samples: Vec<Vec<(String, f64)>>,
}

impl BenchmarkObservation {
    /// The function that defines it: `BenchmarkEncode` for `BenchmarkEncode/small-8`.
    pub fn function(&self) -> &str {
        let top = crate::run::test_output::top_level(&self.name);
        match top.rsplit_once('-') {
            Some((f, procs)) if procs.bytes().all(|b| b.is_ascii_digit()) => f,
            _ => top,
        }
    }

    /// Every sample of one unit, in run order.
    pub fn series(&self, unit: &str) -> Vec<f64> {
        self.samples
            .iter()
            .filter_map(|s| s.iter().find(|(u, _)| u == unit).map(|(_, v)| *v))
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Observations {
    pub tests: Vec<TestObservation>,
    /// Benchmarks that completed (`-test.bench`); a failed or skipped one is also a test.
    pub benchmarks: Vec<BenchmarkObservation>,
    pub gc: Vec<AttributedCycle>,
    pub wall_s: f64,
    pub exit: String,
    pub warnings: Vec<String>,
    /// Output not owned by any test (the binary's own lines).
    pub output: Vec<String>,
    /// Earlier lines of the binary's own output left out while it ran.
    #[serde(skip)]
    output_cut: usize,
    /// What the eBPF engine saw; None when it did not run (--no-ebpf, or no rule needed it).
    pub engine: Option<engine::EngineObservations>,
    /// Sited findings outside the engine (output patterns), by metric.
    #[serde(default)]
    pub found: BTreeMap<String, Vec<engine::Instance>>,
    #[serde(skip)]
    index: OnceLock<Index>,
}

/// Tests and GC cycles by test name, built on first use. Rules and reports
/// ask for every metric of every test: scanning for each made that quadratic
/// (28 ms after encoding/json's 583 tests). Used only while `tests` and `gc`
/// have the lengths it was built for.
#[derive(Debug, Clone, Default)]
struct Index {
    tests: usize,
    cycles: usize,
    test_at: HashMap<String, usize>,
    cycles_of: HashMap<String, Vec<usize>>,
    /// The most Ps any cycle ran with.
    procs: u32,
}

/// Which part of a binary a metric is computed over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subject<'a> {
    Binary,
    Test(&'a str),
    /// A benchmark by its printed name (`BenchmarkX-8`): `bench.*` metrics only.
    Benchmark(&'a str),
}

use crate::run::KEPT_LINE_BYTES;
pub use crate::run::KEPT_OUTPUT_LINES;

impl Observations {
    /// Keeps the last `lines` lines of each test's output (and of the
    /// binary's own), each at most 4 KiB, with a note of what was cut: a test
    /// that prints 200 MB must not make 200 MB reports.
    pub fn trim_output(&mut self, lines: usize) {
        let trim = |output: &mut Vec<String>, cut_while_running: usize| {
            let cut = output.len().saturating_sub(lines);
            if cut > 0 {
                output.drain(..cut);
            }
            let cut = cut + cut_while_running;
            let mut shortened = 0;
            for line in output.iter_mut() {
                // Shortened as it arrived, or now.
                let earlier = line.len() > KEPT_LINE_BYTES - 4 && line.ends_with(" [...]");
                if crate::run::bounded::shorten(line, KEPT_LINE_BYTES) || earlier {
                    shortened += 1;
                }
            }
            if cut > 0 || shortened > 0 {
                output.insert(
                    0,
                    format!(
                        "[gate: output cut to the last {lines} lines of 4 KiB at most: {cut} earlier lines left out, {shortened} long lines shortened]"
                    ),
                );
            }
        };
        for t in &mut self.tests {
            trim(&mut t.output, t.cut);
        }
        trim(&mut self.output, self.output_cut);
    }

    pub fn test(&self, name: &str) -> Option<&TestObservation> {
        match self.index() {
            Some(index) => index.test_at.get(name).map(|&i| &self.tests[i]),
            None => self.tests.iter().find(|t| t.name == name),
        }
    }

    fn index(&self) -> Option<&Index> {
        let index = self.index.get_or_init(|| {
            let mut index = Index {
                tests: self.tests.len(),
                cycles: self.gc.len(),
                ..Index::default()
            };
            for (i, t) in self.tests.iter().enumerate() {
                index.test_at.entry(t.name.clone()).or_insert(i);
            }
            for (i, c) in self.gc.iter().enumerate() {
                index.procs = index.procs.max(c.cycle.procs);
                if let Some(test) = &c.test {
                    index.cycles_of.entry(test.clone()).or_default().push(i);
                }
            }
            index
        });
        (index.tests == self.tests.len() && index.cycles == self.gc.len()).then_some(index)
    }

    #[cfg(test)]
    pub fn failed(&self) -> bool {
        self.tests.iter().any(|t| t.status == TestStatus::Fail)
    }

    fn cycles_of<'a>(&'a self, subject: Subject<'a>) -> Box<dyn Iterator<Item = &'a GcCycle> + 'a> {
        match (subject, self.index()) {
            (Subject::Test(name), Some(index)) => Box::new(
                index
                    .cycles_of
                    .get(name)
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.gc[i].cycle),
            ),
            _ => Box::new(
                self.gc
                    .iter()
                    .filter(move |c| match subject {
                        Subject::Binary => true,
                        Subject::Test(name) => c.test.as_deref() == Some(name),
                        Subject::Benchmark(_) => false,
                    })
                    .map(|c| &c.cycle),
            ),
        }
    }

    /// Takes the benchmarks of a separate benchmark pass (run without probes),
    /// and what went wrong in it: failed benchmarks and crashes are failed tests.
    pub fn absorb_benchmark_pass(&mut self, bench: Observations) {
        // Tests may be added: an index built before would no longer be used.
        self.index = OnceLock::new();
        self.benchmarks = bench.benchmarks;
        for t in bench.tests {
            if t.status == TestStatus::Fail && !self.tests.iter().any(|x| x.name == t.name) {
                self.tests.push(t);
            }
        }
        for w in bench.warnings {
            self.warnings.push(format!("benchmark pass: {w}"));
        }
        self.wall_s = round3(self.wall_s + bench.wall_s);
    }

    /// The value of a metric over a subject; None where it was not observed.
    /// Objects behind an engine metric in a subject (leaked goroutines, pools...).
    pub fn instances<'a>(
        &'a self,
        metric: &str,
        subject: Subject<'a>,
    ) -> Vec<&'a engine::Instance> {
        let all = match &self.engine {
            Some(engine) => engine.instances.get(metric),
            None => None,
        };
        all.or_else(|| self.found.get(metric))
            .map(|all| {
                all.iter()
                    .filter(|i| match subject {
                        Subject::Binary => true,
                        Subject::Test(t) => i.test.as_deref() == Some(t),
                        Subject::Benchmark(_) => false,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The value of a metric over a subject; None where it was not observed.
    pub fn value(&self, def: &MetricDef, subject: Subject) -> Option<f64> {
        if let Subject::Benchmark(name) = subject {
            let unit = def.name.strip_prefix(crate::rules::metrics::BENCH_PREFIX)?;
            let bench = self.benchmarks.iter().find(|b| b.name == name)?;
            return crate::stats::median(&bench.series(unit));
        }
        if def.signal == crate::rules::metrics::Signal::Benchmarks {
            return None;
        }
        if def.kind == MetricKind::Sited && self.found.contains_key(def.name) {
            return Some(self.sited_sum(def.name, subject));
        }
        if !def.signal.needs_ebpf() {
            return self.metric(def.name, subject);
        }
        let engine = self.engine.as_ref()?;
        match def.kind {
            MetricKind::Lifecycle => {
                let known = engine.instances.contains_key(def.name);
                known.then(|| {
                    self.instances(def.name, subject)
                        .iter()
                        .map(|i| i.value.unwrap_or(1.0))
                        .fold(0.0, |a, b| a + b)
                })
            }
            MetricKind::Sited => engine
                .instances
                .contains_key(def.name)
                .then(|| self.sited_sum(def.name, subject)),
            MetricKind::PerObject | MetricKind::Scalar => {
                let per_test = engine.counters.get(def.name)?;
                match subject {
                    Subject::Binary => Some(match def.over_tests {
                        Combine::Sum => per_test.values().fold(0.0, |a, b| a + b),
                        Combine::Max => per_test.values().copied().fold(0.0, f64::max),
                    }),
                    Subject::Test(t) => per_test.get(&Some(t.to_string())).copied(),
                    Subject::Benchmark(_) => None,
                }
            }
        }
    }

    /// The sum of a sited metric's counts (calls at each site) over a subject.
    fn sited_sum(&self, name: &str, subject: Subject) -> f64 {
        self.instances(name, subject)
            .iter()
            .filter_map(|i| i.value)
            .fold(0.0, |a, b| a + b)
    }

    /// The function this binary lacks for a metric's probe: its rules do not apply.
    pub fn absent(&self, name: &str) -> Option<&str> {
        self.engine.as_ref()?.absent.get(name).map(String::as_str)
    }

    pub fn metric(&self, name: &str, subject: Subject) -> Option<f64> {
        let count =
            |pred: fn(&GcCycle) -> bool| self.cycles_of(subject).filter(|c| pred(c)).count() as f64;
        let duration_s = match subject {
            Subject::Binary => self.wall_s,
            Subject::Test(t) => self.test(t)?.duration_s,
            Subject::Benchmark(_) => return None,
        };
        Some(match name {
            "test.duration_s" => duration_s,
            "gc.cycles" => count(|_| true),
            "gc.forced_cycles" => count(|c| c.forced),
            "gc.max_pause_ms" => self
                .cycles_of(subject)
                .map(GcCycle::max_pause_ms)
                .fold(0.0, f64::max),
            // fold from +0.0: an empty f64 sum is -0.0
            "gc.total_pause_ms" => self
                .cycles_of(subject)
                .map(GcCycle::total_pause_ms)
                .fold(0.0, |a, b| a + b),
            "gc.peak_heap_mb" => self
                .cycles_of(subject)
                .map(|c| c.heap_start_mb.max(c.heap_end_mb) as f64)
                .reduce(f64::max)?,
            "gc.cpu_percent" => {
                let procs = match self.index() {
                    Some(index) => index.procs,
                    None => self.gc.iter().map(|c| c.cycle.procs).max().unwrap_or(1),
                }
                .max(1) as f64;
                if duration_s <= 0.0 {
                    return None;
                }
                let busy_ms = self
                    .cycles_of(subject)
                    .map(GcCycle::busy_cpu_ms)
                    .fold(0.0, |a, b| a + b);
                round3(100.0 * busy_ms / (duration_s * 1000.0 * procs))
            }
            _ => return None,
        })
    }
}

/// Keeps the head (where the cause usually is) and the tail of long output.
fn abbreviate(lines: &[String]) -> Vec<String> {
    const HEAD: usize = 20;
    const TAIL: usize = 60;
    if lines.len() <= HEAD + TAIL {
        return lines.to_vec();
    }
    let mut out = lines[..HEAD].to_vec();
    out.push(format!(
        "... {} lines omitted ...",
        lines.len() - HEAD - TAIL
    ));
    out.extend_from_slice(&lines[lines.len() - TAIL..]);
    out
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Builds observations from a run record.
pub fn collect(record: RunRecord, timeout: Duration) -> Observations {
    // Consumed: output lines move into the tests' output instead of being copied.
    let RunRecord {
        events,
        exit: record_exit,
        wall: record_wall,
        warnings: run_warnings,
        heap_profile,
    } = record;
    let mut tests: Vec<TestObservation> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut owner: Option<String> = None;
    // When each cycle started, what it was, and the test running where its
    // line arrived in the output's order.
    let mut cycles: Vec<(f64, GcCycle, Option<String>)> = Vec::new();
    let mut warnings = run_warnings;
    let mut binary_output = Vec::new();
    let mut output_cut = 0;
    let mut tail: Vec<String> = Vec::new();
    let mut final_status = None;
    let mut benchmarks: Vec<BenchmarkObservation> = Vec::new();
    let mut crashing = false;
    let mut crash_output: Vec<String> = Vec::new();

    let start_test = |tests: &mut Vec<TestObservation>,
                      index: &mut BTreeMap<String, usize>,
                      name: &str,
                      at: f64| {
        let i = *index.entry(name.to_string()).or_insert_with(|| {
            tests.push(TestObservation {
                name: name.to_string(),
                status: TestStatus::Fail,
                duration_s: 0.0,
                message: None,
                output: Vec::new(),
                runs: 0,
                active: Vec::new(),
                cut: 0,
            });
            tests.len() - 1
        });
        tests[i].active.push((at, None));
        i
    };
    fn stop(t: &mut TestObservation, at: f64) {
        if let Some(last) = t.active.last_mut()
            && last.1.is_none()
        {
            last.1 = Some(at);
        }
    }

    let mut finished: BTreeMap<String, bool> = BTreeMap::new();
    for event in events {
        let at = secs(event.at);
        let mut output_line = |line: String, owner: &Option<String>| {
            tail.push(line.clone());
            if tail.len() > TAIL_LINES {
                tail.remove(0);
            }
            match owner.as_ref().and_then(|o| index.get(o)) {
                Some(&i) => tests[i].output.push(line),
                None => binary_output.push(line),
            }
        };
        match event.kind {
            EventKind::Test(line) => match line {
                TestLine::Run(name) => {
                    start_test(&mut tests, &mut index, &name, at);
                    owner = Some(name);
                }
                TestLine::Pause(name) => {
                    if let Some(&i) = index.get(&name) {
                        stop(&mut tests[i], at);
                    }
                }
                TestLine::Cont(name) => {
                    if let Some(&i) = index.get(&name) {
                        tests[i].active.push((at, None));
                    }
                    owner = Some(name);
                }
                TestLine::Name(name) => owner = (!name.is_empty()).then_some(name),
                TestLine::Result {
                    name,
                    status,
                    duration_s,
                } => {
                    let i = match index.get(&name) {
                        Some(&i) => i,
                        None => start_test(&mut tests, &mut index, &name, at),
                    };
                    stop(&mut tests[i], at);
                    // A test that failed once (a -test.count repetition, or a
                    // result line a test printed to forge another's) stays failed.
                    if !(tests[i].runs > 0 && tests[i].status == TestStatus::Fail) {
                        tests[i].status = status;
                    }
                    tests[i].duration_s = duration_s;
                    tests[i].runs += 1;
                    tail.push(format!("--- {}: {name}", status.as_str().to_uppercase()));
                    finished.insert(name, true);
                }
                TestLine::Final(status) => final_status = Some(status),
                TestLine::Benchmark(bench) => {
                    record_bench(&mut benchmarks, &bench);
                    output_line(bench.text, &owner)
                }
                TestLine::Output(line) => output_line(line, &owner),
            },
            EventKind::Stderr(line) => {
                // A crash's trace, from its first line on, is kept aside too: read through
                // its own pipe, it can arrive before the stdout line naming the test it ended.
                crashing |= line.starts_with("panic: ")
                    || line.starts_with("fatal error: ")
                    || line.starts_with("SIGQUIT: quit");
                if crashing {
                    crash_output.push(line.clone());
                }
                output_line(line, &owner)
            }
            EventKind::Gc(cycle, _) => {
                if cycle.truncated {
                    warnings.push(format!(
                        "the gctrace line of GC cycle {} was cut off when the binary exited; the cycle is counted, its missing fields as 0",
                        cycle.cycle
                    ));
                }
                // The line arrives when the cycle ends; its start is its wall time earlier.
                let started = (at - cycle.wall_ms() / 1000.0).max(0.0);
                cycles.push((started, *cycle, running_in_order(&tests)));
            }
            EventKind::Cut(n) => match owner.as_ref().and_then(|o| index.get(o)) {
                Some(&i) => tests[i].cut += n,
                None => output_cut += n,
            },
            EventKind::GcUnrecognised(line) => {
                warnings.push(format!(
                    "unrecognised gctrace line (cycle not counted): {line}"
                ));
                output_line(line, &owner);
            }
        }
    }

    let wall_s = secs(record_wall);
    let exit = match record_exit {
        Exit::Code(c) => format!("exit status {c}"),
        Exit::Signal(s) => format!("killed by signal {s}"),
        Exit::TimedOut => format!("timed out after {}", crate::units::fmt_duration(timeout)),
    };
    // Tests that started and never reported a result: the binary crashed or timed out under them.
    let clean_exit = matches!(record_exit, Exit::Code(0) | Exit::Code(1)) && final_status.is_some();
    // A benchmark that completes prints result lines, never `--- PASS`: after a clean
    // exit it is a benchmark, not a test without a result.
    if clean_exit {
        tests.retain(|t| finished.contains_key(&t.name) || !t.name.starts_with("Benchmark"));
    }
    for t in tests.iter_mut().filter(|t| !finished.contains_key(&t.name)) {
        stop(t, wall_s);
        let started = t.active.first().map_or(0.0, |a| a.0);
        t.status = TestStatus::Fail;
        t.duration_s = round3(wall_s - started);
        t.message = Some(match record_exit {
            Exit::TimedOut => format!("test binary {exit} while {} was running", t.name),
            _ => format!(
                "no result: the test binary stopped ({exit}) while {} was running",
                t.name
            ),
        });
        if t.output.is_empty() {
            t.output = tail.clone();
        }
    }
    // With two pipes, a panic's stderr lines can arrive before the stdout line that
    // names the test: output of no test after an abnormal end belongs to the test that
    // ended it (the last failed one).
    let failed_last = tests
        .iter_mut()
        .rev()
        .find(|t| t.status == TestStatus::Fail);
    if let Some(t) = failed_last.filter(|_| !clean_exit) {
        for line in abbreviate(&binary_output)
            .into_iter()
            .chain(abbreviate(&crash_output))
        {
            if !t.output.contains(&line) {
                t.output.push(line);
            }
        }
    }
    // An abnormal end that no failed test explains (init, TestMain, a rejected flag, os.Exit
    // after the tests) is still a failure: it gets a pseudo-test with the binary's own output.
    let explained = tests.iter().any(|t| t.status == TestStatus::Fail);
    // The binary's own verdict (its exit status and final FAIL) wins over result
    // lines: a run whose tests all passed but whose binary failed is red.
    let disowned = clean_exit
        && !explained
        && final_status == Some(TestStatus::Fail)
        && record_exit != Exit::Code(0);
    if !clean_exit && !explained
        || disowned
        || clean_exit && final_status == Some(TestStatus::Pass) && record_exit != Exit::Code(0)
    {
        let message = if disowned {
            format!(
                "the test binary reported FAIL ({exit}) though every test result it printed passed: \
                 a test may have printed a result line of its own; see the output"
            )
        } else {
            format!("the test binary ended abnormally ({exit}) outside any test")
        };
        tests.push(TestObservation {
            name: PROCESS_TEST.to_string(),
            status: TestStatus::Fail,
            duration_s: round3(wall_s),
            message: Some(message),
            output: abbreviate(if binary_output.is_empty() {
                &tail
            } else {
                &binary_output
            }),
            runs: 1,
            active: vec![(0.0, Some(wall_s))],
            cut: 0,
        });
    }

    // By time first: a cycle that started in one test and ended in the next
    // is the first's. Where its line's arrival places it in no test (stderr
    // read late, after the test's result on stdout: a loaded machine), the
    // runtime's own clock may (`@` seconds since it started, which is about
    // when gate released the binary). Where neither does, the order does:
    // lines read in one wake-up share one arrival time, so a short test's
    // start, its cycle and its result can all arrive "at once" (a loaded CI
    // machine), and the cycle's start then falls before the test's.
    // The testing package's own forced cycle before it writes a heap profile
    // comes after every test: the binary's, whatever the pipes' order says.
    let harness_cycle = heap_profile
        .then(|| cycles.iter().rposition(|(_, c, _)| c.forced))
        .flatten();
    let gc = cycles
        .into_iter()
        .enumerate()
        .map(|(i, (started, cycle, in_order))| AttributedCycle {
            test: if Some(i) == harness_cycle {
                None
            } else {
                running_test_at(&tests, started)
                    .or_else(|| running_test_at(&tests, cycle.at_s))
                    .or(in_order)
            },
            cycle,
        })
        .collect();

    Observations {
        tests,
        benchmarks,
        gc,
        wall_s: round3(wall_s),
        exit,
        warnings,
        output: binary_output,
        output_cut,
        engine: None,
        found: BTreeMap::new(),
        index: OnceLock::new(),
    }
}

fn record_bench(benchmarks: &mut Vec<BenchmarkObservation>, line: &BenchLine) {
    let i = match benchmarks.iter().position(|b| b.name == line.name) {
        Some(i) => i,
        None => {
            benchmarks.push(BenchmarkObservation {
                name: line.name.clone(),
                samples: Vec::new(),
            });
            benchmarks.len() - 1
        }
    };
    benchmarks[i].samples.push(line.values.clone());
}

/// The innermost test running at `t`; None when no test or unrelated parallel tests were running.
/// The innermost test running now, in the order of the output read so far.
fn running_in_order(tests: &[TestObservation]) -> Option<String> {
    innermost(
        tests
            .iter()
            .filter(|test| test.name != PROCESS_TEST)
            .filter(|test| test.active.last().is_some_and(|(_, end)| end.is_none()))
            .map(|test| test.name.as_str())
            .collect(),
    )
}

/// The innermost of running tests that form one chain (`TestA`, `TestA/sub`);
/// None when none runs or unrelated tests run in parallel.
fn innermost(mut running: Vec<&str>) -> Option<String> {
    running.sort_by_key(|n| n.len());
    let innermost = *running.last()?;
    let chain = running
        .iter()
        .all(|n| innermost == *n || innermost.starts_with(&format!("{n}/")));
    chain.then(|| innermost.to_string())
}

fn running_test_at(tests: &[TestObservation], t: f64) -> Option<String> {
    innermost(
        tests
            .iter()
            .filter(|test| test.name != PROCESS_TEST)
            .filter(|test| {
                test.active
                    .iter()
                    .any(|&(s, e)| s <= t && e.is_none_or(|e| t < e))
            })
            .map(|test| test.name.as_str())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::RunEvent;

    fn ev(ms: u64, kind: EventKind) -> RunEvent {
        RunEvent {
            at: Duration::from_millis(ms),
            kind,
        }
    }

    fn gc_line(text: &str) -> EventKind {
        match crate::run::gctrace::parse_line(text) {
            crate::run::gctrace::GcLine::Cycle(c) => EventKind::Gc(c, text.to_string()),
            other => panic!("{other:?}"),
        }
    }

    fn run(events: Vec<RunEvent>, exit: Exit) -> Observations {
        let wall = events.last().map_or(Duration::ZERO, |e| e.at);
        collect(
            RunRecord {
                events,
                exit,
                wall,
                warnings: Vec::new(),
                heap_profile: false,
            },
            Duration::from_secs(600),
        )
    }

    const CYCLE: &str = "gc 1 @0.1s 1%: 1.0+2.0+1.0 ms clock, 2.0+1.0/3.0/4.0+2.0 ms cpu, 8->9->2 MB, 10 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)";

    #[test]
    fn a_cycle_read_with_its_tests_start_and_result_is_that_tests() {
        // One wake-up of the reader: the test's start, its cycle and its
        // result share one arrival time; the cycle's start (4 ms earlier)
        // falls before the test's, in no test by the clock.
        use TestLine::*;
        let obs = run(
            vec![
                ev(100, EventKind::Test(Run("TestA".into()))),
                ev(100, gc_line(CYCLE)),
                ev(
                    100,
                    EventKind::Test(Result {
                        name: "TestA".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.01,
                    }),
                ),
                ev(101, EventKind::Test(Final(TestStatus::Pass))),
            ],
            Exit::Code(0),
        );
        let owners: Vec<Option<&str>> = obs.gc.iter().map(|c| c.test.as_deref()).collect();
        assert_eq!(owners, [Some("TestA")]);
    }

    #[test]
    fn cycles_are_charged_to_the_test_running_when_they_started() {
        use TestLine::*;
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(10, EventKind::Test(Run("TestA/sub".into()))),
                // Arrives at 24 ms; it started 4 ms earlier, inside TestA/sub.
                ev(24, gc_line(CYCLE)),
                ev(
                    25,
                    EventKind::Test(Result {
                        name: "TestA/sub".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.015,
                    }),
                ),
                // Arrives during TestB but started (at 28 ms) while TestA was still running.
                ev(31, gc_line(CYCLE)),
                ev(
                    29,
                    EventKind::Test(Result {
                        name: "TestA".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.03,
                    }),
                ),
                ev(30, EventKind::Test(Run("TestB".into()))),
                ev(40, gc_line(CYCLE)),
                ev(
                    50,
                    EventKind::Test(Result {
                        name: "TestB".into(),
                        status: TestStatus::Fail,
                        duration_s: 0.02,
                    }),
                ),
                ev(60, gc_line(CYCLE)),
                ev(61, EventKind::Test(Final(TestStatus::Fail))),
            ],
            Exit::Code(1),
        );
        let owners: Vec<Option<&str>> = obs.gc.iter().map(|c| c.test.as_deref()).collect();
        assert_eq!(
            owners,
            [Some("TestA/sub"), Some("TestA"), Some("TestB"), None]
        );
        assert_eq!(obs.metric("gc.cycles", Subject::Test("TestB")), Some(1.0));
        assert_eq!(obs.metric("gc.cycles", Subject::Binary), Some(4.0));
        assert_eq!(obs.metric("gc.forced_cycles", Subject::Binary), Some(4.0));
        assert_eq!(obs.metric("gc.total_pause_ms", Subject::Binary), Some(8.0));
        assert_eq!(
            obs.metric("gc.max_pause_ms", Subject::Test("TestB")),
            Some(1.0)
        );
        assert_eq!(
            obs.metric("gc.peak_heap_mb", Subject::Test("TestB")),
            Some(9.0)
        );
        assert_eq!(
            obs.metric("gc.peak_heap_mb", Subject::Test("TestA/sub")),
            Some(9.0)
        );
        // busy CPU = 2+1+3+2 = 8 ms over 20 ms x 2 P.
        assert_eq!(
            obs.metric("gc.cpu_percent", Subject::Test("TestB")),
            Some(20.0)
        );
        assert!(!obs.tests.iter().any(|t| t.name == PROCESS_TEST));
    }

    #[test]
    fn parallel_tests_leave_cycles_to_the_binary() {
        use TestLine::*;
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestP".into()))),
                ev(1, EventKind::Test(Run("TestP/a".into()))),
                ev(2, EventKind::Test(Pause("TestP/a".into()))),
                ev(3, EventKind::Test(Run("TestP/b".into()))),
                ev(4, EventKind::Test(Pause("TestP/b".into()))),
                ev(5, EventKind::Test(Cont("TestP/a".into()))),
                ev(6, EventKind::Test(Cont("TestP/b".into()))),
                ev(20, gc_line(CYCLE)),
                ev(
                    30,
                    EventKind::Test(Result {
                        name: "TestP/a".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.03,
                    }),
                ),
                ev(35, gc_line(CYCLE)),
                ev(
                    40,
                    EventKind::Test(Result {
                        name: "TestP/b".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.03,
                    }),
                ),
                ev(
                    41,
                    EventKind::Test(Result {
                        name: "TestP".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.0,
                    }),
                ),
                ev(42, EventKind::Test(Final(TestStatus::Pass))),
            ],
            Exit::Code(0),
        );
        let owners: Vec<Option<&str>> = obs.gc.iter().map(|c| c.test.as_deref()).collect();
        assert_eq!(owners, [None, Some("TestP/b")]);
    }

    /// A cycle whose line is read long after the test's result (the stderr
    /// reader ran late on a loaded machine) is placed by the runtime's clock.
    #[test]
    fn a_cycle_read_late_is_placed_by_the_runtimes_clock() {
        use TestLine::*;
        let early = CYCLE.replace("@0.1s", "@0.005s");
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(
                    10,
                    EventKind::Test(Result {
                        name: "TestA".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.01,
                    }),
                ),
                ev(50, gc_line(&early)),
                ev(51, EventKind::Test(Final(TestStatus::Pass))),
            ],
            Exit::Code(0),
        );
        let owners: Vec<Option<&str>> = obs.gc.iter().map(|c| c.test.as_deref()).collect();
        assert_eq!(owners, [Some("TestA")]);
    }

    /// With -test.memprofile, testing forces a cycle after the last test to
    /// write the profile; read through stderr before the last test's result on
    /// stdout, it still is not that test's (forced-gc flaked on alloc rules).
    #[test]
    fn the_heap_profiles_forced_cycle_is_the_binarys() {
        use TestLine::*;
        let events = |heap_profile| {
            let events = vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(10, gc_line(CYCLE)),
                ev(20, gc_line(CYCLE)),
                ev(
                    21,
                    EventKind::Test(Result {
                        name: "TestA".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.02,
                    }),
                ),
                ev(22, EventKind::Test(Final(TestStatus::Pass))),
            ];
            let wall = events.last().map_or(Duration::ZERO, |e| e.at);
            collect(
                RunRecord {
                    events,
                    exit: Exit::Code(0),
                    wall,
                    warnings: Vec::new(),
                    heap_profile,
                },
                Duration::from_secs(600),
            )
        };
        let owners = |obs: &Observations| -> Vec<Option<String>> {
            obs.gc.iter().map(|c| c.test.clone()).collect()
        };
        let test_a = Some("TestA".to_string());
        assert_eq!(owners(&events(true)), [test_a.clone(), None]);
        assert_eq!(owners(&events(false)), [test_a.clone(), test_a]);
        assert!(crate::run::writes_heap_profile(&[
            "-test.memprofile=/tmp/m".into()
        ]));
        assert!(!crate::run::writes_heap_profile(&[
            "-test.memprofilerate=1".into()
        ]));
    }

    #[test]
    fn lookups_by_name_follow_tests_added_after_the_first_lookup() {
        use TestLine::*;
        let passed = |name: &str| Result {
            name: name.into(),
            status: TestStatus::Pass,
            duration_s: 0.5,
        };
        let mut obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(1, EventKind::Test(passed("TestA"))),
            ],
            Exit::Code(0),
        );
        // The first lookup builds the index.
        assert_eq!(
            obs.metric("test.duration_s", Subject::Test("TestA")),
            Some(0.5)
        );
        assert!(obs.test("BenchmarkB").is_none());
        let mut bench = run(
            vec![
                ev(0, EventKind::Test(Run("BenchmarkB".into()))),
                ev(
                    1,
                    EventKind::Test(Result {
                        name: "BenchmarkB".into(),
                        status: TestStatus::Fail,
                        duration_s: 0.25,
                    }),
                ),
            ],
            Exit::Code(1),
        );
        bench.benchmarks.clear();
        obs.absorb_benchmark_pass(bench);
        assert_eq!(
            obs.test("BenchmarkB").map(|t| t.status),
            Some(TestStatus::Fail)
        );
        assert_eq!(
            obs.metric("test.duration_s", Subject::Test("TestA")),
            Some(0.5)
        );
        // Pushed past the index without a reset: still found, by a scan.
        obs.tests.push(obs.tests[0].clone());
        obs.tests.last_mut().expect("pushed").name = "TestC".into();
        assert!(obs.test("TestC").is_some());
    }

    #[test]
    fn a_crash_fails_the_running_test_with_the_output_tail() {
        use TestLine::*;
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestPanics".into()))),
                ev(
                    1,
                    EventKind::Test(Result {
                        name: "TestPanics".into(),
                        status: TestStatus::Fail,
                        duration_s: 0.0,
                    }),
                ),
                ev(2, EventKind::Test(Output("panic: boom [recovered]".into()))),
                ev(3, EventKind::Test(Run("TestNext".into()))),
                ev(
                    4,
                    EventKind::Stderr("fatal error: all goroutines are asleep - deadlock!".into()),
                ),
            ],
            Exit::Code(2),
        );
        let next = obs.test("TestNext").expect("recorded");
        assert_eq!(next.status, TestStatus::Fail);
        assert!(
            next.message
                .as_deref()
                .unwrap_or("")
                .contains("exit status 2")
        );
        assert!(next.output.iter().any(|l| l.contains("deadlock")));
    }

    #[test]
    fn a_panic_read_before_its_test_starts_is_still_that_tests_output() {
        // Seen under load: the panic's stderr overtook the stdout lines that end TestPasses
        // and start TestPanics, so it arrived while TestPasses still owned the output.
        use TestLine::*;
        let result = |name: &str, status| Result {
            name: name.into(),
            status,
            duration_s: 0.0,
        };
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestPasses".into()))),
                ev(
                    1,
                    EventKind::Stderr("panic: assignment to entry in nil map".into()),
                ),
                ev(1, EventKind::Stderr("goroutine 19 [running]:".into())),
                ev(2, EventKind::Test(result("TestPasses", TestStatus::Pass))),
                ev(3, EventKind::Test(Run("TestPanics".into()))),
                ev(4, EventKind::Test(result("TestPanics", TestStatus::Fail))),
            ],
            Exit::Code(2),
        );
        let panics = obs.test("TestPanics").expect("recorded");
        assert_eq!(panics.status, TestStatus::Fail);
        assert!(
            panics.output.iter().any(|l| l.contains("nil map")),
            "{:?}",
            panics.output
        );
        assert_eq!(
            obs.test("TestPasses").map(|t| t.status),
            Some(TestStatus::Pass)
        );
    }

    #[test]
    fn an_exit_without_any_test_is_a_process_failure() {
        let obs = run(
            vec![ev(
                1,
                EventKind::Stderr("flag provided but not defined: -test.bogus".into()),
            )],
            Exit::Code(2),
        );
        let process = obs.test(PROCESS_TEST).expect("process failure recorded");
        assert_eq!(process.status, TestStatus::Fail);
        assert!(process.output[0].contains("bogus"));
    }

    #[test]
    fn passing_tests_then_a_bad_exit_code_is_not_a_pass() {
        use TestLine::*;
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(
                    1,
                    EventKind::Test(Result {
                        name: "TestA".into(),
                        status: TestStatus::Pass,
                        duration_s: 0.0,
                    }),
                ),
                ev(2, EventKind::Test(Final(TestStatus::Pass))),
            ],
            Exit::Code(3),
        );
        assert!(obs.failed());
    }

    #[test]
    fn the_binarys_fail_wins_over_result_lines_that_all_passed() {
        use TestLine::*;
        let pass = |name: &str| Result {
            name: name.into(),
            status: TestStatus::Pass,
            duration_s: 0.0,
        };
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(1, EventKind::Test(pass("TestA"))),
                ev(2, EventKind::Test(Final(TestStatus::Fail))),
            ],
            Exit::Code(1),
        );
        assert!(obs.failed());
        let process = obs
            .test(PROCESS_TEST)
            .expect("the binary's verdict recorded");
        assert!(
            process
                .message
                .as_deref()
                .unwrap_or("")
                .contains("reported FAIL")
        );
    }

    #[test]
    fn a_failed_test_stays_failed_whatever_result_follows() {
        use TestLine::*;
        let result = |status| Result {
            name: "TestA".into(),
            status,
            duration_s: 0.0,
        };
        let obs = run(
            vec![
                ev(0, EventKind::Test(Run("TestA".into()))),
                ev(1, EventKind::Test(result(TestStatus::Fail))),
                ev(2, EventKind::Test(Run("TestA".into()))),
                ev(3, EventKind::Test(result(TestStatus::Pass))),
                ev(4, EventKind::Test(Final(TestStatus::Fail))),
            ],
            Exit::Code(1),
        );
        assert_eq!(obs.test("TestA").map(|t| t.status), Some(TestStatus::Fail));
    }

    #[test]
    fn reports_keep_a_bounded_tail_of_each_tests_output() {
        use TestLine::*;
        let mut events = vec![ev(0, EventKind::Test(Run("TestA".into())))];
        for i in 0..5000 {
            events.push(ev(1, EventKind::Test(Output(format!("line {i}")))));
        }
        events.push(ev(2, EventKind::Test(Output("x".repeat(10_000)))));
        events.push(ev(
            3,
            EventKind::Test(Result {
                name: "TestA".into(),
                status: TestStatus::Fail,
                duration_s: 0.0,
            }),
        ));
        let mut obs = run(events, Exit::Code(1));
        obs.trim_output(100);
        let out = &obs.test("TestA").expect("TestA").output;
        assert_eq!(out.len(), 101);
        assert!(
            out[0].contains("4901 earlier lines left out, 1 long lines shortened"),
            "{}",
            out[0]
        );
        assert_eq!(out[1], "line 4901");
        assert!(out[100].len() < 4200 && out[100].ends_with("[...]"));
    }
}
