//! aya loader: one session per traced test binary.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::thread::JoinHandle;

use aya::maps::{Array, HashMap as BpfHashMap, MapData, PerCpuHashMap, RingBuf};
use aya::programs::UProbe;
use aya::programs::uprobe::{UProbeAttachLocation, UProbeAttachPoint, UProbeScope};
use aya::{Ebpf, EbpfLoader, Pod};

use super::multi::{MultiPrograms, Unsupported};
use super::plan::{Attachment, Plan, ProbeConf};
use super::{Aggregates, BpfEvent, BpfRecord, decode};

/// Entries of the user_ranges map (MAX_RANGES in gate.bpf.c).
const MAX_RANGES: usize = 4096;

/// The compiled BPF object, embedded (aligned for the ELF parser).
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/gate.bpf.o"));

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct AllocStat {
    count: u64,
    bytes: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CountKey {
    probe: u64,
    root: u64,
    object: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct RawProbeConf {
    object_arg: u32,
    pred_arg: u32,
    op: u32,
    emit: u32,
    value: u64,
    via_goid: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct HitKey {
    conf: u32,
    pad: u32,
    root: u64,
    object: u64,
    site: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CodeRange {
    start: u64,
    end: u64,
}

/// The configurations of one system call (struct syscall_confs).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct SyscallConfs {
    n: u32,
    conf: [u32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct DurationStat {
    calls: u64,
    total_ns: u64,
    max_ns: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct IgnoreRange {
    start: u64,
    end: u64,
    sets: u64,
}

/// struct decl_conf, written as it is laid out in Rust (checked against the object's BTF in a test).
#[repr(transparent)]
#[derive(Clone, Copy)]
struct RawDeclConf(super::declared::DeclConf);

// SAFETY: #[repr(C)] structs of integers and byte arrays, laid out without
// padding holes (the BTF test compares every field offset with the C side).
unsafe impl Pod for HitKey {}
// SAFETY: as above.
unsafe impl Pod for CodeRange {}
// SAFETY: as above.
unsafe impl Pod for IgnoreRange {}
// SAFETY: as above.
unsafe impl Pod for DurationStat {}
// SAFETY: as above.
unsafe impl Pod for SyscallConfs {}
// SAFETY: as above.
unsafe impl Pod for RawDeclConf {}

// SAFETY: plain #[repr(C)] structs of integers without padding holes the
// kernel could leave uninitialised, mirroring the C definitions in gate.bpf.c.
unsafe impl Pod for AllocStat {}
// SAFETY: as above.
unsafe impl Pod for CountKey {}
// SAFETY: as above.
unsafe impl Pod for RawProbeConf {}

/// Why the engine could not start: always an environment problem (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "cannot load eBPF programs ({0}); run gate as root, or grant it CAP_BPF and CAP_PERFMON \
         (sudo setcap cap_bpf,cap_perfmon+ep \"$(command -v gate)\"), or pass --no-ebpf to run only the rules that need no eBPF"
    )]
    Load(String),
    #[error(
        "the kernel rejected gate's eBPF program {program}: {error}\n{log}\nThis is a bug in gate: please report it with the kernel version (uname -r)"
    )]
    Rejected {
        program: String,
        error: String,
        log: String,
    },
    #[error(
        "cannot attach a uprobe to {symbol} in {binary} ({error}); the kernel needs uprobe support \
         (CONFIG_UPROBE_EVENTS) and gate needs CAP_PERFMON, or pass --no-ebpf"
    )]
    Attach {
        symbol: String,
        binary: String,
        error: String,
    },
}

/// A loaded, attached engine. Dropping it detaches every probe.
pub struct Session {
    ebpf: Ebpf,
    /// Uprobe-multi links and their programs (empty on the perf-event path,
    /// where `ebpf`'s programs own their links).
    links: Links,
    /// Dropped to stop the reader: its end of the pipe sees the hang-up at once.
    stop: Option<std::io::PipeWriter>,
    reader: Option<JoinHandle<Vec<BpfEvent>>>,
}

