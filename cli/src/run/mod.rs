//! Runs one test binary: `-test.v` (framed where the Go version allows),
//! `GODEBUG=gctrace=1` merged into the user's GODEBUG, output read as it
//! comes, a timeout that kills the whole process group.
//!
//! stdout and stderr are read through two pipes, not one: the runtime prints
//! a gctrace line in many small writes, and through a shared pipe the test
//! framework's `--- PASS` markers land in the middle of gctrace lines (seen
//! on Go 1.26), which would corrupt both. Each line is stamped with its
//! arrival time; events are delivered in arrival order.

pub mod bounded;
pub mod gctrace;
pub mod test_flags;
pub mod test_output;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gctrace::{GcCycle, GcLine};
use test_output::{TestLine, TestLineParser};

use crate::error::GateError;

/// Everything gate needs to start a test binary.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub binary: PathBuf,
    pub workdir: Option<PathBuf>,
    pub test_flags: Vec<String>,
    pub timeout: Duration,
    /// Use `-test.v=test2json` framing (Go 1.20+).
    pub framed: bool,
    /// Switch gctrace on in the process's memory (it stops itself at
    /// runtime.main for it, under the eBPF engine); None: by GODEBUG, which
    /// every process the tests start inherits.
    pub gctrace: Option<crate::target::GctraceSwitch>,
    /// Lines of the tests' output no rule may miss (the `[[output]]`
    /// patterns): never cut when a test's output is bounded.
    pub read_by_rules: Option<regex::RegexSet>,
}

/// Ordinary lines of a test's output a run keeps (its last ones), and the
/// bytes of one line: what reports show, and all gate holds of a flood.
pub const KEPT_OUTPUT_LINES: usize = 2000;
pub const KEPT_LINE_BYTES: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A classified line of stdout.
    Test(TestLine),
    /// A complete gctrace record from stderr, and its line.
    Gc(Box<GcCycle>, String),
    /// A stderr line that started like gctrace but did not parse.
    GcUnrecognised(String),
    /// Any other stderr line: output of whichever test owns the stream.
    Stderr(String),
    /// This many earlier lines of the current owner's output, left out to
    /// keep the run's memory bounded (see `bounded`).
    Cut(usize),
}

/// One thing that happened, `at` time since the child was started.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEvent {
    pub at: Duration,
    pub kind: EventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
}

/// The raw record of one run, before any interpretation.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub events: Vec<RunEvent>,
    pub exit: Exit,
    pub wall: Duration,
    /// What went wrong around the run without failing it (no GC trace).
    pub warnings: Vec<String>,
    /// The binary wrote a heap profile (`-test.memprofile`): the testing
    /// package then forces one GC cycle of its own after the last test.
    pub heap_profile: bool,
}

/// Whether test flags ask for a heap profile (not `-test.memprofilerate`).
pub fn writes_heap_profile(test_flags: &[String]) -> bool {
    test_flags.iter().any(|f| {
        let name = f.trim_start_matches('-');
        name == "test.memprofile" || name.starts_with("test.memprofile=")
    })
}

/// GODEBUG for the child: the user's settings with gctrace switched on.
/// A user's own gctrace>=1 is kept; gctrace=0 is overridden (gate needs it).
pub fn merge_godebug(user: Option<&str>) -> String {
    let mut parts: Vec<String> = user
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let keeps_trace = parts.iter().any(|p| {
        p.strip_prefix("gctrace=")
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| v >= 1)
    });
    if !keeps_trace {
        parts.retain(|p| !p.starts_with("gctrace="));
        parts.push("gctrace=1".to_string());
    }
    parts.join(",")
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Called with the child's pid while it waits behind the trampoline, before
/// it execs the test binary: attach probes here and no event is missed.
pub type Attach<'a> = &'a mut dyn FnMut(u32) -> Result<(), GateError>;

