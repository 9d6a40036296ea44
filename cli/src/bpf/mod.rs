//! The eBPF engine: loads `bpf/gate.bpf.c` (compiled by build.rs), attaches
//! the probes a plan asks for to one test binary, filters to the child's
//! tgid in the kernel, collects events from the ring buffer while the child
//! runs and reads the in-kernel aggregates when it has exited.

pub mod declared;
mod loader;
mod multi;
pub mod plan;

pub use loader::{EngineError, Preloader, Releaser, Session, start};

/// Checks, before anything runs, that this process may load eBPF programs
/// and attach uprobes: root, or CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN).
pub fn check_privileges() -> Result<(), EngineError> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let effective = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    let has = |cap: u32| effective & (1u64 << cap) != 0;
    const CAP_SYS_ADMIN: u32 = 21;
    const CAP_PERFMON: u32 = 38;
    const CAP_BPF: u32 = 39;
    if !(has(CAP_SYS_ADMIN) || has(CAP_BPF) && has(CAP_PERFMON)) {
        return Err(EngineError::Load(format!(
            "this process lacks CAP_BPF and CAP_PERFMON (effective capabilities {effective:#x})"
        )));
    }
    if !std::path::Path::new("/sys/bus/event_source/devices/uprobe").exists() {
        return Err(EngineError::Load(
            "the kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe); it needs CONFIG_UPROBE_EVENTS".into(),
        ));
    }
    Ok(())
}

use serde::{Deserialize, Serialize};

/// Frames captured per stack in the kernel (see MAX_FRAMES in gate.bpf.c).
pub const MAX_FRAMES: usize = 24;
/// Bytes of a test name read in the kernel (NAME_LEN in gate.bpf.c).
const NAME_LEN: usize = 128;

/// An event from the kernel, decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BpfEvent {
    /// A testing.tRunner goroutine started: the goroutine running the test `name`.
    TestStart {
        goid: u64,
        name: String,
    },
    /// A goroutine was created by `creator`, running `entry`; `stack` is the creator's (innermost first).
    GoCreate {
        goid: u64,
        root: u64,
        creator: u64,
        entry: u64,
        stack: Vec<u64>,
    },
    GoExit {
        goid: u64,
        root: u64,
    },
    TickerNew {
        goid: u64,
        root: u64,
        timer: u64,
        period_ns: u64,
        stack: Vec<u64>,
    },
    TickerStop {
        goid: u64,
        root: u64,
        timer: u64,
    },
    /// At exit: a live goroutine a test owns, its runtime status and wait reason code.
    GoAlive {
        goid: u64,
        root: u64,
        status: u32,
        wait_reason: u8,
    },
    /// An HTTP client response body was handed to the caller.
    BodyNew {
        goid: u64,
        root: u64,
        body: u64,
        stack: Vec<u64>,
    },
    /// That body was closed.
    BodyClose {
        body: u64,
    },
    /// A Read of that body returned io.EOF: it was read to its end.
    BodyEof {
        body: u64,
    },
    /// Bytes the runtime printed in gcMarkTermination (a piece of its gctrace line).
    GcPrint {
        bytes: Vec<u8>,
    },
    /// The exit snapshot ran over `walked` goroutines.
    Exit {
        walked: u64,
        reported: u64,
    },
    /// A declared lifecycle acquired `object` at `site` (a return address in user code, or 0).
    Acquire {
        goid: u64,
        root: u64,
        lifecycle: u32,
        object: u64,
        site: u64,
        stack: Vec<u64>,
    },
    /// And released it.
    Release {
        goid: u64,
        lifecycle: u32,
        object: u64,
    },
    /// One of the first hits of a counted probe in a test, with its call stack.
    ProbeHit {
        goid: u64,
        root: u64,
        probe: u32,
        object: u64,
        stack: Vec<u64>,
    },
}

/// The in-kernel aggregates, read after the child exited.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Aggregates {
    /// (owning test goroutine, 0 for none) -> (objects, bytes) allocated.
    pub allocs: Vec<(u64, u64, u64)>,
    /// (probe index, owning test goroutine, object) -> hits.
    pub counts: Vec<(u32, u64, u64, u64)>,
    /// Declared probes: (configuration, owning test goroutine, key, site) -> hits.
    #[serde(default)]
    pub hits: Vec<(u32, u64, u64, u64, u64)>,
    /// Timed probes: (configuration, owning test goroutine, site) -> (calls, total ns, max ns).
    #[serde(default)]
    pub durations: Vec<(u32, u64, u64, [u64; 3])>,
    /// goid -> latest deadline (CLOCK_MONOTONIC ns) of a timer it created; i64::MAX for tickers.
    pub timer_deadlines: Vec<(u64, u64)>,
    /// CLOCK_MONOTONIC when the aggregates were read (after the child exited).
    pub finished_at_ns: u64,
    /// Events the ring buffer could not take.
    pub lost: u64,
}