/// A loader made ahead of time. Making one parses the kernel's BTF (~30 ms
/// here) although gate's programs need none, and the first load probes the
/// kernel's features: both happen in a thread while gate inspects and plans.
#[derive(Default)]
pub struct Preloader(Option<JoinHandle<EbpfLoader<'static>>>);

impl Preloader {
    /// Starts making the next session's loader, unless one is being made.
    pub fn prepare(&mut self) {
        if self.0.is_none() {
            self.0 = Some(std::thread::spawn(|| {
                let _ = aya::features();
                fresh_loader()
            }));
        }
    }

    fn take(&mut self) -> EbpfLoader<'static> {
        self.0
            .take()
            .and_then(|made| made.join().ok())
            .unwrap_or_else(fresh_loader)
    }
}

fn fresh_loader() -> EbpfLoader<'static> {
    let mut loader = EbpfLoader::new();
    // The programs read Go's memory at offsets from the target's DWARF, never
    // kernel structs: no CO-RE relocations, so no kernel BTF.
    loader.btf(None);
    loader
}

/// Loads the programs for `tgid`, attaches `plan` to `binary` and starts reading events.
pub fn start(
    plan: &Plan,
    binary: &Path,
    tgid: u32,
    preloader: &mut Preloader,
) -> Result<Session, EngineError> {
    let o = &plan.offsets;
    let u32s = [
        ("goid_offset", o.goid),
        ("test_name_offset", o.test_name),
        ("status_offset", o.status),
        ("waitreason_offset", o.waitreason),
        ("mcache_alloc_offset", o.mcache_alloc),
        ("span_alloc_count_offset", o.span_alloc_count),
        ("span_count_before_cache_offset", o.span_count_before_cache),
        ("span_elemsize_offset", o.span_elemsize),
        ("g_m_offset", o.g_m),
        ("m_curg_offset", o.m_curg),
        ("timer_when_offset", o.timer_when),
        ("timer_period_offset", o.timer_period),
        ("resp_body_offset", o.resp_body),
        ("g_preempt_offset", o.g_preempt),
    ]
    .map(|(name, v)| (name, v as u32));
    let mut loader = preloader.take();
    loader.override_global("target_tgid", &tgid, true);
    for (name, value) in &u32s {
        loader.override_global(name, value, true);
    }
    loader.override_global("allgs_vaddr", &o.allgs_vaddr, true);
    loader.override_global("io_eof_vaddr", &o.io_eof_vaddr, true);
    let ranges = &plan.declared.user_ranges;
    let range_count = ranges.len().min(MAX_RANGES) as u32;
    loader.override_global("user_range_count", &range_count, true);
    let ignores = &plan.declared.ignore_ranges;
    let ignore_count = ignores.len().min(MAX_RANGES) as u32;
    loader.override_global("ignore_range_count", &ignore_count, true);
    let t0 = std::time::Instant::now();
    let mut ebpf = loader
        .load(OBJECT)
        .map_err(|e| EngineError::Load(e.to_string()))?;
    if crate::timings() {
        eprintln!(
            "gate: object loaded in {:.1} ms",
            t0.elapsed().as_secs_f64() * 1000.0
        );
    }

    if !plan.body_types.is_empty() {
        let mut types: BpfHashMap<_, u64, u8> = BpfHashMap::try_from(
            ebpf.map_mut("body_types")
                .ok_or_else(|| EngineError::Load("map body_types missing".into()))?,
        )
        .map_err(|e| EngineError::Load(e.to_string()))?;
        for itab in &plan.body_types {
            types
                .insert(itab, 1, 0)
                .map_err(|e| EngineError::Load(e.to_string()))?;
        }
    }
    if !plan.confs.is_empty() {
        let mut confs: Array<_, RawProbeConf> = Array::try_from(
            ebpf.map_mut("probe_confs")
                .ok_or_else(|| EngineError::Load("map probe_confs missing".into()))?,
        )
        .map_err(|e| EngineError::Load(e.to_string()))?;
        for (index, c) in &plan.confs {
            let ProbeConf {
                object_arg,
                pred_arg,
                op,
                emit,
                value,
                via_goid,
            } = *c;
            let raw = RawProbeConf {
                object_arg,
                pred_arg,
                op,
                emit,
                value,
                via_goid,
            };
            confs
                .set(*index, raw, 0)
                .map_err(|e| EngineError::Load(e.to_string()))?;
        }
    }

    if !plan.declared.confs.is_empty() {
        let mut confs: Array<_, RawDeclConf> = Array::try_from(
            ebpf.map_mut("decl_confs")
                .ok_or_else(|| EngineError::Load("map decl_confs missing".into()))?,
        )
        .map_err(|e| EngineError::Load(e.to_string()))?;
        for (index, c) in &plan.declared.confs {
            confs
                .set(*index, RawDeclConf(*c), 0)
                .map_err(|e| EngineError::Load(e.to_string()))?;
        }
        let mut array: Array<_, CodeRange> = Array::try_from(
            ebpf.map_mut("user_ranges")
                .ok_or_else(|| EngineError::Load("map user_ranges missing".into()))?,
        )
        .map_err(|e| EngineError::Load(e.to_string()))?;
        for (i, &(start, end)) in ranges.iter().take(MAX_RANGES).enumerate() {
            array
                .set(i as u32, CodeRange { start, end }, 0)
                .map_err(|e| EngineError::Load(e.to_string()))?;
        }
        if !ignores.is_empty() {
            let mut array: Array<_, IgnoreRange> = Array::try_from(
                ebpf.map_mut("ignore_ranges")
                    .ok_or_else(|| EngineError::Load("map ignore_ranges missing".into()))?,
            )
            .map_err(|e| EngineError::Load(e.to_string()))?;
            for (i, &(start, end, sets)) in ignores.iter().take(MAX_RANGES).enumerate() {
                array
                    .set(i as u32, IgnoreRange { start, end, sets }, 0)
                    .map_err(|e| EngineError::Load(e.to_string()))?;
            }
        }
    }

    // System calls: one raw tracepoint at their return, which looks their number up.
    if !plan.declared.syscalls.is_empty() {
        let mut by_number: std::collections::BTreeMap<u64, SyscallConfs> = Default::default();
        for &(number, conf) in &plan.declared.syscalls {
            let e = by_number.entry(number).or_default();
            if (e.n as usize) < e.conf.len() {
                e.conf[e.n as usize] = conf;
                e.n += 1;
            }
        }
        let mut map: BpfHashMap<_, u64, SyscallConfs> = BpfHashMap::try_from(
            ebpf.map_mut("syscalls")
                .ok_or_else(|| EngineError::Load("map syscalls missing".into()))?,
        )
        .map_err(|e| EngineError::Load(e.to_string()))?;
        for (number, confs) in &by_number {
            map.insert(number, confs, 0)
                .map_err(|e| EngineError::Load(e.to_string()))?;
        }
        let program: &mut aya::programs::RawTracePoint = ebpf
            .program_mut("syscall_exit")
            .ok_or_else(|| {
                EngineError::Load("program syscall_exit missing from the object".into())
            })?
            .try_into()
            .map_err(|e: aya::programs::ProgramError| EngineError::Load(e.to_string()))?;
        let t1 = std::time::Instant::now();
        program
            .load()
            .map_err(|e| EngineError::Load(format!("syscall_exit: {e}")))?;
        if crate::timings() {
            eprintln!(
                "gate: program syscall_exit loaded (verified) in {:.1} ms",
                t1.elapsed().as_secs_f64() * 1000.0
            );
        }
        program
            .attach("sys_exit")
            .map_err(|e| EngineError::Attach {
                symbol: "the sys_exit raw tracepoint".into(),
                binary: binary.display().to_string(),
                error: e.to_string(),
            })?;
    }

    let attaching = std::time::Instant::now();
    let (links, how) = attach_uprobes(&mut ebpf, plan, binary)?;
    if crate::timings() {
        eprintln!(
            "gate: {} uprobes attached {how} in {:.1} ms (verifying included)",
            plan.attachments.len(),
            attaching.elapsed().as_secs_f64() * 1000.0
        );
    }
    let ring = RingBuf::try_from(
        ebpf.take_map("events")
            .ok_or_else(|| EngineError::Load("map events missing".into()))?,
    )
    .map_err(|e| EngineError::Load(e.to_string()))?;
    let (stopped, stop) =
        std::io::pipe().map_err(|e| EngineError::Load(format!("cannot make a pipe: {e}")))?;
    let reader = std::thread::spawn(move || read_events(ring, &stopped));
    Ok(Session {
        ebpf,
        links,
        stop: Some(stop),
        reader: Some(reader),
    })
}

