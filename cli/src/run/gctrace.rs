//! Parses `GODEBUG=gctrace=1` lines into one record per GC cycle.
//!
//! Format (runtime/mgc.go, Go 1.19 to 1.26; `stacks`/`globals` since 1.18):
//! `gc 7 @0.009s 13%: 0.020+0.21+0.003 ms clock, 0.040+0/0.15/0.10+0.007 ms cpu,
//!  96->96->96 MB, 192 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)`

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// Keeps the gctrace records the Go runtime itself printed and turns every
/// other gctrace-shaped stderr line back into the plain output it is: a
/// test (or a process it starts) writing such text to stderr forges no GC
/// cycle. `printed` is what the runtime wrote in gcMarkTermination, in order,
/// as the eBPF engine saw it; each of its lines vouches for one stderr line.
/// A line cut off at exit vouches by its beginning. Returns how many lines
/// were turned into output.
pub fn keep_runtime_lines(events: &mut [super::RunEvent], printed: &[u8]) -> usize {
    use std::collections::HashMap;
    let text = String::from_utf8_lossy(printed);
    let mut vouched: HashMap<&str, usize> = HashMap::new();
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        *vouched.entry(line).or_default() += 1;
    }
    let mut turned = 0;
    for event in events.iter_mut() {
        let super::EventKind::Gc(cycle, line) = &event.kind else {
            continue;
        };
        let key = match vouched.get_mut(line.as_str()) {
            Some(n) if *n > 0 => Some(line.clone()),
            _ if cycle.truncated => vouched
                .iter()
                .find(|(l, n)| **n > 0 && l.starts_with(line.as_str()))
                .map(|(l, _)| l.to_string()),
            _ => None,
        };
        match key.and_then(|k| vouched.get_mut(k.as_str())) {
            Some(n) => *n -= 1,
            None => {
                event.kind = super::EventKind::Stderr(line.clone());
                turned += 1;
            }
        }
    }
    turned
}

/// One garbage collection cycle as the runtime reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GcCycle {
    pub cycle: u64,
    /// Start of the cycle, seconds since the runtime started.
    pub at_s: f64,
    /// GC CPU share since program start, as the runtime computes it.
    pub cumulative_cpu_percent: f64,
    /// Wall clock of the three phases: STW sweep termination, concurrent mark, STW mark termination.
    pub stw_sweep_term_ms: f64,
    pub concurrent_mark_ms: f64,
    pub stw_mark_term_ms: f64,
    /// CPU time: STW sweep termination, mark assists, background mark, idle mark, STW mark termination.
    pub cpu_sweep_term_ms: f64,
    pub cpu_assist_ms: f64,
    pub cpu_background_ms: f64,
    pub cpu_idle_ms: f64,
    pub cpu_mark_term_ms: f64,
    pub heap_start_mb: u64,
    pub heap_end_mb: u64,
    pub heap_live_mb: u64,
    pub heap_goal_mb: u64,
    pub stacks_mb: Option<u64>,
    pub globals_mb: Option<u64>,
    pub procs: u32,
    pub forced: bool,
    /// The line was cut off when the process exited (the runtime prints it
    /// piecewise from a background worker); fields after the cut read as 0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl GcCycle {
    pub fn max_pause_ms(&self) -> f64 {
        self.stw_sweep_term_ms.max(self.stw_mark_term_ms)
    }

    pub fn total_pause_ms(&self) -> f64 {
        self.stw_sweep_term_ms + self.stw_mark_term_ms
    }

    /// Wall time from the start of sweep termination to the end of mark termination.
    pub fn wall_ms(&self) -> f64 {
        self.stw_sweep_term_ms + self.concurrent_mark_ms + self.stw_mark_term_ms
    }

    /// GC CPU time that took CPU away from the program (idle marking excluded).
    pub fn busy_cpu_ms(&self) -> f64 {
        self.cpu_sweep_term_ms + self.cpu_assist_ms + self.cpu_background_ms + self.cpu_mark_term_ms
    }
}

/// What a line of stderr turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum GcLine {
    Cycle(Box<GcCycle>),
    /// Looked like gctrace but did not parse: worth a warning, never a crash.
    Unrecognised(String),
    /// Not gctrace.
    Other,
}

const NUM: &str = r"(\d+(?:\.\d+)?)";

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    let re = format!(
        r"^gc (\d+) @{NUM}s {NUM}%(?: \([^)]*\))?: {NUM}\+{NUM}\+{NUM} ms clock, {NUM}\+{NUM}/{NUM}/{NUM}\+{NUM} ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal,(?: (\d+) MB stacks,)?(?: (\d+) MB globals,)? (\d+) P( \(forced\))?\s*$"
    );
    Regex::new(&re).expect("gctrace regex is valid")
});

/// The start of a line cut off at exit: as much of the fixed prefix as arrived.
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    let re = format!(
        r"^gc (\d+) @{NUM}s(?: {NUM}%)?(?:(?: \([^)]*\))?: {NUM}(?:\+{NUM}(?:\+{NUM} ms clock)?)?)?"
    );
    Regex::new(&re).expect("gctrace prefix regex is valid")
});

