//! The probe plan: which uprobes the enabled rules need, at which file
//! offsets of this binary, with which cookies. Only needed probes attach.

use crate::target::BinaryInfo;
use crate::target::probes::{self, Missing};

/// What the engine observes; a rule's metrics name the engine signals they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EngineSignal {
    Goroutines,
    Tickers,
    Allocations,
    Pools,
    HttpBodies,
}

/// A user-declared probe (`[[probe]]` in a rule file).
#[derive(Debug, Clone, PartialEq)]
pub struct UserProbe {
    /// The Go symbol, e.g. `runtime.GC` or `example.com/m/db.(*Pool).Acquire`.
    pub symbol: String,
    /// Optional predicate on an argument register: (arg 1..9, op, value).
    pub predicate: Option<(u32, u32, u64)>,
}

/// One attachment: the BPF program, the file offset, the cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub program: &'static str,
    pub symbol: String,
    pub offset: u64,
    pub cookie: u64,
}

/// Configuration of a counted probe (struct probe_conf in gate.bpf.c), by index.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProbeConf {
    pub object_arg: u32,
    pub pred_arg: u32,
    pub op: u32,
    pub emit: u32,
    pub value: u64,
    pub via_goid: u64,
}

/// Counted-probe indexes reserved for sync.Pool.
pub const POOL_GET: u32 = 0;
pub const POOL_NEW: u32 = 1;
pub const POOL_PUT: u32 = 2;
/// User-declared probes are numbered from here.
pub const FIRST_USER_PROBE: u32 = 8;

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub attachments: Vec<Attachment>,
    pub confs: Vec<(u32, ProbeConf)>,
    pub offsets: Offsets,
    /// Itab addresses of the HTTP response Body types that have a connection behind them.
    pub body_types: Vec<u64>,
    /// The probes rule files declare.
    pub declared: super::declared::DeclaredPlan,
    /// Where to switch on gctrace in the stopped process; None: by GODEBUG.
    pub gctrace: Option<crate::target::GctraceSwitch>,
    /// The runtime's own gctrace prints are captured (gc_print_*): a
    /// gctrace-shaped stderr line it did not write is the test's output.
    pub gc_prints: bool,
    /// Things about this binary worth a warning.
    pub notes: Vec<String>,
}

/// `runtime.debug.gctrace`'s address and the binary's first loadable address
/// (what a PIE load bias is measured from), from the symbols and DWARF.
fn gctrace_switch(info: &BinaryInfo) -> Option<crate::target::GctraceSwitch> {
    use object::{Object, ObjectSegment};
    let file = object::File::parse(info.data()).ok()?;
    let debug = info.variable("runtime.debug")?;
    let offset = crate::target::dwarf::variable_field_offset(
        info.type_sections().ok()?,
        "runtime.debug",
        "gctrace",
    )
    .ok()??;
    let base = file
        .segments()
        .map(|s| s.address())
        .filter(|&a| a > 0)
        .min()
        .unwrap_or(0);
    Some(crate::target::GctraceSwitch {
        variable: debug + offset,
        base: base & !0xfff,
    })
}