/// Runs the binary to completion (or timeout), calling `on_event` for every event as it happens.
pub fn execute(
    cfg: &RunConfig,
    attach: Option<Attach>,
    on_event: &mut dyn FnMut(&RunEvent),
) -> Result<RunRecord, GateError> {
    // With probes to attach, the child starts as a shell that waits for one
    // line on stdin and then execs the test binary (same pid): spawn()
    // returns at once (a blocking pre_exec would deadlock it), gate attaches
    // with the pid, then releases it.
    // Absolute: a bare `pkg.test` would be looked up on PATH.
    let binary = std::path::absolute(&cfg.binary).unwrap_or_else(|_| cfg.binary.clone());
    let mut cmd = if attach.is_some() {
        let mut sh = Command::new("/bin/sh");
        sh.args(["-c", "read _ && exec \"$0\" \"$@\""]).arg(&binary);
        sh
    } else {
        Command::new(&binary)
    };
    cmd.arg(if cfg.framed {
        "-test.v=test2json"
    } else {
        "-test.v"
    });
    cmd.args(&cfg.test_flags);
    if cfg.gctrace.is_none() || attach.is_none() {
        let user_godebug = std::env::var("GODEBUG").ok();
        cmd.env("GODEBUG", merge_godebug(user_godebug.as_deref()));
    }
    if let Some(dir) = &cfg.workdir {
        cmd.current_dir(dir);
    }
    let stdin = if attach.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    cmd.stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that a timeout kills everything the tests started.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);

    let mut start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| {
        GateError::io(
            format!("cannot start test binary {}", cfg.binary.display()),
            e,
        )
    })?;
    let pgid = child.id() as i32;
    let mut warnings = Vec::new();
    if attach.is_some() && cfg.gctrace.is_none() {
        warnings.push(
            "GC trace by GODEBUG=gctrace=1: runtime.debug.gctrace was not found in this binary's DWARF, so processes the tests start inherit it too".to_string(),
        );
    }
    // Ctrl-C reaches gate, not the child's own process group: take it down too.
    let watched = interrupt::watch(pgid);
    // And if gate itself is killed, the guard takes it down.
    let _watchdog = Watchdog::start(pgid);
    if let Some(attach) = attach {
        if let Err(e) = attach(child.id()) {
            kill_group(pgid);
            let _ = child.wait();
            return Err(e);
        }
        // The test binary's clock starts now: attaching is gate's time, not the tests'.
        start = Instant::now();
        // Release the trampoline; the test binary then sees EOF on stdin.
        if let Some(mut release) = child.stdin.take() {
            let _ = std::io::Write::write_all(&mut release, b"\n");
        }
        if let Some(switch) = cfg.gctrace
            && let Err(why) = switch_on_gctrace(child.id(), switch)
        {
            warnings.push(format!(
                "no GC figures for this run: {why}; the gc.* metrics have no data"
            ));
        }
    }

    // Bounded: a test that floods its output waits for gate to take the
    // lines in (as it would for a terminal) instead of piling them up here.
    let (tx, rx) = mpsc::sync_channel::<(Instant, Stream, String, bool)>(LINES_IN_FLIGHT);
    let readers = spawn_readers(child.stdout.take(), child.stderr.take(), tx);

    let parser = TestLineParser::new(cfg.framed);
    // A year stands for "no deadline" where the clock cannot add the timeout.
    let deadline = start
        .checked_add(cfg.timeout)
        .unwrap_or_else(|| start + Duration::from_secs(365 * 24 * 3600));
    let mut events = Vec::new();
    let mut exit = None;
    let mut exited_at: Option<Instant> = None;
    let mut quit_sent: Option<Instant> = None;
    let mut bounded = bounded::Bounded::new(
        KEPT_OUTPUT_LINES,
        KEPT_LINE_BYTES,
        cfg.read_by_rules.clone(),
    );
    let mut deliver =
        |events: &mut Vec<RunEvent>, at: Instant, stream: Stream, line: String, complete: bool| {
            let gc = if complete {
                gctrace::parse_line(&line)
            } else {
                gctrace::parse_truncated_line(&line)
            };
            let kinds = match stream {
                // Output without a final newline runs into the next framed line:
                // the pieces are the test's output and the frame.
                Stream::Stdout => parser
                    .split_frames(&line)
                    .map(|piece| EventKind::Test(parser.parse(piece)))
                    .collect(),
                Stream::Stderr => vec![match gc {
                    GcLine::Cycle(c) => EventKind::Gc(c, line),
                    GcLine::Unrecognised(l) => EventKind::GcUnrecognised(l),
                    GcLine::Other => EventKind::Stderr(line),
                }],
            };
            for kind in kinds {
                let event = RunEvent {
                    at: at.saturating_duration_since(start),
                    kind,
                };
                on_event(&event);
                bounded.push(events, event);
            }
        };
    loop {
        if let Some(signal) = interrupt::pending() {
            kill_group(pgid);
            let _ = child.wait();
            return Err(GateError::Interrupted {
                signal,
                during: format!("running {}", display_path(&cfg.binary)),
            });
        }
        let now = Instant::now();
        // At the deadline, SIGQUIT first, as `go test -timeout` does: the Go
        // runtime prints every goroutine's stack (where the test is stuck) and
        // exits. Whatever is left a moment later is killed.
        if exit.is_none() && now >= deadline {
            match quit_sent {
                None => {
                    // SAFETY: signals the test binary we started; no memory is touched.
                    unsafe {
                        libc::kill(pgid, libc::SIGQUIT);
                    }
                    quit_sent = Some(now);
                }
                Some(sent) if now >= sent + QUIT_GRACE => {
                    kill_group(pgid);
                    let _ = child.wait();
                    exit = Some(Exit::TimedOut);
                    exited_at = Some(now);
                }
                Some(_) => {}
            }
        }
        if exit.is_none()
            && let Some(status) = child
                .try_wait()
                .map_err(|e| GateError::io(format!("waiting for {}", cfg.binary.display()), e))?
        {
            exit = Some(if quit_sent.is_some() {
                kill_group(pgid);
                Exit::TimedOut
            } else {
                exit_of(status)
            });
            exited_at = Some(Instant::now());
        }
        // After exit, give grandchildren that hold the pipes a moment, then stop reading.
        let wait = match exited_at {
            Some(t) => (t + Duration::from_secs(1)).saturating_duration_since(now),
            None if quit_sent.is_some() => Duration::from_millis(20),
            None => deadline
                .saturating_duration_since(now)
                .min(Duration::from_millis(50)),
        };
        match rx.recv_timeout(wait.max(Duration::from_millis(1))) {
            Ok((at, stream, line, complete)) => deliver(&mut events, at, stream, line, complete),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                if exit.is_none() {
                    let status = child.wait().map_err(|e| {
                        GateError::io(format!("waiting for {}", cfg.binary.display()), e)
                    })?;
                    // Ended by the SIGQUIT of its timeout: timed out, whatever its status.
                    exit = Some(if quit_sent.is_some() {
                        kill_group(pgid);
                        Exit::TimedOut
                    } else {
                        exit_of(status)
                    });
                }
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if exited_at.is_some_and(|t| Instant::now() >= t + Duration::from_secs(1)) {
                    break;
                }
            }
        }
    }
    drop(watched);
    // The signal may have ended the child while this loop waited for output.
    if let Some(signal) = interrupt::pending() {
        return Err(GateError::Interrupted {
            signal,
            during: format!("running {}", display_path(&cfg.binary)),
        });
    }
    let wall = exited_at.map_or_else(|| start.elapsed(), |t| t.saturating_duration_since(start));
    drop(readers);
    Ok(RunRecord {
        events,
        exit: exit.unwrap_or(Exit::Code(-1)),
        wall,
        warnings,
        heap_profile: writes_heap_profile(&cfg.test_flags),
    })
}

