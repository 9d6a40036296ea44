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
}

impl Signal {
    pub fn describe(self) -> &'static str {
        match self {
            Signal::TestOutput => "test output (-test.v)",
            Signal::GcTrace => "GODEBUG=gctrace=1",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub signal: Signal,
    pub description: &'static str,
}

pub const METRICS: &[MetricDef] = &[
    MetricDef {
        name: "test.duration_s",
        unit: "s",
        signal: Signal::TestOutput,
        description: "Wall time of the test as reported by `go test` (binary scope: the whole run).",
    },
    MetricDef {
        name: "gc.cycles",
        unit: "cycles",
        signal: Signal::GcTrace,
        description: "Garbage collection cycles that started during the scope.",
    },
    MetricDef {
        name: "gc.forced_cycles",
        unit: "cycles",
        signal: Signal::GcTrace,
        description: "Cycles forced by runtime.GC() or debug.FreeOSMemory() (gctrace `(forced)`).",
    },
    MetricDef {
        name: "gc.max_pause_ms",
        unit: "ms",
        signal: Signal::GcTrace,
        description: "Largest stop-the-world phase of one cycle (sweep termination or mark termination), wall clock.",
    },
    MetricDef {
        name: "gc.total_pause_ms",
        unit: "ms",
        signal: Signal::GcTrace,
        description: "Sum of both stop-the-world phases over all cycles of the scope, wall clock.",
    },
    MetricDef {
        name: "gc.cpu_percent",
        unit: "%",
        signal: Signal::GcTrace,
        description: "GC CPU time (STW phases, assists, background marking; idle marking excluded) as a share of \
                      GOMAXPROCS x wall time of the scope.",
    },
    MetricDef {
        name: "gc.peak_heap_mb",
        unit: "MiB",
        signal: Signal::GcTrace,
        description: "Largest heap size seen at the start or end of a cycle of the scope (gctrace `A->B->C MB`).",
    },
];

pub fn lookup(name: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.name == name)
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