/// Response Body types with a connection behind them: the itab that marks one in
/// a Response, and its Close. HTTP/1 (bodyEOFSignal), HTTP/2
/// (http2transportResponseBody, a value type whose one field is the data word),
/// and the wrappers the client adds: transparent gzip, and a timeout's cancelTimerBody.
const BODY_TYPES: [(&str, &str, &str); 7] = [
    (
        "go:itab.*net/http.bodyEOFSignal,io.ReadCloser",
        "net/http.(*bodyEOFSignal).Close",
        "net/http.(*bodyEOFSignal).Read",
    ),
    (
        "go:itab.*net/http.gzipReader,io.ReadCloser",
        "net/http.(*gzipReader).Close",
        "net/http.(*gzipReader).Read",
    ),
    (
        "go:itab.net/http.http2transportResponseBody,io.ReadCloser",
        "net/http.http2transportResponseBody.Close",
        "net/http.http2transportResponseBody.Read",
    ),
    (
        "go:itab.*net/http.http2gzipReader,io.ReadCloser",
        "net/http.(*http2gzipReader).Close",
        "net/http.(*http2gzipReader).Read",
    ),
    (
        "go:itab.*net/http.cancelTimerBody,io.ReadCloser",
        "net/http.(*cancelTimerBody).Close",
        "net/http.(*cancelTimerBody).Read",
    ),
    // Go 1.27 moved HTTP/2 from the bundled http2* names into a package, and
    // names no itabs: found by their methods.
    (
        "",
        "net/http/internal/http2.transportResponseBody.Close",
        "net/http/internal/http2.transportResponseBody.Read",
    ),
    (
        "",
        "net/http/internal/http2.(*gzipReader).Close",
        "net/http/internal/http2.(*gzipReader).Read",
    ),
];

/// Where the programs find things in the Go runtime's memory (DWARF and symbols).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Offsets {
    pub goid: u64,
    pub test_name: u64,
    pub status: u64,
    pub waitreason: u64,
    pub mcache_alloc: u64,
    pub span_alloc_count: u64,
    pub span_count_before_cache: u64,
    pub span_elemsize: u64,
    pub g_m: u64,
    pub m_curg: u64,
    pub timer_when: u64,
    pub timer_period: u64,
    pub resp_body: u64,
    pub allgs_vaddr: u64,
    pub g_preempt: u64,
    /// &io.EOF: a body Read returning it was read to the end.
    pub io_eof_vaddr: u64,
}

/// The exit path's probes, in the order a test binary passes them: os.Exit,
/// then the exit hooks it runs (Go 1.24+: internal/runtime/exithook.Run,
/// before: runtime.runExitHooks), then syscall.Exit just before the system
/// call. All but the last may wait for runnable goroutines to run first.
const EXIT_PATH: [&str; 4] = [
    "os.Exit",
    "internal/runtime/exithook.Run",
    "runtime.runExitHooks",
    "syscall.Exit",
];