/// Everything the engine saw during one run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BpfRecord {
    pub events: Vec<BpfEvent>,
    pub aggregates: Aggregates,
}

impl BpfEvent {
    /// Code addresses as the binary's symbols have them: a PIE binary runs
    /// at a load bias the programs learn (sites they compute are already
    /// unbiased; entry pcs and stacks are as the process saw them).
    pub fn unbias(&mut self, bias: u64) {
        if bias == 0 {
            return;
        }
        let fix = |stack: &mut Vec<u64>| {
            for pc in stack.iter_mut() {
                *pc = pc.wrapping_sub(bias);
            }
        };
        match self {
            BpfEvent::GoCreate { entry, stack, .. } => {
                *entry = entry.wrapping_sub(bias);
                fix(stack);
            }
            BpfEvent::TickerNew { stack, .. }
            | BpfEvent::ProbeHit { stack, .. }
            | BpfEvent::BodyNew { stack, .. }
            | BpfEvent::Acquire { stack, .. } => fix(stack),
            _ => {}
        }
    }
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0)
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0)
}

/// `struct event` of gate.bpf.c, as `decode` reads it (the layout test checks it against the object's BTF).
#[cfg(test)]
#[repr(C)]
pub struct EventLayout {
    kind: u32,
    nframes: u32,
    ts: u64,
    goid: u64,
    root: u64,
    a: u64,
    b: u64,
    c: u64,
    frames: [u64; MAX_FRAMES],
    name: [u8; NAME_LEN],
}

/// What the runtime printed in gcMarkTermination during the run, in order:
/// its gctrace lines as it wrote them.
pub fn gc_printed(record: &BpfRecord) -> Vec<u8> {
    record
        .events
        .iter()
        .filter_map(|e| match e {
            BpfEvent::GcPrint { bytes } => Some(bytes.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}

/// Decodes `struct event` (gate.bpf.c): kind, nframes, ts, goid, root, a, b, c, frames[], name[].
pub fn decode(b: &[u8]) -> Option<BpfEvent> {
    const FRAMES: usize = 56;
    let kind = u32_at(b, 0);
    let nframes = (u32_at(b, 4) as usize).min(MAX_FRAMES);
    let (goid, root) = (u64_at(b, 16), u64_at(b, 24));
    let (a, bb) = (u64_at(b, 32), u64_at(b, 40));
    let stack = || -> Vec<u64> {
        (0..nframes)
            .map(|i| u64_at(b, FRAMES + 8 * i))
            .filter(|&pc| pc != 0)
            .collect()
    };
    Some(match kind {
        1 => {
            let start = FRAMES + 8 * MAX_FRAMES;
            let raw = b.get(start..start + NAME_LEN)?;
            let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
            BpfEvent::TestStart {
                goid,
                name: String::from_utf8_lossy(&raw[..end]).into_owned(),
            }
        }
        2 => BpfEvent::GoCreate {
            goid,
            root,
            creator: a,
            entry: bb,
            stack: stack(),
        },
        3 => BpfEvent::GoExit { goid, root },
        4 => BpfEvent::TickerNew {
            goid,
            root,
            timer: a,
            period_ns: bb,
            stack: stack(),
        },
        5 => BpfEvent::TickerStop {
            goid,
            root,
            timer: a,
        },
        6 => BpfEvent::ProbeHit {
            goid,
            root,
            probe: a as u32,
            object: bb,
            stack: stack(),
        },
        7 => BpfEvent::GoAlive {
            goid,
            root,
            status: a as u32,
            wait_reason: bb as u8,
        },
        8 => BpfEvent::Exit {
            walked: a,
            reported: bb,
        },
        9 => BpfEvent::BodyNew {
            goid,
            root,
            body: a,
            stack: stack(),
        },
        10 => BpfEvent::BodyClose { body: a },
        13 => BpfEvent::BodyEof { body: a },
        14 => {
            let start = FRAMES + 8 * MAX_FRAMES;
            let n = (a as usize).min(NAME_LEN);
            BpfEvent::GcPrint {
                bytes: b.get(start..start + n)?.to_vec(),
            }
        }
        11 => BpfEvent::Acquire {
            goid,
            root,
            lifecycle: a as u32,
            object: bb,
            site: u64_at(b, 48),
            stack: stack(),
        },
        12 => BpfEvent::Release {
            goid,
            lifecycle: a as u32,
            object: bb,
        },
        _ => return None,
    })
}