/// Waits for the test binary to stop itself at runtime.main (the
/// gctrace_stop probe), writes 1 to its `runtime.debug.gctrace`, and lets it
/// go on. The GC trace is then the process's own: its children see the
/// environment the tests gave them.
fn switch_on_gctrace(pid: u32, switch: crate::target::GctraceSwitch) -> Result<(), String> {
    let stat = format!("/proc/{pid}/stat");
    let waiting = Instant::now();
    loop {
        let text = std::fs::read_to_string(&stat)
            .map_err(|_| "the test binary ended before its runtime started".to_string())?;
        // pid (comm) state ...: the command may hold spaces and parentheses.
        let state = text
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        if state == Some('T') {
            break;
        }
        if state == Some('Z') {
            return Err("the test binary ended before its runtime started".into());
        }
        if waiting.elapsed() > Duration::from_secs(10) {
            return Err("the test binary did not stop at runtime.main within 10 s".into());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let written = (|| -> Result<(), String> {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).map_err(|e| e.to_string())?;
        let maps =
            std::fs::read_to_string(format!("/proc/{pid}/maps")).map_err(|e| e.to_string())?;
        let start = maps
            .lines()
            .filter(|l| l.ends_with(exe.to_string_lossy().as_ref()))
            .filter_map(|l| u64::from_str_radix(l.split('-').next()?, 16).ok())
            .min()
            .ok_or("the binary is not in its own memory map")?;
        let at = switch.variable + start.wrapping_sub(switch.base);
        let mem = std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/proc/{pid}/mem"))
            .map_err(|e| format!("cannot open its memory: {e}"))?;
        std::os::unix::fs::FileExt::write_all_at(&mem, &1i32.to_le_bytes(), at)
            .map_err(|e| format!("cannot write runtime.debug.gctrace: {e}"))
    })();
    // SAFETY: signals the process we started; no memory is touched.
    unsafe {
        libc::kill(pid as i32, libc::SIGCONT);
    }
    written
}

/// Reads the child's stderr and stdout in one thread. Two pipes carry no
/// order between them: when one wake-up finds data on both, the test that
/// wrote a stderr line is inferred by [`interleave`]. Lines longer than
/// MAX_LINE_BYTES arrive in pieces: one line printed without a newline must
/// not take all of gate's memory.
fn spawn_readers(
    stdout: Option<std::process::ChildStdout>,
    stderr: Option<std::process::ChildStderr>,
    tx: mpsc::SyncSender<(Instant, Stream, String, bool)>,
) -> std::thread::JoinHandle<()> {
    use std::os::fd::{AsRawFd, OwnedFd};
    std::thread::spawn(move || {
        let mut pipes: Vec<(Stream, OwnedFd, Vec<u8>)> = Vec::new();
        if let Some(e) = stderr {
            pipes.push((Stream::Stderr, OwnedFd::from(e), Vec::new()));
        }
        if let Some(o) = stdout {
            pipes.push((Stream::Stdout, OwnedFd::from(o), Vec::new()));
        }
        for (_, fd, _) in &pipes {
            // SAFETY: fcntl on a descriptor we own.
            unsafe {
                let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
                libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        let mut chunk = vec![0u8; 64 * 1024];
        while !pipes.is_empty() {
            let mut fds: Vec<libc::pollfd> = pipes
                .iter()
                .map(|(_, fd, _)| libc::pollfd {
                    fd: fd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            // SAFETY: valid pollfds for descriptors that outlive the call.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
            if ready < 0 {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            let mut closed = Vec::new();
            let (mut out_lines, mut err_lines) = (Vec::new(), Vec::new());
            for (i, (stream, fd, pending)) in pipes.iter_mut().enumerate() {
                if fds[i].revents == 0 {
                    continue;
                }
                let eof = drain(fd.as_raw_fd(), &mut chunk, pending);
                let lines = match stream {
                    Stream::Stdout => &mut out_lines,
                    Stream::Stderr => &mut err_lines,
                };
                take_lines(pending, eof, lines);
                if eof {
                    closed.push(i);
                }
            }
            let now = Instant::now();
            for (stream, (line, complete)) in interleave(out_lines, err_lines) {
                let line = String::from_utf8_lossy(&line).into_owned();
                if tx.send((now, stream, line, complete)).is_err() {
                    return;
                }
            }
            for i in closed.into_iter().rev() {
                pipes.remove(i);
            }
        }
    })
}

/// Reads what a non-blocking pipe holds now, at most 1 MiB (a flooding
/// writer must not keep the reader to itself). True at end of file.
fn drain(fd: std::os::fd::RawFd, chunk: &mut [u8], pending: &mut Vec<u8>) -> bool {
    for _ in 0..16 {
        // SAFETY: reads into a buffer we own, of its length.
        let n = unsafe { libc::read(fd, chunk.as_mut_ptr().cast(), chunk.len()) };
        match n {
            0 => return true,
            n if n > 0 => pending.extend_from_slice(&chunk[..n as usize]),
            _ => match std::io::Error::last_os_error().kind() {
                std::io::ErrorKind::Interrupted => continue,
                std::io::ErrorKind::WouldBlock => return false,
                _ => return true,
            },
        }
    }
    false
}

/// Moves the complete lines (and MAX_LINE_BYTES pieces of an endless one)
/// out of `pending`; at end of file also the unterminated rest, marked
/// incomplete (the process exited in the middle of a line).
fn take_lines(pending: &mut Vec<u8>, eof: bool, lines: &mut Vec<(Vec<u8>, bool)>) {
    let mut start = 0;
    while let Some(nl) = pending[start..].iter().position(|&b| b == b'\n') {
        lines.push((pending[start..start + nl].to_vec(), true));
        start += nl + 1;
    }
    while pending.len() - start >= MAX_LINE_BYTES {
        lines.push((pending[start..start + MAX_LINE_BYTES].to_vec(), true));
        start += MAX_LINE_BYTES;
    }
    pending.drain(..start);
    if eof && !pending.is_empty() {
        lines.push((std::mem::take(pending), false));
    }
}

/// The order in which one wake-up's stdout and stderr lines are delivered.
/// Their true order is lost between the two pipes; the stderr lines were
/// written after everything of the previous wake-up and before the reader
/// woke, so they belong to a test that was running in that window: the one
/// running when the stdout lines start, or else the first one they start.
/// They go in just before the first stdout line that ends a test: after an
/// `=== RUN` that opens the window (a handler's log written between the
/// test's start and its result), before the `--- PASS` of a test still
/// running (a log written just before the result).
fn interleave(
    out: Vec<(Vec<u8>, bool)>,
    err: Vec<(Vec<u8>, bool)>,
) -> impl Iterator<Item = (Stream, (Vec<u8>, bool))> {
    let cut = out
        .iter()
        .position(|(line, _)| ends_a_test(line))
        .unwrap_or(out.len());
    let mut out = out.into_iter();
    let before: Vec<_> = out.by_ref().take(cut).collect();
    before
        .into_iter()
        .map(|l| (Stream::Stdout, l))
        .chain(err.into_iter().map(|l| (Stream::Stderr, l)))
        .chain(out.map(|l| (Stream::Stdout, l)))
}

/// A `--- PASS/FAIL/SKIP` result line, framed or not, at any depth (also
/// after output printed without a newline, which a frame marker cuts).
fn ends_a_test(line: &[u8]) -> bool {
    line.split(|&b| b == 0x16).any(|piece| {
        let piece = piece.trim_ascii_start();
        [&b"--- PASS: "[..], b"--- FAIL: ", b"--- SKIP: "]
            .iter()
            .any(|m| piece.starts_with(m))
    })
}

fn exit_of(status: std::process::ExitStatus) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        _ => Exit::Code(-1),
    }
}

/// SIGINT and SIGTERM kill the running test binaries' process groups and
/// mark the run interrupted: gate then unwinds (removing its temporary build
/// directory, detaching its probes), says what it stopped, and exits with
/// 130 (143). A second signal exits at once.
pub mod interrupt {
    use std::sync::Once;
    use std::sync::atomic::{AtomicI32, Ordering};

    /// The process groups of the test binaries running now (0: a free slot):
    /// a fixed array, because the handler may not lock or allocate.
    static CHILD_PGIDS: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];
    const SLOTS: usize = 256;
    static PENDING: AtomicI32 = AtomicI32::new(0);
    static INSTALL: Once = Once::new();

    extern "C" fn on_signal(signal: libc::c_int) {
        let earlier = PENDING.swap(signal, Ordering::SeqCst);
        // SAFETY: kill and _exit are async-signal-safe; nothing else runs here.
        unsafe {
            for slot in &CHILD_PGIDS {
                let pgid = slot.load(Ordering::SeqCst);
                if pgid > 0 {
                    libc::kill(-pgid, libc::SIGKILL);
                }
            }
            if earlier != 0 {
                libc::_exit(128 + signal);
            }
        }
    }

    /// Installs the handlers (once).
    pub fn install() {
        INSTALL.call_once(|| {
            let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            // SAFETY: installs a handler that only calls async-signal-safe functions.
            unsafe {
                libc::signal(libc::SIGINT, handler);
                libc::signal(libc::SIGTERM, handler);
            }
        });
    }

    /// A process group an interrupt kills, for as long as this lives.
    pub struct Watched(Option<usize>);

    /// Watches `pgid` until the returned guard is dropped. With every slot
    /// taken (more test binaries at once than anyone runs), the group is
    /// still killed by the watchdog when gate exits.
    pub fn watch(pgid: i32) -> Watched {
        install();
        let slot = CHILD_PGIDS.iter().position(|s| {
            s.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        });
        // A signal that came before the group was watched must still reach it.
        if slot.is_some() && pending().is_some() {
            super::kill_group(pgid);
        }
        Watched(slot)
    }

    impl Drop for Watched {
        fn drop(&mut self) {
            if let Some(slot) = self.0 {
                CHILD_PGIDS[slot].store(0, Ordering::SeqCst);
            }
        }
    }

    /// The signal that interrupted gate, if one did.
    pub fn pending() -> Option<i32> {
        match PENDING.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }
}

/// A forked guard that kills the test binary's process group if gate dies
/// without cleaning up (SIGKILL, a crash): it waits for gate's end of a pipe
/// to close. Told "done" first, it exits without touching anything.
struct Watchdog {
    pid: libc::pid_t,
    done: Option<std::os::fd::OwnedFd>,
}

impl Watchdog {
    fn start(pgid: i32) -> Option<Watchdog> {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two descriptors we then own.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return None;
        }
        // SAFETY: both are fresh descriptors from pipe2.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let read_fd = read.as_raw_fd();
        // SAFETY: fork in a multithreaded process: the child only calls
        // async-signal-safe functions (signal, close, read, kill, _exit).
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: see above; the child never returns into Rust.
            unsafe {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                libc::signal(libc::SIGTERM, libc::SIG_IGN);
                for fd in 0..1024 {
                    if fd != read_fd {
                        libc::close(fd);
                    }
                }
                let mut byte = 0u8;
                let n = loop {
                    let n = libc::read(read_fd, (&mut byte as *mut u8).cast(), 1);
                    if n >= 0 || *libc::__errno_location() != libc::EINTR {
                        break n;
                    }
                };
                if n == 0 {
                    libc::kill(-pgid, libc::SIGKILL);
                }
                libc::_exit(0);
            }
        }
        (pid > 0).then_some(Watchdog {
            pid,
            done: Some(write),
        })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = std::io::Write::write_all(&mut std::fs::File::from(done), b"d");
        }
        // SAFETY: reaps our own child, which exits as soon as it reads.
        unsafe {
            libc::waitpid(self.pid, std::ptr::null_mut(), 0);
        }
    }
}