/// Builds the plan; a missing symbol or struct field names what is missing.
pub fn plan(
    info: &BinaryInfo,
    signals: &[EngineSignal],
    user: &[UserProbe],
) -> Result<Plan, Missing> {
    let allocations = signals.contains(&EngineSignal::Allocations);
    let mut wanted = vec![
        ("runtime.g", "goid"),
        ("testing.common", "name"),
        ("runtime.g", "atomicstatus"),
        ("runtime.g", "waitreason"),
    ];
    if allocations {
        wanted.extend([
            ("runtime.mcache", "alloc"),
            ("runtime.mspan", "allocCount"),
            ("runtime.mspan", "allocCountBeforeCache"),
            ("runtime.mspan", "elemsize"),
            ("runtime.g", "m"),
            ("runtime.m", "curg"),
        ]);
    }
    // Every field the plan needs, read in one pass over the DWARF (tens of ms each).
    let timers =
        signals.contains(&EngineSignal::Tickers) || signals.contains(&EngineSignal::Goroutines);
    let old_timers = timers && !info.has_function("time.newTimer");
    if old_timers {
        wanted.extend([("runtime.timer", "when"), ("runtime.timer", "period")]);
    } else if timers {
        wanted.push(("runtime.timeTimer", "timer"));
    }
    let goroutines = signals.contains(&EngineSignal::Goroutines);
    if goroutines {
        wanted.push(("runtime.g", "preempt"));
    }
    let http =
        signals.contains(&EngineSignal::HttpBodies) && info.has_function("net/http.(*Client).do");
    if http {
        wanted.push(("net/http.Response", "Body"));
    }
    let o = probes::struct_offsets(info, &wanted)?;
    let at = |i: usize| o.get(i).copied().unwrap_or(0);
    let field = |s: &str, f: &str| wanted.iter().position(|w| *w == (s, f)).map_or(0, at);
    let mut plan = Plan {
        offsets: Offsets {
            goid: at(0),
            test_name: at(1),
            status: at(2),
            waitreason: at(3),
            mcache_alloc: at(4),
            span_alloc_count: at(5),
            span_count_before_cache: at(6),
            span_elemsize: at(7),
            g_m: at(8),
            m_curg: at(9),
            ..Offsets::default()
        },
        ..Plan::default()
    };
    let entry = |plan: &mut Plan,
                 program: &'static str,
                 symbol: &str,
                 cookie: u64|
     -> Result<(), Missing> {
        plan.attachments.push(Attachment {
            program,
            symbol: symbol.to_string(),
            offset: probes::entry_probe_offset(info, symbol)?,
            cookie,
        });
        Ok(())
    };
    let rets = |plan: &mut Plan, program: &'static str, symbol: &str| -> Result<(), Missing> {
        for offset in probes::ret_offsets(info, symbol)? {
            plan.attachments.push(Attachment {
                program,
                symbol: symbol.to_string(),
                offset,
                cookie: 0,
            });
        }
        Ok(())
    };
    // The same, each RET's cookie its address in the binary (the program
    // learns a PIE binary's load bias from it).
    let rets_at = |plan: &mut Plan, program: &'static str, symbol: &str| -> Result<(), Missing> {
        let (addr, _) = info.function(symbol).unwrap_or((0, 0));
        let start = probes::entry_offset(info, symbol)?;
        for offset in probes::ret_offsets(info, symbol)? {
            plan.attachments.push(Attachment {
                program,
                symbol: symbol.to_string(),
                offset,
                cookie: addr + (offset - start),
            });
        }
        Ok(())
    };
    // GC figures: gctrace switched on in this process's memory, not its environment.
    if let Some(switch) = gctrace_switch(info) {
        entry(&mut plan, "gctrace_stop", "runtime.main", 0)?;
        plan.gctrace = Some(switch);
    }
    // What the runtime prints between printlock and printunlock in
    // gcMarkTermination is its gctrace line: captured at runtime.gwrite, so
    // that a test writing the same shape of text to stderr forges no cycle.
    let in_mark_termination = |callee: &str| {
        probes::call_offsets(info, "runtime.gcMarkTermination", callee).unwrap_or_default()
    };
    let (locks, unlocks) = (
        in_mark_termination("runtime.printlock"),
        in_mark_termination("runtime.printunlock"),
    );
    if !locks.is_empty() && !unlocks.is_empty() && info.has_function("runtime.gwrite") {
        for (program, callee, offsets) in [
            ("gc_print_lock", "runtime.printlock", locks),
            ("gc_print_unlock", "runtime.printunlock", unlocks),
        ] {
            plan.attachments
                .extend(offsets.into_iter().map(|offset| Attachment {
                    program,
                    symbol: format!("runtime.gcMarkTermination (call of {callee})"),
                    offset,
                    cookie: 0,
                }));
        }
        entry(&mut plan, "gc_print_write", "runtime.gwrite", 0)?;
        plan.gc_prints = true;
    } else {
        plan.notes.push(format!(
            "the GC's own prints were not found in this {} binary (calls of runtime.printlock and \
             printunlock in runtime.gcMarkTermination, runtime.gwrite): gctrace lines on stderr are \
             taken as they are, and a test printing such lines can add GC cycles",
            info.go_version
        ));
    }
    // Test attribution is needed by every engine signal.
    // Its cookie is the probed address in the file: the program learns the load bias.
    let runner_vaddr = info.function("testing.tRunner").map_or(0, |(a, _)| a)
        + probes::entry_probe_offset(info, "testing.tRunner")?
        - probes::entry_offset(info, "testing.tRunner")?;
    entry(&mut plan, "test_start", "testing.tRunner", runner_vaddr)?;
    entry(&mut plan, "go_create_entry", "runtime.newproc", 0)?;
    // A result read where `caller` hands it to `callee`: a CALL, which the
    // kernel emulates (~1.5 us a hit), where a RET is single-stepped (~25 us
    // here). False when there is not exactly one such call: RETs instead.
    let handed_on =
        |plan: &mut Plan, program: &'static str, caller: &str, callee: &str, cookie: u64| -> bool {
            match probes::call_offsets(info, caller, callee).unwrap_or_default()[..] {
                [offset] => {
                    plan.attachments.push(Attachment {
                        program,
                        symbol: format!("{caller} (call of {callee})"),
                        offset,
                        cookie,
                    });
                    true
                }
                _ => false,
            }
        };
    // The new g where newproc's closure queues it: runqput(pp, newg) has it in BX.
    if !handed_on(
        &mut plan,
        "go_create_queued",
        "runtime.newproc.func1",
        "runtime.runqput",
        0,
    ) {
        rets(&mut plan, "go_create_ret", "runtime.newproc1")?;
    }
    if goroutines {
        entry(&mut plan, "go_exit", "runtime.goexit1", 0)?;
        // The state of every live goroutine, read once when the binary exits:
        // at the first exit probe that finds the tests' goroutines settled, or the last.
        let path: Vec<&str> = EXIT_PATH
            .into_iter()
            .filter(|s| info.has_function(s))
            .collect();
        if !path.contains(&"os.Exit") {
            return Err(Missing {
                symbol: "os.Exit".into(),
                what: "no such function".into(),
            });
        }
        for (i, symbol) in path.iter().enumerate() {
            let offset = probes::entry_probe_offset(info, symbol)?;
            // The probed instruction's address, for the PIE load bias.
            let vaddr = info.function(symbol).map_or(0, |(a, _)| a)
                + (offset - probes::entry_offset(info, symbol)?);
            plan.attachments.push(Attachment {
                program: if i + 1 < path.len() {
                    "exit_settle"
                } else {
                    "exit_snapshot"
                },
                symbol: symbol.to_string(),
                offset,
                cookie: vaddr,
            });
        }
        plan.offsets.g_preempt = field("runtime.g", "preempt");
        plan.offsets.allgs_vaddr = info.variable("runtime.allgs").ok_or_else(|| Missing {
            symbol: "runtime.allgs".into(),
            what: "no such data symbol (stripped symbol table?)".into(),
        })?;
    }
    // Timers tell a goroutine waiting on its own timer from a blocked one, and make the ticker metrics.
    if timers {
        if !old_timers {
            // Go 1.23+: time.NewTicker goes through the linknamed runtime.newTimer.
            entry(&mut plan, "timer_new_entry", "time.newTimer", 0)?;
            // The timer at newTimer's call of t.modify: AX is &t.timer, the
            // cookie that field's offset in timeTimer.
            let timer_in = field("runtime.timeTimer", "timer");
            if !handed_on(
                &mut plan,
                "timer_made",
                "time.newTimer",
                "runtime.(*timer).modify",
                timer_in,
            ) {
                rets(&mut plan, "timer_made", "time.newTimer")?;
            }
        } else {
            // Before Go 1.23: time.startTimer(&t.r) with when and period in the struct.
            plan.offsets.timer_when = field("runtime.timer", "when");
            plan.offsets.timer_period = field("runtime.timer", "period");
            entry(&mut plan, "timer_start_old", "time.startTimer", 0)?;
        }
        entry(&mut plan, "timer_stop", "time.stopTimer", 0)?;
    }
    // A binary without an HTTP client cannot leak response bodies: nothing to probe.
    if http {
        plan.offsets.resp_body = field("net/http.Response", "Body");
        // A call in flight: a body closed during it, before its RET, is not the caller's to close.
        entry(&mut plan, "client_do_entry", "net/http.(*Client).do", 0)?;
        rets_at(&mut plan, "body_returned", "net/http.(*Client).do")?;
        let io_eof = info.variable("io.EOF");
        // A type the linker kept no itab for is never handed out by this binary.
        for (itab, close, read) in BODY_TYPES {
            let Some((close_addr, _)) = info.function(close) else {
                continue;
            };
            // By name up to Go 1.26; by its method table (io.ReadCloser's
            // Close, Read) where the linker names no itabs (Go 1.27).
            let itabs = match info.variable(itab) {
                Some(addr) => vec![addr],
                None => match info.function(read) {
                    Some((read_addr, _)) => info.itabs_with_methods(&[close_addr, read_addr]),
                    None => Vec::new(),
                },
            };
            if !itabs.is_empty() {
                plan.body_types.extend(itabs);
                entry(&mut plan, "body_close", close, 0)?;
                // A body read to io.EOF is told from one never read to its
                // end (its connection is still held) by its Reads' results.
                if let (true, Some(eof)) = (info.has_function(read), io_eof) {
                    plan.offsets.io_eof_vaddr = eof;
                    entry(&mut plan, "body_read_entry", read, 0)?;
                    rets_at(&mut plan, "body_read_ret", read)?;
                }
            }
        }
        // A client without one known body type: this Go release moved them.
        // Counting nothing would pass every test; say so instead.
        if plan.body_types.is_empty() {
            return Err(probes::Missing {
                symbol: "net/http's response body types".into(),
                what: format!(
                    "response-body-not-closed knows none of this {} binary's body types (their Close methods or itabs); disable the rule for this Go release and report it",
                    info.go_version
                ),
            });
        }
    }
    if allocations {
        entry(&mut plan, "alloc_refill", "runtime.(*mcache).refill", 0)?;
        entry(&mut plan, "alloc_large", "runtime.(*mcache).allocLarge", 0)?;
        entry(&mut plan, "alloc_flush", "runtime.(*mcache).releaseAll", 0)?;
    }
    if signals.contains(&EngineSignal::Pools) && info.has_function("sync.(*Pool).Get") {
        // Get(p) and Put(p, x): the pool is the receiver in RAX. New is called
        // through Get's only indirect call; the pool comes from the Get probe.
        entry(&mut plan, "count", "sync.(*Pool).Get", u64::from(POOL_GET))?;
        // emit: the first Gets of each pool in each test carry a stack, for the pool's site.
        plan.confs.push((
            POOL_GET,
            ProbeConf {
                object_arg: 1,
                emit: 1,
                ..Default::default()
            },
        ));
        for offset in probes::indirect_call_offsets(info, "sync.(*Pool).Get")? {
            plan.attachments.push(Attachment {
                program: "count",
                symbol: "sync.(*Pool).Get (call of New)".into(),
                offset,
                cookie: u64::from(POOL_NEW),
            });
        }
        plan.confs.push((
            POOL_NEW,
            ProbeConf {
                via_goid: 1,
                ..Default::default()
            },
        ));
        if info.has_function("sync.(*Pool).Put") {
            entry(&mut plan, "count", "sync.(*Pool).Put", u64::from(POOL_PUT))?;
            plan.confs.push((
                POOL_PUT,
                ProbeConf {
                    object_arg: 1,
                    ..Default::default()
                },
            ));
        }
    }
    for (i, probe) in user.iter().enumerate() {
        let index = FIRST_USER_PROBE + i as u32;
        entry(&mut plan, "count", &probe.symbol, u64::from(index))?;
        let (pred_arg, op, value) = probe.predicate.unwrap_or((0, 0, 0));
        plan.confs.push((
            index,
            ProbeConf {
                pred_arg,
                op,
                value,
                emit: 1,
                ..Default::default()
            },
        ));
    }
    Ok(plan)
}