static LOOKS_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^gc \d+ @").expect("gctrace prefix regex is valid"));

/// Parses the last line of a stream that ended without a newline: a gctrace
/// line cut off because the process exited while the runtime printed it.
pub fn parse_truncated_line(line: &str) -> GcLine {
    if let GcLine::Cycle(c) = parse_line(line) {
        return GcLine::Cycle(c);
    }
    let Some(c) = PREFIX.captures(line) else {
        return parse_line(line);
    };
    let f = |i: usize| {
        c.get(i)
            .and_then(|m| m.as_str().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    GcLine::Cycle(Box::new(GcCycle {
        cycle: c.get(1).and_then(|m| m.as_str().parse().ok()).unwrap_or(0),
        at_s: f(2),
        cumulative_cpu_percent: f(3),
        stw_sweep_term_ms: f(4),
        concurrent_mark_ms: f(5),
        stw_mark_term_ms: f(6),
        cpu_sweep_term_ms: 0.0,
        cpu_assist_ms: 0.0,
        cpu_background_ms: 0.0,
        cpu_idle_ms: 0.0,
        cpu_mark_term_ms: 0.0,
        heap_start_mb: 0,
        heap_end_mb: 0,
        heap_live_mb: 0,
        heap_goal_mb: 0,
        stacks_mb: None,
        globals_mb: None,
        procs: 0,
        forced: false,
        truncated: true,
    }))
}

pub fn parse_line(line: &str) -> GcLine {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let Some(c) = LINE.captures(line) else {
        return if LOOKS_LIKE.is_match(line) {
            GcLine::Unrecognised(line.to_string())
        } else {
            GcLine::Other
        };
    };
    let f = |i: usize| {
        c.get(i)
            .and_then(|m| m.as_str().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let u = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok());
    GcLine::Cycle(Box::new(GcCycle {
        cycle: u(1).unwrap_or(0),
        at_s: f(2),
        cumulative_cpu_percent: f(3),
        stw_sweep_term_ms: f(4),
        concurrent_mark_ms: f(5),
        stw_mark_term_ms: f(6),
        cpu_sweep_term_ms: f(7),
        cpu_assist_ms: f(8),
        cpu_background_ms: f(9),
        cpu_idle_ms: f(10),
        cpu_mark_term_ms: f(11),
        heap_start_mb: u(12).unwrap_or(0),
        heap_end_mb: u(13).unwrap_or(0),
        heap_live_mb: u(14).unwrap_or(0),
        heap_goal_mb: u(15).unwrap_or(0),
        stacks_mb: u(16),
        globals_mb: u(17),
        procs: u(18).unwrap_or(0) as u32,
        forced: c.get(19).is_some(),
        truncated: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_the_runtime_printed_stay_gc_cycles() {
        use super::super::{EventKind, RunEvent};
        let line = |n: u32, pause: u32| {
            format!(
                "gc {n} @0.0{n}s 1%: {pause}+0.1+0.01 ms clock, 0.1+0/0.1/0.1+0.01 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P"
            )
        };
        let event = |text: String, truncated: bool| {
            let cycle = if truncated {
                parse_truncated_line(&text)
            } else {
                parse_line(&text)
            };
            let GcLine::Cycle(c) = cycle else {
                panic!("{text} parses")
            };
            RunEvent {
                at: std::time::Duration::ZERO,
                kind: EventKind::Gc(c, text),
            }
        };
        // The runtime printed cycles 1 and 2 in pieces; a test printed cycle
        // 2's line a second time and a made-up cycle 3; cycle 4 was cut off
        // at exit on stderr after the runtime wrote a little more of it.
        let printed = format!("{}\n{}\n{}", line(1, 1), line(2, 2), &line(4, 4)[..40]);
        let mut events = vec![
            event(line(1, 1), false),
            event(line(2, 2), false),
            event(line(2, 2), false),
            event(line(3, 5000), false),
            event(line(4, 4)[..30].to_string(), true),
        ];
        assert_eq!(keep_runtime_lines(&mut events, printed.as_bytes()), 2);
        let kept: Vec<bool> = events
            .iter()
            .map(|e| matches!(e.kind, EventKind::Gc(..)))
            .collect();
        assert_eq!(kept, [true, true, false, false, true]);
        assert!(matches!(&events[3].kind, EventKind::Stderr(l) if l.contains("5000+")));
    }

    fn cycles(text: &str) -> Vec<GcCycle> {
        text.lines()
            .filter_map(|l| match parse_line(l) {
                GcLine::Cycle(c) => Some(*c),
                GcLine::Unrecognised(l) => panic!("unrecognised gctrace line: {l}"),
                GcLine::Other => None,
            })
            .collect()
    }

    #[test]
    fn go_1_26_lines_from_a_real_run() {
        // Captured from fixtures-go/gc/forced on this machine (go1.26.8).
        let got = cycles(include_str!("testdata/gctrace_go1.26.txt"));
        assert!(got.len() >= 4, "{} cycles", got.len());
        let forced: Vec<&GcCycle> = got.iter().filter(|c| c.forced).collect();
        assert!(!forced.is_empty());
        for (i, c) in got.iter().enumerate() {
            assert_eq!(c.cycle, i as u64 + 1, "cycles are numbered from 1");
            assert!(c.procs >= 1);
            assert!(c.stacks_mb.is_some() && c.globals_mb.is_some());
        }
    }

    #[test]
    fn go_1_22_lines_from_a_real_run() {
        // Captured from the same fixture built with GOTOOLCHAIN=go1.22.12.
        let got = cycles(include_str!("testdata/gctrace_go1.22.txt"));
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|c| c.forced && c.procs == 2));
    }

    #[test]
    fn every_field_of_one_line() {
        let line = "gc 7 @0.009s 13%: 0.020+0.21+0.003 ms clock, 0.040+0/0.15/0.10+0.007 ms cpu, 96->95->90 MB, 192 MB goal, 1 MB stacks, 2 MB globals, 2 P (forced)";
        let GcLine::Cycle(c) = parse_line(line) else {
            panic!("should parse")
        };
        assert_eq!(
            *c,
            GcCycle {
                cycle: 7,
                at_s: 0.009,
                cumulative_cpu_percent: 13.0,
                stw_sweep_term_ms: 0.020,
                concurrent_mark_ms: 0.21,
                stw_mark_term_ms: 0.003,
                cpu_sweep_term_ms: 0.040,
                cpu_assist_ms: 0.0,
                cpu_background_ms: 0.15,
                cpu_idle_ms: 0.10,
                cpu_mark_term_ms: 0.007,
                heap_start_mb: 96,
                heap_end_mb: 95,
                heap_live_mb: 90,
                heap_goal_mb: 192,
                stacks_mb: Some(1),
                globals_mb: Some(2),
                procs: 2,
                forced: true,
                truncated: false,
            }
        );
        assert_eq!(c.max_pause_ms(), 0.020);
    }

    #[test]
    fn older_formats_parse() {
        // Go 1.17 and earlier: no stacks/globals.
        let go117 = "gc 1 @0.013s 0%: 0.010+0.33+0.002 ms clock, 0.040+0.10/0.25/0.51+0.009 ms cpu, 4->4->0 MB, 5 MB goal, 4 P";
        let GcLine::Cycle(c) = parse_line(go117) else {
            panic!("1.17 line")
        };
        assert_eq!(
            (c.heap_goal_mb, c.stacks_mb, c.procs, c.forced),
            (5, None, 4, false)
        );
        // Go 1.19 to 1.25 format, as printed by go1.22.
        let go122 = "gc 3 @0.021s 4%: 0.018+1.2+0.027 ms clock, 0.073+0.15/0.85/0.36+0.10 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 4 P";
        assert!(matches!(parse_line(go122), GcLine::Cycle(_)));
        // Go 1.26 goroutine leak detection marker.
        let leak = "gc 9 @1.5s 1% (checking for goroutine leaks): 0.1+0.2+0.3 ms clock, 0.1+0/0.2/0+0.3 ms cpu, 4->4->1 MB, 8 MB goal, 0 MB stacks, 0 MB globals, 2 P";
        assert!(matches!(parse_line(leak), GcLine::Cycle(_)));
    }

    #[test]
    fn a_line_cut_off_at_exit_still_counts_its_cycle() {
        // Seen on Go 1.26: the process exited while the GC worker printed this.
        let GcLine::Cycle(c) = parse_truncated_line("gc 4 @0.011s 3%: 0.11+0.42") else {
            panic!("partial line should give a cycle")
        };
        assert_eq!(
            (c.cycle, c.at_s, c.stw_sweep_term_ms, c.concurrent_mark_ms),
            (4, 0.011, 0.11, 0.42)
        );
        assert!(c.truncated && !c.forced);
        assert!(matches!(
            parse_truncated_line("gc 5 @"),
            GcLine::Unrecognised(_)
        ));
        assert_eq!(parse_truncated_line("plain output"), GcLine::Other);
    }

    #[test]
    fn broken_lines_are_unrecognised_not_panics() {
        assert!(matches!(
            parse_line("gc 25 @0.022s 15--- PASS: TestX (0.02s)"),
            GcLine::Unrecognised(_)
        ));
        assert_eq!(parse_line("hello"), GcLine::Other);
        assert_eq!(parse_line("gc is a word"), GcLine::Other);
        assert_eq!(parse_line(""), GcLine::Other);
    }
}

#[cfg(test)]
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn any_stderr_line_parses_without_panicking(
            line in "(gc [0-9]{1,25} @[0-9.]{0,8}s [0-9]{0,4}%: [0-9.+/ ]{0,30} ms clock, [0-9.+/ ]{0,30} ms cpu, [0-9>-]{0,20} MB, [0-9]{0,20} MB goal.{0,40})|.{0,120}",
        ) {
            let _ = parse_line(&line);
            let _ = parse_truncated_line(&line);
        }
    }
}
