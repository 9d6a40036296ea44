//! The metrics a rule may name, and the signal (observer) that provides each.
//!
//! This table is the single source for validation, `gate rules --metrics`
//! and the README's metric list.

/// The observer that produces a metric. The engine enables only the signals
/// that enabled rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// `-test.v` output: test names, results, durations.
    TestOutput,
    /// `GODEBUG=gctrace=1` lines on the binary's stderr.
    GcTrace,
    /// Result lines of `-test.bench` runs: one sample per `-test.count` repetition.
    Benchmarks,
    /// eBPF: goroutine creation, exit and park states (runtime.newproc, goexit1, gopark, ready).
    Goroutines,
    /// eBPF: time.newTimer with a period, time.stopTimer.
    Tickers,
    /// eBPF: runtime.mallocgc, aggregated in the kernel.
    Allocations,
    /// eBPF: sync.(*Pool).Get, its call of New, Put.
    Pools,
    /// eBPF: net/http client response bodies handed out and closed.
    HttpBodies,
    /// eBPF: a user-declared `[[probe]]`.
    Probe,
    /// The test binary's heap profile (`-test.memprofile`, every allocation sampled).
    HeapProfile,
}

impl Signal {
    pub fn describe(self) -> &'static str {
        match self {
            Signal::TestOutput => "test output (-test.v)",
            Signal::GcTrace => "GODEBUG=gctrace=1",
            Signal::Benchmarks => "-test.bench output",
            Signal::Goroutines => "eBPF goroutines",
            Signal::Tickers => "eBPF timers",
            Signal::Allocations => "eBPF mallocgc",
            Signal::Pools => "eBPF sync.Pool",
            Signal::HttpBodies => "eBPF net/http",
            Signal::Probe => "eBPF [[probe]]",
            Signal::HeapProfile => "-test.memprofile",
        }
    }

    /// Whether the signal needs the eBPF engine.
    pub fn needs_ebpf(self) -> bool {
        !matches!(
            self,
            Signal::TestOutput | Signal::GcTrace | Signal::Benchmarks | Signal::HeapProfile
        )
    }
}

/// How a metric's value comes about, and how findings are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// One number per scope.
    Scalar,
    /// A count of objects (leaked goroutines...): one finding per object, at its creation site.
    Lifecycle,
    /// A value per object (a pool's reuse ratio): each object is checked on its own.
    PerObject,
    /// A count made at call sites (a probe's calls, an output pattern's lines): the
    /// value is their sum, and each site is a finding of its own.
    Sited,
}

/// How a per-test counter makes the binary's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Counts and totals add up.
    Sum,
    /// The longest (a maximum) is the largest of them.
    Max,
}

/// What a metric's absence in a test means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen {
    Zero,
    NoData,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub signal: Signal,
    pub kind: MetricKind,
    /// Whether a larger value is worse: the default direction of a regression (not for MB/s, reuse ratios).
    pub higher_is_worse: bool,
    /// How the binary's value comes from its tests' (and what happened outside them).
    pub over_tests: Combine,
    /// What "nothing seen" means for a test the signal watched: 0 (no goroutine
    /// leaked), or no data (no pool was used, so there is no reuse ratio).
    pub unseen: Unseen,
    pub description: &'static str,
}