type Links = Option<(MultiPrograms, Vec<OwnedFd>)>;

/// Attaches the plan's uprobes: one uprobe-multi link per program where the
/// kernel has them (GATE_UPROBE_LINKS=perf forces the fallback), else one
/// perf-event uprobe per point through aya. Says which it used.
fn attach_uprobes(
    ebpf: &mut Ebpf,
    plan: &Plan,
    binary: &Path,
) -> Result<(Links, &'static str), EngineError> {
    let mut names: Vec<&'static str> = Vec::new();
    for a in &plan.attachments {
        if !names.contains(&a.program) {
            names.push(a.program);
        }
    }
    let forced_perf = std::env::var("GATE_UPROBE_LINKS").is_ok_and(|v| v == "perf");
    if !forced_perf && !names.is_empty() {
        match MultiPrograms::load(OBJECT, ebpf, &names) {
            Ok(programs) => {
                let mut links = Vec::new();
                for name in &names {
                    let points: Vec<&Attachment> = plan
                        .attachments
                        .iter()
                        .filter(|a| a.program == *name)
                        .collect();
                    let offsets: Vec<u64> = points.iter().map(|a| a.offset).collect();
                    let cookies: Vec<u64> = points.iter().map(|a| a.cookie).collect();
                    match programs.attach(name, binary, &offsets, &cookies) {
                        Ok(link) => links.push(link),
                        Err(error) => {
                            // Name the point the kernel refused: retry them one by one.
                            let culprit = points
                                .iter()
                                .find(|a| {
                                    programs
                                        .attach(name, binary, &[a.offset], &[a.cookie])
                                        .is_err()
                                })
                                .map_or_else(
                                    || format!("the probes of {name}"),
                                    |a| a.symbol.clone(),
                                );
                            return Err(EngineError::Attach {
                                symbol: culprit,
                                binary: binary.display().to_string(),
                                error: error.to_string(),
                            });
                        }
                    }
                }
                return Ok((Some((programs, links)), "with uprobe-multi links"));
            }
            Err(Unsupported(why)) => {
                if crate::timings() {
                    eprintln!(
                        "gate: no uprobe-multi links ({why}): one perf-event uprobe per point"
                    );
                }
            }
        }
    }
    let mut loaded: Vec<&'static str> = Vec::new();
    for a in &plan.attachments {
        let program: &mut UProbe = ebpf
            .program_mut(a.program)
            .ok_or_else(|| {
                EngineError::Load(format!("program {} missing from the object", a.program))
            })?
            .try_into()
            .map_err(|e: aya::programs::ProgramError| EngineError::Load(e.to_string()))?;
        if !loaded.contains(&a.program) {
            let verifying = std::time::Instant::now();
            program.load().map_err(|e| match e {
                aya::programs::ProgramError::LoadError {
                    io_error,
                    verifier_log,
                } => {
                    let log = verifier_log.to_string();
                    let tail: Vec<&str> = log.lines().rev().take(8).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    if io_error.raw_os_error() == Some(libc::EPERM) {
                        EngineError::Load(format!("{}: {io_error}", a.program))
                    } else {
                        EngineError::Rejected {
                            program: a.program.to_string(),
                            error: io_error.to_string(),
                            log: tail.join("\n"),
                        }
                    }
                }
                other => EngineError::Load(format!("{}: {other}", a.program)),
            })?;
            if crate::timings() {
                eprintln!(
                    "gate: program {} loaded (verified) in {:.1} ms",
                    a.program,
                    verifying.elapsed().as_secs_f64() * 1000.0
                );
            }
            loaded.push(a.program);
        }
        let point = UProbeAttachPoint {
            location: UProbeAttachLocation::AbsoluteOffset(a.offset),
            cookie: Some(a.cookie),
        };
        // All processes: uprobes with a pid see only that thread; the tgid filter is in BPF.
        // The program owns its links: dropping the session detaches them.
        program
            .attach(point, binary, UProbeScope::AllProcesses)
            .map_err(|e| EngineError::Attach {
                symbol: a.symbol.clone(),
                binary: binary.display().to_string(),
                error: e.to_string(),
            })?;
    }

    Ok((None, "as perf-event uprobes"))
}