/// The longest line read at once; longer ones are split.
const MAX_LINE_BYTES: usize = 1 << 20;
/// Lines read from the child and not yet taken in by the run loop.
const LINES_IN_FLIGHT: usize = 4096;

/// How long a timed-out binary has to print its goroutines after SIGQUIT.
const QUIT_GRACE: Duration = Duration::from_secs(2);

fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals the process group we created; no memory is touched.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// Path shown to users for a binary: relative to the current directory when inside it.
pub fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.display().to_string()))
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(out: &[&str], err: &[&str]) -> Vec<String> {
        let lines = |v: &[&str]| v.iter().map(|l| (l.as_bytes().to_vec(), true)).collect();
        interleave(lines(out), lines(err))
            .map(|(stream, (line, _))| {
                let tag = match stream {
                    Stream::Stdout => "out",
                    Stream::Stderr => "err",
                };
                format!("{tag}:{}", String::from_utf8_lossy(&line))
            })
            .collect()
    }

    #[test]
    fn stderr_read_with_stdout_goes_to_the_test_running_in_that_window() {
        // A handler logs between its test's start and result, both read at once.
        assert_eq!(
            order(
                &["\u{16}=== RUN   TestA", "\u{16}--- PASS: TestA (0.00s)"],
                &["log"]
            ),
            [
                "out:\u{16}=== RUN   TestA",
                "err:log",
                "out:\u{16}--- PASS: TestA (0.00s)"
            ]
        );
        // Logged just before the result of the test already running.
        assert_eq!(
            order(&["--- FAIL: TestA (0.00s)", "=== RUN   TestB"], &["log"]),
            [
                "err:log",
                "out:--- FAIL: TestA (0.00s)",
                "out:=== RUN   TestB"
            ]
        );
        // A subtest's result, and one cut off output printed without a newline.
        assert_eq!(
            order(
                &[
                    "=== RUN   TestA/x",
                    "partial\u{16}    --- SKIP: TestA/x (0.00s)"
                ],
                &["log"]
            ),
            [
                "out:=== RUN   TestA/x",
                "err:log",
                "out:partial\u{16}    --- SKIP: TestA/x (0.00s)"
            ]
        );
        // No result among the stdout lines: stderr after all of them.
        assert_eq!(
            order(&["=== RUN   TestA", "  t.Log"], &["log"])
                .last()
                .unwrap(),
            "err:log"
        );
        // A line that merely mentions a result does not end a test.
        assert_eq!(
            order(&["saw --- PASS: x"], &["log"]).last().unwrap(),
            "err:log"
        );
    }

    #[test]
    fn lines_are_taken_whole_and_an_endless_one_in_pieces() {
        let mut pending = b"a\nb".to_vec();
        let mut lines = Vec::new();
        take_lines(&mut pending, false, &mut lines);
        assert_eq!(lines, [(b"a".to_vec(), true)]);
        assert_eq!(pending, b"b");
        take_lines(&mut pending, true, &mut lines);
        assert_eq!(lines[1], (b"b".to_vec(), false));
        let mut endless = vec![b'x'; MAX_LINE_BYTES + 3];
        let mut pieces = Vec::new();
        take_lines(&mut endless, false, &mut pieces);
        assert_eq!(pieces.len(), 1);
        assert_eq!(endless.len(), 3);
    }

    #[test]
    fn godebug_is_merged_never_replaced() {
        assert_eq!(merge_godebug(None), "gctrace=1");
        assert_eq!(
            merge_godebug(Some("madvdontneed=1")),
            "madvdontneed=1,gctrace=1"
        );
        assert_eq!(merge_godebug(Some("gctrace=0,x=1")), "x=1,gctrace=1");
        assert_eq!(merge_godebug(Some("gctrace=2")), "gctrace=2");
    }

    #[test]
    fn a_timeout_kills_the_process_group() {
        // A shell whose child would keep the pipe open for a minute.
        let dir = tempfile::tempdir().expect("tempdir");
        let script = dir.path().join("hang.sh");
        std::fs::write(&script, "#!/bin/sh\necho started\nsleep 60 &\nsleep 60\n").expect("write");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let cfg = RunConfig {
            binary: script,
            workdir: None,
            test_flags: vec![],
            timeout: Duration::from_millis(300),
            framed: false,
            gctrace: None,
            read_by_rules: None,
        };
        let begun = Instant::now();
        let record = execute(&cfg, None, &mut |_| {}).expect("runs");
        assert_eq!(record.exit, Exit::TimedOut);
        assert!(
            begun.elapsed() < Duration::from_secs(5),
            "took {:?}",
            begun.elapsed()
        );
        assert!(
            record
                .events
                .iter()
                .any(|e| e.kind == EventKind::Test(TestLine::Output("started".into())))
        );
    }
}