pub const METRICS: &[MetricDef] = &[
    MetricDef {
        name: "bench.ns/op",
        unit: "ns/op",
        signal: Signal::Benchmarks,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Benchmark time per operation; one sample per -test.count repetition (benchmark scope).",
    },
    MetricDef {
        name: "bench.B/op",
        unit: "B/op",
        signal: Signal::Benchmarks,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Bytes allocated per operation (gate adds -test.benchmem when -test.bench is given).",
    },
    MetricDef {
        name: "bench.allocs/op",
        unit: "allocs/op",
        signal: Signal::Benchmarks,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Heap allocations per operation, from the Go runtime's own count.",
    },
    MetricDef {
        name: "bench.MB/s",
        unit: "MB/s",
        signal: Signal::Benchmarks,
        kind: MetricKind::Scalar,
        higher_is_worse: false,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Throughput of a benchmark that calls b.SetBytes; lower is worse. Other `b.ReportMetric` \
                      units are metrics too: bench.<unit>.",
    },
    MetricDef {
        name: "test.duration_s",
        unit: "s",
        signal: Signal::TestOutput,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Wall time of the test as reported by `go test` (binary scope: the whole run).",
    },
    MetricDef {
        name: "gc.cycles",
        unit: "cycles",
        signal: Signal::GcTrace,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Garbage collection cycles that started during the scope.",
    },
    MetricDef {
        name: "gc.forced_cycles",
        unit: "cycles",
        signal: Signal::GcTrace,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Cycles forced by runtime.GC() or debug.FreeOSMemory() (gctrace `(forced)`).",
    },
    MetricDef {
        name: "gc.max_pause_ms",
        unit: "ms",
        signal: Signal::GcTrace,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Largest stop-the-world phase of one cycle (sweep termination or mark termination), wall clock.",
    },
    MetricDef {
        name: "gc.total_pause_ms",
        unit: "ms",
        signal: Signal::GcTrace,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Sum of both stop-the-world phases over all cycles of the scope, wall clock.",
    },
    MetricDef {
        name: "gc.cpu_percent",
        unit: "%",
        signal: Signal::GcTrace,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "GC CPU time (STW phases, assists, background marking; idle marking excluded) as a share of \
                      GOMAXPROCS x wall time of the scope.",
    },
    MetricDef {
        name: "gc.peak_heap_mb",
        unit: "MiB",
        signal: Signal::GcTrace,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Largest heap size seen at the start or end of a cycle of the scope (gctrace `A->B->C MB`).",
    },
    MetricDef {
        name: "goroutines.created",
        unit: "goroutines",
        signal: Signal::Goroutines,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Goroutines started during the scope by the test's goroutine or its descendants.",
    },
    MetricDef {
        name: "goroutines.leaked",
        unit: "goroutines",
        signal: Signal::Goroutines,
        kind: MetricKind::Lifecycle,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Goroutines started by the test (or its descendants) still alive when the binary exited, \
                      parked where nothing will wake them: channel, select without a pending timer of its own, \
                      sync primitive, network wait. Each is reported at its creation site with its entry function.",
    },
    MetricDef {
        name: "goroutines.lingering",
        unit: "goroutines",
        signal: Signal::Goroutines,
        kind: MetricKind::Lifecycle,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Goroutines started by the test still alive at exit but sleeping, runnable, running or \
                      waiting on their own timer: they would have finished, so they are not leaks.",
    },
    MetricDef {
        name: "timers.tickers_created",
        unit: "tickers",
        signal: Signal::Tickers,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "time.Ticker values created (time.NewTicker, time.Tick): runtime timers with a period.",
    },
    MetricDef {
        name: "timers.tickers_stopped",
        unit: "tickers",
        signal: Signal::Tickers,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Tickers created during the scope and stopped with Stop.",
    },
    MetricDef {
        name: "timers.tickers_unstopped",
        unit: "tickers",
        signal: Signal::Tickers,
        kind: MetricKind::Lifecycle,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Tickers created by the test and never stopped, each at its creation site.",
    },
    MetricDef {
        name: "alloc.objects",
        unit: "objects",
        signal: Signal::Allocations,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Heap allocations (runtime.mallocgc calls) by the test's goroutines, counted in the kernel.",
    },
    MetricDef {
        name: "alloc.bytes",
        unit: "bytes",
        signal: Signal::Allocations,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Bytes requested from runtime.mallocgc by the test's goroutines.",
    },
    MetricDef {
        name: "http.bodies_returned",
        unit: "bodies",
        signal: Signal::HttpBodies,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "HTTP client response bodies (with a connection behind them) handed to the test's code by Client.Do/Get/Post.",
    },
    MetricDef {
        name: "http.bodies_closed",
        unit: "bodies",
        signal: Signal::HttpBodies,
        kind: MetricKind::Scalar,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Of those, bodies closed.",
    },
    MetricDef {
        name: "http.bodies_unclosed",
        unit: "bodies",
        signal: Signal::HttpBodies,
        kind: MetricKind::Lifecycle,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Response bodies neither read to their end nor closed (their connection is held), each at the call that received it.",
    },
    MetricDef {
        name: "http.bodies_unclosed_read",
        unit: "bodies",
        signal: Signal::HttpBodies,
        kind: MetricKind::Lifecycle,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::Zero,
        description: "Response bodies read to io.EOF but never closed (their connection was given back at EOF), each at the call that received it.",
    },
    MetricDef {
        name: "pool.gets",
        unit: "calls",
        signal: Signal::Pools,
        kind: MetricKind::PerObject,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "sync.Pool Get calls, per pool (named by its variable where it is a global).",
    },
    MetricDef {
        name: "pool.news",
        unit: "calls",
        signal: Signal::Pools,
        kind: MetricKind::PerObject,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "Calls of a pool's New function from Get: the pool had nothing to reuse.",
    },
    MetricDef {
        name: "pool.puts",
        unit: "calls",
        signal: Signal::Pools,
        kind: MetricKind::PerObject,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "sync.Pool Put calls, per pool.",
    },
    MetricDef {
        name: "pool.reuse_ratio",
        unit: "",
        signal: Signal::Pools,
        kind: MetricKind::PerObject,
        higher_is_worse: false,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: "1 - New/Get per pool and test: the share of Gets served by a reused object.",
    },
];

/// Prefix of benchmark metrics: `bench.` and the unit Go prints (`bench.ns/op`).
pub const BENCH_PREFIX: &str = "bench.";

pub fn lookup(name: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.name == name)
}

/// A benchmark metric of a unit not in the table: a `b.ReportMetric` unit such as
/// `bench.widgets/op`. Rule files are read once per run, so the definition is leaked.
pub fn custom_bench_metric(name: &str) -> Option<&'static MetricDef> {
    let unit = name.strip_prefix(BENCH_PREFIX)?;
    let valid = !unit.is_empty() && !unit.chars().any(char::is_whitespace);
    valid.then(|| {
        &*Box::leak(Box::new(MetricDef {
            name: Box::leak(name.to_string().into_boxed_str()),
            unit: Box::leak(unit.to_string().into_boxed_str()),
            signal: Signal::Benchmarks,
            kind: MetricKind::Scalar,
            higher_is_worse: true,
            over_tests: Combine::Sum,
            unseen: Unseen::NoData,
            description: "A custom benchmark metric reported with b.ReportMetric.",
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_unique_and_namespaced() {
        for (i, m) in METRICS.iter().enumerate() {
            assert!(m.name.contains('.'), "{} needs a signal prefix", m.name);
            assert!(
                METRICS[i + 1..].iter().all(|o| o.name != m.name),
                "{} listed twice",
                m.name
            );
            assert!(!m.description.is_empty());
        }
    }
}