/// Drains the ring buffer until `stopped` hangs up. The programs do not wake
/// this thread for each event (see send() in gate.bpf.c): it polls every 20 ms.
fn read_events(mut ring: RingBuf<MapData>, stopped: &std::io::PipeReader) -> Vec<BpfEvent> {
    let mut events = Vec::new();
    loop {
        let mut fds = [
            libc::pollfd {
                fd: ring.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stopped.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two valid pollfds for descriptors that outlive this call.
        unsafe {
            libc::poll(fds.as_mut_ptr(), 2, 20);
        }
        while let Some(item) = ring.next() {
            if let Some(e) = decode(&item) {
                events.push(e);
            }
        }
        if fds[1].revents != 0 {
            return events;
        }
    }
}

/// Detaching a uprobe waits for a kernel grace period, one after the other
/// (about 50 ms each measured here, 0.7 s for a full plan). Nothing needs to
/// wait for that: a forked child inherits the descriptors and drops them
/// after gate has exited, so gate's own exit closes only its duplicates.
pub fn release_in_background(sessions: Vec<Session>) {
    if sessions.is_empty() {
        return;
    }
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: fork in a multithreaded process: the child only calls
    // async-signal-safe functions (setsid, close, getppid, nanosleep, _exit)
    // and never returns into Rust.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: see above. Closing stdio lets pipes reading gate's output
        // see EOF at once; waiting for the parent to be gone makes this
        // process hold the last references, so the slow detaching is here.
        unsafe {
            libc::setsid();
            libc::close(0);
            libc::close(1);
            libc::close(2);
            let pause = libc::timespec {
                tv_sec: 0,
                tv_nsec: 10_000_000,
            };
            for _ in 0..1000 {
                if libc::getppid() != parent {
                    break;
                }
                libc::nanosleep(&pause, std::ptr::null_mut());
            }
            libc::_exit(0);
        }
    }
    if pid > 0 {
        // The child holds the last references now; closing ours at exit is cheap.
        std::mem::forget(sessions);
    }
    // fork failed: the sessions drop here, detaching in the foreground.
}

/// Detaches the sessions of finished test binaries in a thread while the
/// next ones run. Held to the end of the run, every binary's ring buffer and
/// maps stayed in kernel memory (a few MB each, hundreds of packages in a
/// large repository); detached in the worker, each waited for kernel grace
/// periods before the next binary could start.
#[derive(Clone)]
pub struct Releaser(std::sync::Arc<ReleaseQueue>);

struct ReleaseQueue {
    pending: std::sync::Mutex<Vec<Session>>,
    ready: std::sync::Condvar,
    /// Sessions of the last binaries: detached after gate has exited.
    at_exit: std::sync::Mutex<Vec<Session>>,
}

impl Releaser {
    pub fn start() -> Self {
        let queue = std::sync::Arc::new(ReleaseQueue {
            pending: std::sync::Mutex::new(Vec::new()),
            ready: std::sync::Condvar::new(),
            at_exit: std::sync::Mutex::new(Vec::new()),
        });
        let worker = std::sync::Arc::clone(&queue);
        std::thread::spawn(move || {
            loop {
                let session = {
                    let mut pending = worker.pending.lock().unwrap_or_else(|e| e.into_inner());
                    while pending.is_empty() {
                        pending = worker
                            .ready
                            .wait(pending)
                            .unwrap_or_else(|e| e.into_inner());
                    }
                    pending.remove(0)
                };
                let started = std::time::Instant::now();
                let links = session.detach();
                if crate::timings() {
                    eprintln!(
                        "gate: a finished binary's probes detached in {:.1} ms ({links} links)",
                        started.elapsed().as_secs_f64() * 1000.0
                    );
                }
            }
        });
        Releaser(queue)
    }

    /// Detaches `session` soon, in the background.
    pub fn release(&self, session: Session) {
        let mut pending = self.0.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push(session);
        self.0.ready.notify_one();
    }

    /// Detaches `session` after gate has exited: no other binary will start,
    /// so nothing waits for its probes to go, and gate's own exit should not
    /// (50-110 ms of kernel grace periods here).
    pub fn release_at_exit(&self, session: Session) {
        let mut at_exit = self.0.at_exit.lock().unwrap_or_else(|e| e.into_inner());
        at_exit.push(session);
    }

    /// The run is over: what is still waiting detaches after gate has exited.
    pub fn finish(self) {
        let mut left =
            std::mem::take(&mut *self.0.pending.lock().unwrap_or_else(|e| e.into_inner()));
        left.append(&mut self.0.at_exit.lock().unwrap_or_else(|e| e.into_inner()));
        release_in_background(left);
    }
}

/// CLOCK_MONOTONIC now, the clock of the Go runtime's nanotime and of bpf_ktime_get_ns.
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Session {
    /// Detaches every probe and frees the programs and maps; returns how
    /// many uprobe-multi links there were. Each link waits for its own
    /// kernel grace period (30-80 ms here) when its last descriptor closes:
    /// closed one after the other, a session with 17 took 0.8 s; closed at
    /// once from threads, the grace periods overlap.
    fn detach(self) -> usize {
        let Session {
            ebpf,
            links,
            stop,
            reader,
        } = self;
        drop((stop, reader));
        let mut count = 0;
        if let Some((programs, fds)) = links {
            count = fds.len();
            std::thread::scope(|scope| {
                for fd in fds {
                    scope.spawn(move || drop(fd));
                }
            });
            drop(programs);
        }
        drop(ebpf);
        count
    }

    /// Stops reading (after the child exited), drains the ring buffer and
    /// reads the aggregates. The probes stay attached (they only fire for
    /// the exited tgid) until the session is dropped or released.
    pub fn finish(&mut self) -> BpfRecord {
        // The child has exited: nothing more will be written; the reader drains and returns.
        self.stop.take();
        // With `sysctl kernel.bpf_stats_enabled=1`: hits per program, for
        // finding what costs time (each hit is a trap into the kernel).
        if crate::timings() {
            for (name, program) in self.ebpf.programs() {
                if let Ok(info) = program.info() {
                    eprintln!(
                        "gate: program {name}: {} hits, {:.1} ms in BPF",
                        info.run_count(),
                        info.run_time().as_secs_f64() * 1000.0
                    );
                }
            }
            if let Some((programs, _)) = &self.links {
                for (name, hits, ns) in programs.stats() {
                    eprintln!(
                        "gate: program {name}: {hits} hits, {:.1} ms in BPF",
                        ns as f64 / 1e6
                    );
                }
            }
        }
        let events = self
            .reader
            .take()
            .and_then(|r| r.join().ok())
            .unwrap_or_default();
        let mut aggregates = Aggregates::default();
        if let Some(map) = self.ebpf.map("allocs")
            && let Ok(allocs) = PerCpuHashMap::<_, u64, AllocStat>::try_from(map)
        {
            for (root, per_cpu) in allocs.iter().flatten() {
                let (n, b) = per_cpu
                    .iter()
                    .fold((0, 0), |(n, b), s| (n + s.count, b + s.bytes));
                aggregates.allocs.push((root, n, b));
            }
        }
        if let Some(map) = self.ebpf.map("counts")
            && let Ok(counts) = BpfHashMap::<_, CountKey, u64>::try_from(map)
        {
            for (k, v) in counts.iter().flatten() {
                aggregates
                    .counts
                    .push((k.probe as u32, k.root, k.object, v));
            }
        }
        if let Some(map) = self.ebpf.map("timer_deadline")
            && let Ok(deadlines) = BpfHashMap::<_, u64, u64>::try_from(map)
        {
            for (goid, when) in deadlines.iter().flatten() {
                aggregates.timer_deadlines.push((goid, when));
            }
        }
        if let Some(map) = self.ebpf.map("hits")
            && let Ok(hits) = BpfHashMap::<_, HitKey, u64>::try_from(map)
        {
            for (k, v) in hits.iter().flatten() {
                aggregates.hits.push((k.conf, k.root, k.object, k.site, v));
            }
            aggregates.hits.sort_unstable();
        }
        if let Some(map) = self.ebpf.map("durations")
            && let Ok(durations) = BpfHashMap::<_, HitKey, DurationStat>::try_from(map)
        {
            for (k, v) in durations.iter().flatten() {
                aggregates.durations.push((
                    k.conf,
                    k.root,
                    k.site,
                    [v.calls, v.total_ns, v.max_ns],
                ));
            }
            aggregates.durations.sort_unstable();
        }
        aggregates.finished_at_ns = monotonic_ns();
        if let Some(map) = self.ebpf.map("lost")
            && let Ok(lost) = Array::<_, u64>::try_from(map)
        {
            aggregates.lost = lost.get(&0, 0).unwrap_or(0);
        }

        aggregates.allocs.sort_unstable();
        aggregates.counts.sort_unstable();
        let bias = self
            .ebpf
            .map("load_bias")
            .and_then(|map| Array::<_, u64>::try_from(map).ok())
            .and_then(|a| a.get(&0, 0).ok())
            .unwrap_or(0);
        let mut events = events;
        for e in &mut events {
            e.unbias(bias);
        }
        BpfRecord { events, aggregates }
    }
}

/// The kernel/user structures are defined once, in gate.bpf.c: these tests
/// read the compiled object's BTF and fail when a Rust mirror differs from
/// the C layout in size or in any field's offset.
#[cfg(test)]
mod layout {
    use std::collections::HashMap;

    use super::*;
    use crate::bpf::declared::{DeclConf, RawPred};

    /// struct name -> (size, field -> byte offset), from the object's .BTF section.
    fn btf_structs() -> HashMap<String, (u32, HashMap<String, u32>)> {
        let file = object::File::parse(OBJECT).expect("the BPF object parses");
        use object::{Object, ObjectSection};
        let btf = file
            .section_by_name(".BTF")
            .and_then(|s| s.data().ok())
            .expect("the BPF object carries BTF (clang -g)");
        let u32_at = |o: usize| u32::from_le_bytes(btf[o..o + 4].try_into().expect("4 bytes"));
        let hdr_len = u32_at(4) as usize;
        let (type_off, type_len) = (u32_at(8) as usize, u32_at(12) as usize);
        let str_off = u32_at(16) as usize;
        let strings = &btf[hdr_len + str_off..];
        let name = |off: u32| -> String {
            let s = &strings[off as usize..];
            let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
            String::from_utf8_lossy(&s[..end]).into_owned()
        };
        let mut out = HashMap::new();
        let mut at = hdr_len + type_off;
        let end = at + type_len;
        while at < end {
            let (name_off, info, size) = (u32_at(at), u32_at(at + 4), u32_at(at + 8));
            at += 12;
            let kind = (info >> 24) & 0x1f;
            let vlen = (info & 0xffff) as usize;
            let bitfields = info >> 31 == 1;
            match kind {
                // INT, VAR, DECL_TAG: one more word
                1 | 14 | 17 => at += 4,
                // ARRAY
                3 => at += 12,
                // STRUCT, UNION
                4 | 5 => {
                    let mut fields = HashMap::new();
                    for m in 0..vlen {
                        let base = at + 12 * m;
                        let bits = u32_at(base + 8);
                        let bits = if bitfields { bits & 0xff_ffff } else { bits };
                        fields.insert(name(u32_at(base)), bits / 8);
                    }
                    at += 12 * vlen;
                    if kind == 4 {
                        out.insert(name(name_off), (size, fields));
                    }
                }
                // ENUM, FUNC_PROTO
                6 | 13 => at += 8 * vlen,
                // DATASEC, ENUM64
                15 | 19 => at += 12 * vlen,
                _ => {}
            }
        }
        out
    }

    macro_rules! same_layout {
        ($structs:expr, $c:literal, $rust:ty, [$($field:ident),* $(,)?]) => {{
            let (size, fields) = $structs
                .get($c)
                .unwrap_or_else(|| panic!("struct {} is not in gate.bpf.o's BTF", $c));
            assert_eq!(
                *size as usize,
                std::mem::size_of::<$rust>(),
                "size of struct {} (C) and {} (Rust)",
                $c,
                stringify!($rust)
            );
            $(
                assert_eq!(
                    fields.get(stringify!($field)).copied(),
                    Some(std::mem::offset_of!($rust, $field) as u32),
                    "offset of {}.{} (C) and {}.{} (Rust)",
                    $c,
                    stringify!($field),
                    stringify!($rust),
                    stringify!($field)
                );
            )*
            assert_eq!(
                fields.len(),
                [$(stringify!($field)),*].len(),
                "struct {} has fields the Rust mirror {} lacks: {:?}",
                $c,
                stringify!($rust),
                fields.keys().collect::<Vec<_>>()
            );
        }};
    }

    #[test]
    fn rust_mirrors_match_the_c_structures() {
        let s = btf_structs();
        same_layout!(
            s,
            "pred",
            RawPred,
            [
                slot, width, is_signed, op, derefs, str_len, chain, pad, off, value, str
            ]
        );
        same_layout!(
            s,
            "decl_conf",
            DeclConf,
            [
                npreds, any, key_kind, key_slot, role, at, direct, lifecycle, ignore, goid_slot,
                key_sub, preds
            ]
        );
        same_layout!(s, "hit_key", HitKey, [conf, pad, root, object, site]);
        same_layout!(s, "code_range", CodeRange, [start, end]);
        same_layout!(s, "ignore_range", IgnoreRange, [start, end, sets]);
        same_layout!(s, "duration_stat", DurationStat, [calls, total_ns, max_ns]);
        same_layout!(s, "syscall_confs", SyscallConfs, [n, conf]);
        same_layout!(s, "alloc_stat", AllocStat, [count, bytes]);
        same_layout!(s, "count_key", CountKey, [probe, root, object]);
        same_layout!(
            s,
            "probe_conf",
            RawProbeConf,
            [object_arg, pred_arg, op, emit, value, via_goid]
        );
        same_layout!(
            s,
            "event",
            crate::bpf::EventLayout,
            [kind, nframes, ts, goid, root, a, b, c, frames, name]
        );
    }

    #[test]
    fn a_changed_field_is_caught() {
        // The check itself must be able to fail: a C struct compared with the wrong mirror.
        let s = btf_structs();
        let caught = std::panic::catch_unwind(|| {
            same_layout!(s, "hit_key", CodeRange, [start, end]);
        });
        assert!(caught.is_err());
    }
}
