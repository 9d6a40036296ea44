// SPDX-License-Identifier: GPL-2.0
// gate's eBPF programs: a few generic uprobe programs, parameterised from
// userspace by attach cookies and a config map, serve every probe.
//
// Go's register ABI (amd64, Go 1.17+): integer arguments and results in
// RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11; the current goroutine g in R14.
// Never uretprobes on Go (stack copying breaks them): return values are read
// by plain uprobes on the function's RET instructions.
//
// Every program first filters on the traced test binary's tgid: uprobes
// patch the file, so every process running it would fire them.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;
typedef unsigned short u16;

// x86-64 user register layout as the kernel hands it to uprobe programs.
struct regs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
};

#define MAX_FRAMES 24
#define NAME_LEN 128

// Set by the loader before load (aya set_global).
volatile const u32 target_tgid = 0;
volatile const u32 goid_offset = 0;      // offsetof(runtime.g, goid)
volatile const u32 test_name_offset = 0; // offsetof(testing.common, name) (T embeds common first)
volatile const u32 status_offset = 0;    // offsetof(runtime.g, atomicstatus)
volatile const u32 waitreason_offset = 0; // offsetof(runtime.g, waitreason)
volatile const u32 mcache_alloc_offset = 0;           // offsetof(runtime.mcache, alloc)
volatile const u32 span_alloc_count_offset = 0;       // offsetof(runtime.mspan, allocCount)
volatile const u32 span_count_before_cache_offset = 0; // offsetof(runtime.mspan, allocCountBeforeCache)
volatile const u32 g_m_offset = 0;                     // offsetof(runtime.g, m)
volatile const u32 m_curg_offset = 0;                  // offsetof(runtime.m, curg)
volatile const u32 span_elemsize_offset = 0;          // offsetof(runtime.mspan, elemsize)
volatile const u32 timer_when_offset = 0;   // Go < 1.23: offsetof(runtime.timer, when)
volatile const u32 timer_period_offset = 0; // Go < 1.23: offsetof(runtime.timer, period)
volatile const u32 resp_body_offset = 0; // offsetof(net/http.Response, Body)
volatile const u32 g_preempt_offset = 0;     // offsetof(runtime.g, preempt)
volatile const u64 allgs_vaddr = 0;   // &runtime.allgs in the binary
volatile const u64 io_eof_vaddr = 0;  // &io.EOF in the binary

// Event kinds sent to userspace.
enum {
	EV_TEST_START = 1,  // a testing.tRunner goroutine started: goid, name
	EV_GO_CREATE = 2,   // goroutine created: goid, creator, entry pc, creation stack
	EV_GO_EXIT = 3,     // goroutine exited
	EV_TICKER_NEW = 4,  // time.newTimer with a period: timer pointer, period, stack
	EV_TICKER_STOP = 5, // time.stopTimer on a tracked ticker
	EV_PROBE_HIT = 6,   // a user-declared probe fired (first hits per test, with stack)
	EV_GO_ALIVE = 7,    // at exit: a live goroutine a test owns: status, wait reason
	EV_EXIT = 8,        // the exit snapshot ran: goroutines walked, reported
	EV_BODY_NEW = 9,    // an HTTP client response body handed to the caller, with stack
	EV_BODY_CLOSE = 10, // that body was closed
	EV_ACQUIRE = 11,    // a declared lifecycle acquired an object: lifecycle, key, site, stack
	EV_RELEASE = 12,    // and released it: lifecycle, key
	EV_BODY_EOF = 13,   // a Read of a tracked body returned io.EOF: body
	EV_GC_PRINT = 14,   // bytes the runtime printed in gcMarkTermination: length, name = bytes
};

struct event {
	u32 kind;
	u32 nframes;
	u64 ts;
	u64 goid;
	u64 root;   // goid of the test goroutine that owns this one (0: none)
	u64 a, b, c;
	u64 frames[MAX_FRAMES];
	char name[NAME_LEN];
};

// Never used: it puts struct event into the object's BTF, where a test
// compares it with the Rust side's decoding (cli/src/bpf/loader.rs, layout).
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct event);
} event_layout SEC(".maps");

// 4 MB: ~10,000 events, 100 ms of the fastest goroutine churn seen under
// probes; the reader is woken at a quarter full. 16 MB took 4.6 ms to create.
#define RING_BYTES (4 << 20)
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} events SEC(".maps");

// The binary's load bias (0 unless PIE), learnt at the first test's start.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} load_bias SEC(".maps");

// Events that did not fit in the ring buffer: userspace reports them, never hides them.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

// goid -> goid of the owning test goroutine (ancestry, maintained in the kernel).
// Live goroutines only (an exit deletes); a full map counts as lost events.
// Its bucket array is allocated at load: 1 << 18 entries took 10 ms.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 17);
	__type(key, u64);
	__type(value, u64);
} owner SEC(".maps");

// goid -> owning test goroutine of goroutines that have just exited. goexit1
// deletes the owner entry, yet the runtime still works on the goroutine
// after it, on g0 (runtime.gdestroy(gp) reads gp.lockedm there): a probe
// charged to gp by its argument must still find gp's test. Goroutine ids
// are never reused, so a stale entry is never wrong, only evicted.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u64);
} exited_owner SEC(".maps");

// A goroutine creation in flight: runtime.newproc (creator's stack) -> the new g queued.
struct pending_go {
	u64 creator;
	u64 entry;
	u32 nframes;
	u32 pad;
	u64 frames[MAX_FRAMES];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct pending_go);
} pending_go SEC(".maps");

// A ticker creation in flight: time.newTimer entry -> RET.
struct pending_timer {
	u64 goid;
	u64 period;
	u32 nframes;
	u32 pad;
	u64 frames[MAX_FRAMES];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct pending_timer);
} pending_timer SEC(".maps");

// Tickers alive: timer pointer -> 1.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, u64);
	__type(value, u8);
} tickers SEC(".maps");

// Latest deadline (runtime nanotime, CLOCK_MONOTONIC) of a timer each goroutine created:
// a goroutine blocked in select with its own pending timer will be woken.
// Entries go when their goroutine exits, so only live goroutines fill it;
// not an LRU map, whose preallocation took 16 ms of gate's start-up.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, u64);
	__type(value, u64);
} timer_deadline SEC(".maps");

// The Body types that have a connection behind them, by itab address in the
// binary (go:itab.*net/http.bodyEOFSignal,io.ReadCloser, HTTP/2's
// http2transportResponseBody, the gzip and timeout wrappers) -> 1.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u64);
	__type(value, u8);
} body_types SEC(".maps");

// HTTP response bodies handed out and not closed yet: body pointer -> 1.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, u64);
	__type(value, u8);
} bodies SEC(".maps");

// Read calls of body types in flight, per goroutine: the receivers, innermost
// last (a gzip or timeout wrapper's Read calls the body's). The entry probe
// sits after Go's stack check, so a call that grows its stack fires it once.
#define READ_DEPTH 4
struct body_reads {
	u64 depth;
	u64 body[READ_DEPTH];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct body_reads);
} body_reading SEC(".maps");

// net/http.(*Client).do calls in flight, per goroutine: the outermost call's
// number (its start time) and the depth (a CheckRedirect may call a client).
struct do_call {
	u64 call;
	u64 depth;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct do_call);
} client_do SEC(".maps");

// Bodies closed during a (*Client).do call, before it returned them (the body
// of a redirect CheckRedirect refused is closed by net/http, then returned
// with the error): (goid, body) -> the call's number. An LRU map: the bodies
// of redirects followed are closed there too and never returned.
struct closed_key {
	u64 goid;
	u64 body;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct closed_key);
	__type(value, u64);
} closed_in_do SEC(".maps");

// Allocations per owner (test root goid, 0 for none), aggregated in the kernel.
struct alloc_stat {
	u64 count;
	u64 bytes;
};
// Not preallocated: a preallocated map of this size took 28 ms to create,
// a tenth of gate's start-up; there is one entry per test.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 14);
	__type(key, u64);
	__type(value, struct alloc_stat);
} allocs SEC(".maps");

// Counted probes (user-declared probes, sync.Pool): key (probe index, owner, object).
struct count_key {
	u64 probe;
	u64 root;
	u64 object;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, struct count_key);
	__type(value, u64);
} counts SEC(".maps");

// Per counted probe: which argument register to report as the object and to test.
// arg: 0 none, 1..9 = RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11.
// op: 0 none, 1 ==, 2 !=, 3 >, 4 <, 5 >=, 6 <=. emit: send the first hits with stacks.
struct probe_conf {
	u32 object_arg;
	u32 pred_arg;
	u32 op;
	u32 emit;
	u64 value;
	u64 via_goid; // 1: the object is the one an earlier probe saved on this goroutine
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, struct probe_conf);
} probe_confs SEC(".maps");

// Object saved per goroutine for probes that need it later in the same call (Pool.Get -> New).
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u64);
} thread_object SEC(".maps");

static __always_inline int traced(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline u64 goid_of(u64 g)
{
	u64 goid = 0;
	if (g)
		bpf_probe_read_user(&goid, sizeof(goid), (void *)(g + goid_offset));
	return goid;
}

static __always_inline u64 root_of(u64 goid)
{
	u64 *root = bpf_map_lookup_elem(&owner, &goid);
	if (!root)
		root = bpf_map_lookup_elem(&exited_owner, &goid);
	return root ? *root : 0;
}

// The creating call stack at a function's entry probe (before its PUSHQ BP)
// or at a RET: [rsp] is the return address into the caller and RBP the
// caller's frame; from there Go's frame pointers, [fp] the next frame and
// [fp+8] its return address, up to the goroutine's outermost frame (fp 0).
// Walked here rather than by bpf_get_stack, whose walk ends by faulting on
// that 0 and cost ~2 us more per goroutine.
static __always_inline u32 entry_stack(struct regs *ctx, u64 *frames)
{
	u64 ret = 0;
	bpf_probe_read_user(&ret, sizeof(ret), (void *)ctx->rsp);
	frames[0] = ret;
	u64 fp = ctx->rbp;
	u32 n = 1;
	for (int i = 1; i < MAX_FRAMES; i++) {
		u64 frame[2] = {};
		if (!fp || bpf_probe_read_user(frame, sizeof(frame), (void *)fp) || !frame[1])
			break;
		frames[i] = frame[1];
		n = i + 1;
		fp = frame[0];
	}
	return n;
}

// A stack saved at a function's entry, into the event sent at its RET.
static __always_inline void copy_frames(struct event *e, const u64 *frames, u32 nframes)
{
	e->nframes = nframes < MAX_FRAMES ? nframes : MAX_FRAMES;
	__builtin_memcpy(e->frames, frames, sizeof(e->frames));
}

// Something gate should have seen and did not: reported, never hidden.
static __always_inline void count_lost(void)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
}

// Charges goroutine `goid` to test `root`.
static __always_inline void own(u64 goid, u64 root)
{
	if (bpf_map_update_elem(&owner, &goid, &root, BPF_ANY))
		count_lost();
}

static __always_inline struct event *reserve(u32 kind, u64 goid)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(struct event), 0);
	if (!e) {
		count_lost();
		return 0;
	}
	e->kind = kind;
	e->nframes = 0;
	e->ts = bpf_ktime_get_ns();
	e->goid = goid;
	e->root = root_of(goid);
	e->a = e->b = e->c = 0;
	e->name[0] = 0;
	return e;
}

// Hands an event to gate without waking it. A wake-up is an irq_work, a
// self-IPI: in a VM an exit to the hypervisor, ~10 us per event measured
// (go_exit took 15 us with a wake-up, 1.6 without). gate's reader polls
// every 20 ms and is woken only when a quarter of the ring is waiting.
static __always_inline void send(struct event *e)
{
	u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, waiting > RING_BYTES / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline u64 arg(struct regs *ctx, u32 i)
{
	// Copy first: the verifier rejects loads through a ctx pointer with a variable offset.
	// Slot 10 is RDX: never a Go argument, the third of a system call.
	u64 regs[11] = {0, ctx->rax, ctx->rbx, ctx->rcx, ctx->rdi, ctx->rsi, ctx->r8, ctx->r9, ctx->r10, ctx->r11, ctx->rdx};
	if (i < 11)
		return regs[i];
	return 0;
}

// testing.tRunner(t *T, fn func(*T)): runs on the test's own goroutine.
SEC("uprobe")
int test_start(struct regs *ctx)
{
	if (!traced())
		return 0;
	// The load bias of a PIE binary, for programs that have no probed address of
	// their own (system calls): the cookie is this probe's address in the file.
	u32 zero = 0;
	u64 bias = ctx->rip - bpf_get_attach_cookie(ctx);
	bpf_map_update_elem(&load_bias, &zero, &bias, BPF_ANY);
	u64 goid = goid_of(ctx->r14);
	own(goid, goid);
	struct event *e = reserve(EV_TEST_START, goid);
	if (!e)
		return 0;
	struct {
		u64 ptr;
		u64 len;
	} name = {};
	bpf_probe_read_user(&name, sizeof(name), (void *)(ctx->rax + test_name_offset));
	u64 len = name.len < NAME_LEN - 1 ? name.len : NAME_LEN - 1;
	bpf_probe_read_user(e->name, len & (NAME_LEN - 1), (void *)name.ptr);
	e->name[len & (NAME_LEN - 1)] = 0;
	e->a = name.len;
	send(e);
	return 0;
}

// runtime.newproc(fn *funcval): on the creating goroutine; [rsp] is the `go` statement.
SEC("uprobe")
int go_create_entry(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 tid = bpf_get_current_pid_tgid();
	struct pending_go p = {};
	p.creator = goid_of(ctx->r14);
	bpf_probe_read_user(&p.entry, sizeof(p.entry), (void *)ctx->rax);
	p.nframes = entry_stack(ctx, p.frames);
	bpf_map_update_elem(&pending_go, &tid, &p, BPF_ANY);
	return 0;
}

// The new goroutine `newg`, on the OS thread that ran runtime.newproc (systemstack).
static __always_inline int go_created(u64 newg)
{
	if (!traced())
		return 0;
	u64 tid = bpf_get_current_pid_tgid();
	struct pending_go *p = bpf_map_lookup_elem(&pending_go, &tid);
	if (!p)
		return 0;
	u64 goid = goid_of(newg);
	u64 root = root_of(p->creator);
	if (root)
		own(goid, root);
	struct event *e = reserve(EV_GO_CREATE, goid);
	if (e) {
		e->root = root;
		e->a = p->creator;
		e->b = p->entry;
		copy_frames(e, p->frames, p->nframes);
		send(e);
	}
	bpf_map_delete_elem(&pending_go, &tid);
	return 0;
}

// newproc's CALL runqput(pp, newg, true): BX is the new g. A CALL is
// emulated by the kernel; a RET is single-stepped, ~25 us a hit in a VM.
SEC("uprobe")
int go_create_queued(struct regs *ctx)
{
	return go_created(ctx->rbx);
}

// A RET of runtime.newproc1, RAX the new g: where newproc has no call of runqput to probe.
SEC("uprobe")
int go_create_ret(struct regs *ctx)
{
	return go_created(ctx->rax);
}

// runtime.goexit1: on the exiting goroutine.
SEC("uprobe")
int go_exit(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	u64 root = root_of(goid);
	if (root) {
		struct event *e = reserve(EV_GO_EXIT, goid);
		if (e)
			send(e);
		bpf_map_update_elem(&exited_owner, &goid, &root, BPF_ANY);
	}
	bpf_map_delete_elem(&owner, &goid);
	bpf_map_delete_elem(&timer_deadline, &goid);
	return 0;
}

static __always_inline void charge_alloc_to(u64 goid, u64 objects, u64 bytes)
{
	u64 root = root_of(goid);
	struct alloc_stat *s = bpf_map_lookup_elem(&allocs, &root);
	if (s) {
		s->count += objects;
		s->bytes += bytes;
	} else {
		struct alloc_stat init = {objects, bytes};
		bpf_map_update_elem(&allocs, &root, &init, BPF_NOEXIST);
	}
}

static __always_inline void charge_alloc(struct regs *ctx, u64 objects, u64 bytes)
{
	charge_alloc_to(goid_of(ctx->r14), objects, bytes);
}

// What the P's cached span of size class `spc` handed out since it was
// cached: the slots the runtime counts when it gives the span back.
struct span_use {
	u64 objects;
	u64 bytes;
};

static __always_inline void cached_span_use(u64 mcache, u64 spc, struct span_use *use)
{
	u64 span = 0;
	bpf_probe_read_user(&span, sizeof(span), (void *)(mcache + mcache_alloc_offset + spc * 8));
	if (!span)
		return;
	u16 used = 0, before = 0;
	u64 elemsize = 0;
	bpf_probe_read_user(&used, sizeof(used), (void *)(span + span_alloc_count_offset));
	bpf_probe_read_user(&before, sizeof(before), (void *)(span + span_count_before_cache_offset));
	if (used <= before)
		return; // runtime.emptymspan, or a span with nothing new
	bpf_probe_read_user(&elemsize, sizeof(elemsize), (void *)(span + span_elemsize_offset));
	use->objects += used - before;
	use->bytes += (u64)(used - before) * elemsize;
}

// runtime.(*mcache).refill(c, spc): the P's cached span of a size class is
// full. The runtime counts its allocations here too: slots used since it
// was cached, times the element size. One hit per span, not per object
// (a uprobe per mallocgc call costs more than the allocation itself).
SEC("uprobe")
int alloc_refill(struct regs *ctx)
{
	if (!traced())
		return 0;
	struct span_use use = {};
	cached_span_use(ctx->rax, ctx->rbx & 0xff, &use);
	if (use.objects)
		charge_alloc(ctx, use.objects, use.bytes);
	return 0;
}

// runtime.(*mcache).releaseAll(c): the GC (at each cycle's start, on every P)
// and P teardown hand back every cached span without a refill. The runtime
// counts their used slots there; without this probe those allocations would
// be lost, more or fewer depending on when cycles start.
#define NUM_SPAN_CLASSES 136 // runtime.numSpanClasses: _NumSizeClasses (68) x scan/noscan, Go 1.21+

struct flush_ctx {
	u64 mcache;
	struct span_use use;
};

static long flush_one(u64 i, struct flush_ctx *c)
{
	cached_span_use(c->mcache, i, &c->use);
	return 0;
}

SEC("uprobe")
int alloc_flush(struct regs *ctx)
{
	if (!traced())
		return 0;
	struct flush_ctx c = {.mcache = ctx->rax};
	bpf_loop(NUM_SPAN_CLASSES, flush_one, &c, 0);
	if (!c.use.objects)
		return 0;
	// The GC flushes on the system stack (R14 = g0, goid 0): the slots were used
	// by the goroutine the M was running, m.curg.
	u64 g = ctx->r14;
	u64 goid = goid_of(g);
	if (goid == 0 && g) {
		u64 m = 0, curg = 0;
		bpf_probe_read_user(&m, sizeof(m), (void *)(g + g_m_offset));
		if (m)
			bpf_probe_read_user(&curg, sizeof(curg), (void *)(m + m_curg_offset));
		goid = goid_of(curg);
	}
	charge_alloc_to(goid, c.use.objects, c.use.bytes);
	return 0;
}

// runtime.(*mcache).allocLarge(c, size, noscan): one object over 32 KiB.
SEC("uprobe")
int alloc_large(struct regs *ctx)
{
	if (!traced())
		return 0;
	charge_alloc(ctx, 1, ctx->rbx);
	return 0;
}

// The exit snapshot: the test binary is about to exit (testing's main calls
// os.Exit with m.Run's result). Walk runtime.allgs and report every live
// goroutine a test owns, with its status and wait reason, with no probe on
// the scheduler's hot paths. Taken once, by the first of the exit probes
// that finds every such goroutine settled (see exit_settle), or by the last.
#define PENDING 8

struct snapshot_ctx {
	u64 allgs;
	u64 count;
	u64 reported;
	u64 self;      // the exiting goroutine's g (a test's goroutine may call os.Exit)
	u32 settle;    // 1: only count the unsettled goroutines, report none
	u32 unsettled; // runnable, running or preempted: their state at exit is not yet their fate
	u64 pending[PENDING]; // the first unsettled ones
};

static __always_inline int unsettled(u32 status)
{
	return status == 1 || status == 2 || status == 9; // _Grunnable, _Grunning, _Gpreempted
}

// Waiting at an exit probe for the unsettled goroutines to settle, or for
// the runtime to preempt the exiting goroutine.
struct wait_ctx {
	u64 g;
	u64 deadline;
	u64 pending[PENDING];
	u32 tracked; // all unsettled goroutines are in pending
	u32 preempted;
	u32 settled;
};

static long wait_one(u64 i, struct wait_ctx *w)
{
	u8 preempt = 0;
	bpf_probe_read_user(&preempt, sizeof(preempt), (void *)(w->g + g_preempt_offset));
	if (preempt) {
		w->preempted = 1;
		return 1;
	}
	if (bpf_ktime_get_ns() > w->deadline)
		return 1;
	if (!w->tracked)
		return 0;
	for (int k = 0; k < PENDING; k++) {
		u32 status = 0;
		if (!w->pending[k])
			break;
		bpf_probe_read_user(&status, sizeof(status), (void *)(w->pending[k] + status_offset));
		if (unsettled(status & ~0x1000))
			return 0;
	}
	w->settled = 1;
	return 1;
}

// The longest an exit probe waits: sysmon preempts a goroutine that has run
// for 10 ms and wakes every 10 ms at most, so 20 ms should do; this leaves
// room for a busy machine (up to 50 ms seen with GOMAXPROCS=1 on 2 loaded vCPUs).
#define SETTLE_WAIT_NS (100ULL * 1000 * 1000)

// Whether the snapshot was taken, and how many times an exit probe waited.
struct exit_state {
	u64 done;
	u64 waits;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct exit_state);
} exit_state SEC(".maps");

static long snapshot_one(u64 i, struct snapshot_ctx *c)
{
	if (i >= c->count)
		return 1;
	u64 g = 0;
	bpf_probe_read_user(&g, sizeof(g), (void *)(c->allgs + i * 8));
	if (!g)
		return 0;
	u64 goid = goid_of(g);
	u64 root = root_of(goid);
	if (!root || root == goid)
		return 0;
	u32 status = 0;
	u8 reason = 0;
	bpf_probe_read_user(&status, sizeof(status), (void *)(g + status_offset));
	bpf_probe_read_user(&reason, sizeof(reason), (void *)(g + waitreason_offset));
	status &= ~0x1000; // _Gscan
	if (status == 6 || status == 0) // _Gdead, _Gidle
		return 0;
	if (c->settle) {
		if (unsettled(status) && g != c->self) {
			if (c->unsettled < PENDING)
				c->pending[c->unsettled & (PENDING - 1)] = g;
			c->unsettled++;
		}
		return 0;
	}
	struct event *e = reserve(EV_GO_ALIVE, goid);
	if (!e)
		return 0;
	e->root = root;
	e->a = status;
	e->b = reason;
	send(e);
	c->reported++;
	return 0;
}

static __always_inline int exit_look(struct regs *ctx, int may_settle)
{
	if (!traced())
		return 0;
	u32 zero = 0;
	struct exit_state *state = bpf_map_lookup_elem(&exit_state, &zero);
	if (!state || state->done)
		return 0;
	// PIE binaries load at a bias: the cookie is the probed instruction's address in the file.
	u64 bias = ctx->rip - bpf_get_attach_cookie(ctx);
	struct {
		u64 ptr;
		u64 len;
	} allgs = {};
	bpf_probe_read_user(&allgs, sizeof(allgs), (void *)(allgs_vaddr + bias));
	u64 n = allgs.len < (1 << 20) ? allgs.len : (1 << 20);
	struct snapshot_ctx c = {.allgs = allgs.ptr, .count = allgs.len, .self = ctx->r14};
	if (may_settle) {
		c.settle = 1;
		bpf_loop(n, snapshot_one, &c, 0);
		if (c.unsettled) {
			// Hold the exiting goroutine here until they settle (then the
			// snapshot is taken now), or the runtime asks it to yield (it
			// does at its next call on the exit path), or for at most
			// SETTLE_WAIT_NS; then a later exit probe looks again.
			struct wait_ctx w = {
				.g = ctx->r14,
				.deadline = bpf_ktime_get_ns() + SETTLE_WAIT_NS,
				.tracked = c.unsettled <= PENDING,
			};
			__builtin_memcpy(w.pending, c.pending, sizeof(w.pending));
			bpf_loop(1 << 23, wait_one, &w, 0);
			state->waits++;
			if (!w.settled)
				return 0;
		}
		c.settle = 0;
	}
	bpf_loop(n, snapshot_one, &c, 0);
	state->done = 1;
	struct event *e = reserve(EV_EXIT, goid_of(ctx->r14));
	if (e) {
		e->a = allgs.len;
		e->b = c.reported;
		e->c = state->waits;
		send(e);
	}
	return 0;
}

// The last exit probe (syscall.Exit, just before the exit system call): the
// snapshot, as things are.
SEC("uprobe")
int exit_snapshot(struct regs *ctx)
{
	return exit_look(ctx, 0);
}

// The earlier exit probes (os.Exit, then the exit hooks it runs). A test's
// goroutine that is runnable or running at exit may be about to block for
// good: its state now is not its fate (the last test's goroutines have often
// not run at all). So the probe waits, in the kernel, for them to settle.
// Other Ps run or steal them meanwhile; one queued on the exiting
// goroutine's own P waits for that goroutine to yield. gate cannot ask it to
// (writing the runtime's preemption request takes bpf_probe_write_user,
// which kernel lockdown forbids), but the runtime does: sysmon preempts a
// goroutine that has run for 10 ms (g.preempt, g.stackguard0 = stackPreempt).
// Then the wait ends, the next call on the exit path yields (gopreempt_m: to
// the global run queue, and the P runs its local queue first), and the next
// exit probe looks again. Measured here: 1-100 ms, only when such goroutines exist.
SEC("uprobe")
int exit_settle(struct regs *ctx)
{
	return exit_look(ctx, 1);
}

// Keeps the latest deadline of the timers a goroutine created; a ticker
// never stops on its own, so it counts as pending forever.
static __always_inline void note_deadline(u64 goid, long when, long period)
{
	u64 *old = bpf_map_lookup_elem(&timer_deadline, &goid);
	if (!old || (long)*old < when || period > 0) {
		u64 deadline = period > 0 ? ~0ULL >> 1 : (u64)when;
		bpf_map_update_elem(&timer_deadline, &goid, &deadline, BPF_ANY);
	}
}

// time.newTimer(when, period, f, arg, cp) (linknamed runtime.newTimer): tickers have a period.
SEC("uprobe")
int timer_new_entry(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	u64 when = ctx->rax;
	note_deadline(goid, (long)when, (long)ctx->rbx);
	if ((long)ctx->rbx <= 0)
		return 0;
	struct pending_timer p = {};
	p.goid = goid;
	p.period = ctx->rbx;
	p.nframes = entry_stack(ctx, p.frames);
	bpf_map_update_elem(&pending_timer, &p.goid, &p, BPF_ANY);
	return 0;
}

// An object gate tracks (a ticker, a response body) was handed to the code
// at this probe: remember it, and tell userspace with the creating stack.
static __always_inline void track(struct regs *ctx, void *map, u64 object, u32 kind, u64 goid, u64 b)
{
	u8 one = 1;
	bpf_map_update_elem(map, &object, &one, BPF_ANY);
	struct event *e = reserve(kind, goid);
	if (!e)
		return;
	e->a = object;
	e->b = b;
	e->nframes = entry_stack(ctx, e->frames);
	send(e);
}

// An object gate tracks (a ticker, a response body) was released: forget it
// and tell userspace. Untracked objects are ignored.
static __always_inline void untrack(void *map, u64 object, u32 kind, u64 goid)
{
	if (!bpf_map_lookup_elem(map, &object))
		return;
	bpf_map_delete_elem(map, &object);
	struct event *e = reserve(kind, goid);
	if (e) {
		e->a = object;
		send(e);
	}
}

// time.newTimer has made the timer: at its call of t.modify(when, period, ...)
// RAX is &t.timer and the cookie that field's offset (an emulated CALL);
// where that call is not found, at its RETs, RAX the timer and cookie 0
// (single-stepped, ~25 us a hit in a VM). Keyed by goroutine: it may change threads.
SEC("uprobe")
int timer_made(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	struct pending_timer *p = bpf_map_lookup_elem(&pending_timer, &goid);
	if (!p)
		return 0;
	u64 timer = ctx->rax - bpf_get_attach_cookie(ctx);
	u8 one = 1;
	bpf_map_update_elem(&tickers, &timer, &one, BPF_ANY);
	struct event *e = reserve(EV_TICKER_NEW, p->goid);
	if (e) {
		e->a = timer;
		e->b = p->period;
		copy_frames(e, p->frames, p->nframes);
		send(e);
	}
	bpf_map_delete_elem(&pending_timer, &goid);
	return 0;
}

// Go < 1.23: time.startTimer(t *runtimeTimer) starts a timer the caller
// allocated (Ticker.r): the pointer is known at entry, when and period are fields.
SEC("uprobe")
int timer_start_old(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 timer = ctx->rax;
	long when = 0, period = 0;
	bpf_probe_read_user(&when, sizeof(when), (void *)(timer + timer_when_offset));
	bpf_probe_read_user(&period, sizeof(period), (void *)(timer + timer_period_offset));
	u64 goid = goid_of(ctx->r14);
	note_deadline(goid, when, period);
	if (period > 0)
		track(ctx, &tickers, timer, EV_TICKER_NEW, goid, period);
	return 0;
}

// time.stopTimer(t): only tickers gate tracks are reported.
SEC("uprobe")
int timer_stop(struct regs *ctx)
{
	if (!traced())
		return 0;
	untrack(&tickers, ctx->rax, EV_TICKER_STOP, goid_of(ctx->r14));
	return 0;
}

// Generic counted probe; the attach cookie is the probe's index in probe_confs.
SEC("uprobe")
int count(struct regs *ctx)
{
	if (!traced())
		return 0;
	u32 index = (u32)bpf_get_attach_cookie(ctx);
	struct probe_conf *conf = bpf_map_lookup_elem(&probe_confs, &index);
	if (!conf)
		return 0;
	if (conf->op) {
		u64 v = arg(ctx, conf->pred_arg);
		long sv = (long)v, want = (long)conf->value;
		int ok = 0;
		switch (conf->op) {
		case 1: ok = v == conf->value; break;
		case 2: ok = v != conf->value; break;
		case 3: ok = sv > want; break;
		case 4: ok = sv < want; break;
		case 5: ok = sv >= want; break;
		case 6: ok = sv <= want; break;
		}
		if (!ok)
			return 0;
	}
	u64 goid = goid_of(ctx->r14);
	struct count_key key = {.probe = index, .root = root_of(goid), .object = 0};
	if (conf->via_goid) {
		u64 *obj = bpf_map_lookup_elem(&thread_object, &goid);
		key.object = obj ? *obj : 0;
	} else if (conf->object_arg) {
		key.object = arg(ctx, conf->object_arg);
		// Remember it for a later probe in the same call on this goroutine.
		bpf_map_update_elem(&thread_object, &goid, &key.object, BPF_ANY);
	}
	u64 one = 1, n = 1;
	u64 *c = bpf_map_lookup_elem(&counts, &key);
	if (c)
		n = __sync_fetch_and_add(c, 1) + 1;
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	if (conf->emit && n <= 4) {
		struct event *e = reserve(EV_PROBE_HIT, goid);
		if (e) {
			e->a = index;
			e->b = key.object;
			e->nframes = entry_stack(ctx, e->frames);
			send(e);
		}
	}
	return 0;
}

// net/http.(*Client).do(c, req): a request starts on this goroutine.
SEC("uprobe")
int client_do_entry(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	struct do_call *d = bpf_map_lookup_elem(&client_do, &goid);
	if (d) {
		d->depth++;
		return 0;
	}
	struct do_call call = {.call = bpf_ktime_get_ns(), .depth = 1};
	bpf_map_update_elem(&client_do, &goid, &call, BPF_ANY);
	return 0;
}

// A RET of net/http.(*Client).do: RAX is the *Response handed to the caller.
// The attach cookie is this RET's address in the binary, so the load bias
// of a PIE binary is rip - cookie.
SEC("uprobe")
int body_returned(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	struct do_call call = {};
	struct do_call *d = bpf_map_lookup_elem(&client_do, &goid);
	if (d) {
		call = *d;
		if (d->depth > 1)
			d->depth--;
		else
			bpf_map_delete_elem(&client_do, &goid);
	}
	if (!ctx->rax)
		return 0;
	u64 bias = ctx->rip - bpf_get_attach_cookie(ctx);
	struct {
		u64 tab;
		u64 data;
	} body = {};
	bpf_probe_read_user(&body, sizeof(body), (void *)(ctx->rax + resp_body_offset));
	// Only bodies with a connection behind them (not http.NoBody).
	u64 itab = body.tab - bias;
	if (!body.data || !bpf_map_lookup_elem(&body_types, &itab))
		return 0;
	// Closed by net/http before it returned it: nothing for the caller to close.
	struct closed_key key = {.goid = goid, .body = body.data};
	u64 *closed = bpf_map_lookup_elem(&closed_in_do, &key);
	if (closed && d && *closed == call.call) {
		bpf_map_delete_elem(&closed_in_do, &key);
		return 0;
	}
	track(ctx, &bodies, body.data, EV_BODY_NEW, goid, 0);
	return 0;
}

// The Close of a body type in body_types: a body we handed out is closed. The
// receiver is the interface's data word: a pointer, or for HTTP/2's
// http2transportResponseBody (one pointer field, value receiver) that field.
// A body not handed out yet, closed during a (*Client).do call on this
// goroutine, is remembered for that call's RET.
SEC("uprobe")
int body_close(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	u64 body = ctx->rax;
	if (bpf_map_lookup_elem(&bodies, &body)) {
		untrack(&bodies, body, EV_BODY_CLOSE, goid);
		return 0;
	}
	struct do_call *d = bpf_map_lookup_elem(&client_do, &goid);
	if (d) {
		struct closed_key key = {.goid = goid, .body = body};
		bpf_map_update_elem(&closed_in_do, &key, &d->call, BPF_ANY);
	}
	return 0;
}

// A body type's Read begins: remember its receiver (the interface's data
// word, as body_close reads it) for the RET.
SEC("uprobe")
int body_read_entry(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	struct body_reads fresh = {};
	struct body_reads *r = bpf_map_lookup_elem(&body_reading, &goid);
	if (!r) {
		bpf_map_update_elem(&body_reading, &goid, &fresh, BPF_ANY);
		r = bpf_map_lookup_elem(&body_reading, &goid);
		if (!r)
			return 0;
	}
	u64 d = r->depth;
	if (d < READ_DEPTH)
		r->body[d] = ctx->rax;
	r->depth = d + 1;
	return 0;
}

// A RET of a body type's Read: results n in RAX, err in RBX (type word) and
// RCX (data). A body read to io.EOF has given its connection back (HTTP/1)
// or ended its stream (HTTP/2): tell userspace, which then reports it, if
// never closed, as a lesser mistake. The cookie is the RET's address, for
// the PIE load bias.
SEC("uprobe")
int body_read_ret(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	struct body_reads *r = bpf_map_lookup_elem(&body_reading, &goid);
	if (!r || !r->depth)
		return 0;
	u64 d = r->depth - 1;
	r->depth = d;
	if (d >= READ_DEPTH || !ctx->rbx)
		return 0;
	u64 body = r->body[d];
	if (!bpf_map_lookup_elem(&bodies, &body))
		return 0;
	u64 bias = ctx->rip - bpf_get_attach_cookie(ctx);
	u64 eof[2] = {};
	if (bpf_probe_read_user(eof, sizeof(eof), (void *)(io_eof_vaddr + bias)))
		return 0;
	if (ctx->rbx != eof[0] || ctx->rcx != eof[1])
		return 0;
	struct event *e = reserve(EV_BODY_EOF, goid);
	if (e) {
		e->a = body;
		send(e);
	}
	return 0;
}

// The runtime prints its gctrace line in gcMarkTermination between printlock
// and printunlock (each print statement nests a pair of its own): the
// goroutines printing there, with their nesting depth. What they write
// through runtime.gwrite is the runtime's own trace; a test that writes
// gctrace-shaped text to stderr does not come through here.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, u64);
	__type(value, u64);
} gc_printing SEC(".maps");

// A CALL of runtime.printlock inside runtime.gcMarkTermination.
SEC("uprobe")
int gc_print_lock(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	u64 one = 1;
	u64 *depth = bpf_map_lookup_elem(&gc_printing, &goid);
	if (depth)
		*depth += 1;
	else
		bpf_map_update_elem(&gc_printing, &goid, &one, BPF_ANY);
	return 0;
}

// A CALL of runtime.printunlock inside runtime.gcMarkTermination.
SEC("uprobe")
int gc_print_unlock(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	u64 *depth = bpf_map_lookup_elem(&gc_printing, &goid);
	if (!depth)
		return 0;
	if (*depth > 1)
		*depth -= 1;
	else
		bpf_map_delete_elem(&gc_printing, &goid);
	return 0;
}

// runtime.gwrite(b []byte): every runtime print goes through it. Inside
// gcMarkTermination's prints, send the bytes (pieces of a line: a number, a
// literal; at most NAME_LEN each).
SEC("uprobe")
int gc_print_write(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 goid = goid_of(ctx->r14);
	if (!bpf_map_lookup_elem(&gc_printing, &goid))
		return 0;
	u64 len = ctx->rbx;
	if (!len)
		return 0;
	struct event *e = reserve(EV_GC_PRINT, goid);
	if (!e)
		return 0;
	e->a = len;
	// 1 to NAME_LEN bytes, in a form the verifier can bound (NAME_LEN is a power of 2).
	u32 n = len > NAME_LEN ? NAME_LEN : (u32)len;
	n = ((n - 1) & (NAME_LEN - 1)) + 1;
	if (bpf_probe_read_user(e->name, n, (void *)ctx->rax))
		e->a = 0;
	send(e);
	return 0;
}

// ---- Probes declared in rule files (call, result, keyed, lifecycle) ----
//
// One program serves every declared probe: the attach cookie carries the
// probe's configuration index (top 16 bits) and the probed instruction's
// address in the binary (low 48 bits, for the load bias of PIE binaries).

#define MAX_PREDS 4
#define MAX_STR 32

enum {
	OP_EQ = 1, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE,
	OP_ANY_BITS, OP_NO_BITS, OP_ALL_BITS, OP_STR_EQ, OP_STR_PREFIX,
};

// A predicate over an argument (at entry or at a CALL) or a result (at a RET).
struct pred {
	u8 slot;      // register slot 1..9 (RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11)
	u8 width;     // bytes of the value: 1, 2, 4, 8 (narrow Go values fill only the low bits)
	u8 is_signed;
	u8 op;
	u8 derefs;    // 0: the register; 1, 2: a field behind the pointer, at off[0] then off[1]
	u8 str_len;   // OP_STR_*: bytes of str compared; the string's length is in slot + 1
	u8 chain;     // 1: the value is the depth of the interface in slot (type word), slot + 1 (data)
	u8 pad;
	u32 off[2];
	u64 value;
	char str[MAX_STR];
};

enum { KEY_NONE = 0, KEY_SLOT = 1, KEY_CALLSITE = 2, KEY_GOROUTINE = 3 };
enum {
	ROLE_COUNT = 0, ROLE_ACQUIRE = 1, ROLE_RELEASE = 2, ROLE_ACQUIRE_CALL = 3,
	ROLE_TIME_START = 4, ROLE_TIME_END = 5,
};
enum { AT_ENTRY = 0, AT_RET = 1, AT_CALL = 2 };

struct decl_conf {
	u32 npreds;
	u32 any;      // 1: one predicate must hold; 0: all
	u32 key_kind;
	u32 key_slot;
	u32 role;
	u32 at;       // where the probe sits: how to find the call stack
	u32 direct;   // 1: only calls whose direct caller is user code
	u32 lifecycle; // acquire and release of one lifecycle share it
	u32 ignore;   // 0, or 1 + the bit of this probe's exclusions in ignore_ranges
	u32 goid_slot; // 0: the goroutine in R14; else the slot of a *g argument (functions on g0)
	u32 key_sub;   // a release's key points this far into the acquired object
	struct pred preds[MAX_PREDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, struct decl_conf);
} decl_confs SEC(".maps");

// The address ranges of user code (neither the Go runtime nor the standard
// library), sorted: the first frame in one of them is a hit's site.
struct code_range {
	u64 start;
	u64 end;
};
#define MAX_RANGES 4096
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_RANGES);
	__type(key, u32);
	__type(value, struct code_range);
} user_ranges SEC(".maps");
volatile const u32 user_range_count = 0;

// Functions whose calls a probe does not count when they stand between the
// probed function and the user's code, or are that code (hits on behalf of
// net/http/httptest, zoneinfo loads, the standard library's own timers, a
// team's test helpers): sorted, each with the set of probes (bits of
// decl_conf.ignore) that exclude it.
struct ignore_range {
	u64 start;
	u64 end;
	u64 sets;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_RANGES);
	__type(key, u32);
	__type(value, struct ignore_range);
} ignore_ranges SEC(".maps");
volatile const u32 ignore_range_count = 0;

// Hits per (probe, test, key, site), aggregated in the kernel.
struct hit_key {
	u32 conf;
	u32 pad;
	u64 root;
	u64 object;
	u64 site;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, struct hit_key);
	__type(value, u64);
} hits SEC(".maps");

// Timed calls under way: (probe, goroutine) -> entry time and site.
struct timing {
	u64 start_ns;
	u64 site;
};
struct time_key {
	u64 conf;
	u64 goid;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct time_key);
	__type(value, struct timing);
} timing SEC(".maps");

// Durations per (probe, test, 0, site): calls, total and longest, aggregated in the kernel.
struct duration_stat {
	u64 calls;
	u64 total_ns;
	u64 max_ns;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 14);
	__type(key, struct hit_key);
	__type(value, struct duration_stat);
} durations SEC(".maps");

// Lifecycle objects acquired and not released yet: (lifecycle, key) -> 1.
struct live_key {
	u64 lifecycle;
	u64 object;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 16);
	__type(key, struct live_key);
	__type(value, u8);
} live SEC(".maps");

// Releases of objects not acquired yet, made while an acquiring call is
// under way on the same goroutine (net/http closes a redirect's refused
// response body before Client.do returns it): the acquisition then skips them.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct live_key);
	__type(value, u8);
} released_early SEC(".maps");

// goid -> lifecycle + 1 of the acquiring call under way on it.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u64);
} acquiring SEC(".maps");

static __always_inline u64 mask_to(u64 v, u32 width, u32 is_signed)
{
	switch (width) {
	case 1: return is_signed ? (u64)(long)(signed char)v : (v & 0xff);
	case 2: return is_signed ? (u64)(long)(short)v : (v & 0xffff);
	case 4: return is_signed ? (u64)(long)(int)v : (v & 0xffffffff);
	}
	return v;
}

static __always_inline int string_matches(struct regs *ctx, const struct pred *p)
{
	u64 ptr = arg(ctx, p->slot);
	u64 len = arg(ctx, p->slot + 1);
	u32 n = p->str_len;
	if (n > MAX_STR)
		return 0;
	if (p->op == OP_STR_EQ ? len != n : len < n)
		return 0;
	if (!n)
		return 1;
	// Compared as four 8-byte words, the bytes past n masked off: no loop
	// over the bytes for the verifier to walk.
	u64 have[MAX_STR / 8] = {}, want[MAX_STR / 8] = {};
	if (bpf_probe_read_user(have, n & (MAX_STR - 1) ? n & (MAX_STR - 1) : MAX_STR, (void *)ptr))
		return 0;
	__builtin_memcpy(want, p->str, MAX_STR);
	u64 diff = 0;
#pragma unroll
	for (int w = 0; w < MAX_STR / 8; w++) {
		u32 from = w * 8;
		u64 mask = n >= from + 8 ? ~0ULL : n <= from ? 0 : (1ULL << ((n - from) * 8)) - 1;
		diff |= (have[w] ^ want[w]) & mask;
	}
	return diff == 0;
}

// The depth of an interface value: how many values deep the interface stored
// first in each dynamic value is the same interface (its itab's first word,
// the interface type, is the argument's). A context.Context made by WithValue,
// WithCancel, WithTimeout... holds its parent there, so this is the number of
// contexts below it (Background: 0). A type that is not such a wrapper ends
// the walk: its first word is no itab of the interface. Stops at `enough`:
// deeper makes no comparison with the rule's value come out otherwise.
#define MAX_CHAIN 1024 // MAX_CHAIN in rules/probe.rs: rules compare depths below it
struct chain_walk {
	u64 inter; // the interface type every link's itab starts with
	u64 data;  // the current value's data word
	u64 depth;
	u64 enough;
};

static long chain_step(u64 i, struct chain_walk *w)
{
	u64 parent[2] = {};
	u64 parent_inter = 0;
	if (i >= w->enough || !w->data || bpf_probe_read_user(parent, 16, (void *)w->data))
		return 1;
	if (!parent[0] || bpf_probe_read_user(&parent_inter, 8, (void *)parent[0]) ||
	    parent_inter != w->inter)
		return 1;
	// From the loop's index, not depth++: a counter the verifier knows
	// exactly gives it a new state at every step.
	w->depth = i + 1;
	w->data = parent[1];
	return 0;
}

// Walked once per hit in handle(), before the predicate loop. A global
// function: verified once on its own, not in the frame of every caller.
__attribute__((noinline)) u64 chain_depth(u64 tab, u64 data, u64 enough)
{
	struct chain_walk w = {.data = data, .enough = enough};
	if (!tab || bpf_probe_read_user(&w.inter, 8, (void *)tab) || !w.inter)
		return 0;
	bpf_loop(MAX_CHAIN, chain_step, &w, 0);
	return w.depth;
}

// `depth`: the chain depth handle() walked for the probe's chain predicate
// (a probe has at most one).
static __always_inline int holds(struct regs *ctx, const struct pred *p, u64 depth)
{
	if (p->op == OP_STR_EQ || p->op == OP_STR_PREFIX)
		return string_matches(ctx, p);
	u64 v = p->chain ? depth : arg(ctx, p->slot);
	for (int i = 0; i < 2; i++) {
		if (i >= p->derefs)
			break;
		u64 next = 0;
		u32 size = (i + 1 == p->derefs) ? p->width : 8;
		if (!v)
			return 0; // a nil pointer has no fields: the predicate does not hold
		if (size == 1)
			bpf_probe_read_user(&next, 1, (void *)(v + p->off[i]));
		else if (size == 2)
			bpf_probe_read_user(&next, 2, (void *)(v + p->off[i]));
		else if (size == 4)
			bpf_probe_read_user(&next, 4, (void *)(v + p->off[i]));
		else
			bpf_probe_read_user(&next, 8, (void *)(v + p->off[i]));
		v = next;
	}
	v = mask_to(v, p->width, p->is_signed);
	long sv = (long)v, want = (long)p->value;
	switch (p->op) {
	case OP_EQ: return v == p->value;
	case OP_NE: return v != p->value;
	case OP_GT: return p->is_signed ? sv > want : v > p->value;
	case OP_LT: return p->is_signed ? sv < want : v < p->value;
	case OP_GE: return p->is_signed ? sv >= want : v >= p->value;
	case OP_LE: return p->is_signed ? sv <= want : v <= p->value;
	case OP_ANY_BITS: return (v & p->value) != 0;
	case OP_NO_BITS: return (v & p->value) == 0;
	case OP_ALL_BITS: return (v & p->value) == p->value;
	}
	return 0;
}

// Binary searches over the sorted range maps, one step per bpf_loop call:
// the verifier checks a callback once, where an unrolled loop nested in the
// frame walk cost it seconds at every load.
struct search {
	u64 vaddr;
	u32 lo, hi;
	u64 found; // user code: 1; exclusions: the range's set of probes
	u32 ignores; // 0: user_ranges; 1: ignore_ranges
};

static long search_step(u64 i, struct search *s)
{
	if (s->lo >= s->hi)
		return 1;
	u32 mid = s->lo + (s->hi - s->lo) / 2;
	u64 start, end, sets = 1;
	if (s->ignores) {
		struct ignore_range *r = bpf_map_lookup_elem(&ignore_ranges, &mid);
		if (!r)
			return 1;
		start = r->start;
		end = r->end;
		sets = r->sets;
	} else {
		struct code_range *r = bpf_map_lookup_elem(&user_ranges, &mid);
		if (!r)
			return 1;
		start = r->start;
		end = r->end;
	}
	if (s->vaddr < start) {
		s->hi = mid;
	} else if (s->vaddr >= end) {
		s->lo = mid + 1;
	} else {
		s->found = sets;
		return 1;
	}
	return 0;
}

static __noinline u64 range_search(u64 vaddr, u32 ignores)
{
	struct search s = {
		.vaddr = vaddr,
		.lo = 0,
		.hi = ignores ? ignore_range_count : user_range_count,
		.found = 0,
		.ignores = ignores,
	};
	bpf_loop(13, search_step, &s, 0); // 2^13 > MAX_RANGES
	return s.found;
}

static __always_inline int in_user_code(u64 vaddr)
{
	return range_search(vaddr, 0) != 0;
}

static __always_inline int ignored_by(u64 vaddr, u32 ignore)
{
	return (range_search(vaddr, 1) >> ((ignore - 1) & 63)) & 1;
}

#define IGNORED (MAX_FRAMES + 1)

struct walk {
	u64 pc, fp, bias, site;
	u32 ignore, depth;
};

static long walk_step(u64 i, struct walk *w)
{
	if (!w->pc)
		return 1;
	if (w->ignore && ignored_by(w->pc - 1 - w->bias, w->ignore)) {
		w->depth = IGNORED;
		return 1;
	}
	if (in_user_code(w->pc - 1 - w->bias)) {
		w->depth = i;
		w->site = w->pc - w->bias;
		return 1;
	}
	u64 frame[2] = {};
	if (!w->fp || bpf_probe_read_user(frame, sizeof(frame), (void *)w->fp))
		return 1;
	w->pc = frame[1];
	w->fp = frame[0];
	return 0;
}

// The site of a hit: the first frame in user code (a return address, in the
// binary's addresses), or 0; *depth is its depth (0: the direct caller), or
// IGNORED when a frame before it, or it, is one of the probe's exclusions.
static __always_inline u64 user_site(struct regs *ctx, u32 at, u64 bias, u32 ignore, u32 *depth)
{
	struct walk w = {.fp = ctx->rbp, .bias = bias, .ignore = ignore, .depth = MAX_FRAMES};
	if (at == AT_CALL)
		w.pc = ctx->rip + 1; // at a CALL inside the probed caller: that CALL is the first frame
	else
		bpf_probe_read_user(&w.pc, sizeof(w.pc), (void *)ctx->rsp);
	bpf_loop(MAX_FRAMES, walk_step, &w, 0);
	*depth = w.depth;
	return w.depth == IGNORED ? 0 : w.site;
}

// Predicates, one per bpf_loop call.
struct preds_ctx {
	struct regs *regs;
	struct decl_conf *conf;
	u64 depth;
	int matched;
};

static long pred_step(u64 i, struct preds_ctx *c)
{
	if (i >= MAX_PREDS)
		return 1;
	int ok = holds(c->regs, &c->conf->preds[i], c->depth);
	if (c->conf->any && ok) {
		c->matched = 1;
		return 1;
	}
	if (!c->conf->any && !ok) {
		c->matched = 0;
		return 1;
	}
	return 0;
}

static __always_inline int handle(struct regs *ctx, u32 index, u64 bias, int chains)
{
	struct decl_conf *conf = bpf_map_lookup_elem(&decl_confs, &index);
	if (!conf)
		return 0;
	if (conf->npreds && conf->role != ROLE_RELEASE) {
		struct preds_ctx pc = {.regs = ctx, .conf = conf, .matched = conf->any ? 0 : 1};
		u32 n = conf->npreds < MAX_PREDS ? conf->npreds : MAX_PREDS;
		// `chains` is a constant: 0 where no predicate can walk a chain (a
		// system call's arguments are integers), so that the syscall
		// program's verification does not pay for the walk.
		if (chains) {
			int at = -1;
#pragma unroll
			for (int i = 0; i < MAX_PREDS; i++)
				if (at < 0 && i < n && conf->preds[i].chain)
					at = i;
			if (at >= 0) {
				const struct pred *p = &conf->preds[at & (MAX_PREDS - 1)];
				pc.depth = chain_depth(arg(ctx, p->slot), arg(ctx, p->slot + 1), p->value + 1);
			}
		}
		bpf_loop(n, pred_step, &pc, 0);
		if (!pc.matched)
			return 0;
	}
	// A function on the system stack (R14 = g0) may take the goroutine it works for.
	u64 goid = goid_of(conf->goid_slot ? arg(ctx, conf->goid_slot) : ctx->r14);
	u64 object = 0;
	if (conf->key_kind == KEY_SLOT)
		object = arg(ctx, conf->key_slot) - conf->key_sub;
	else if (conf->key_kind == KEY_GOROUTINE)
		object = goid;
	struct live_key lk = {.lifecycle = conf->lifecycle, .object = object};
	if (conf->role == ROLE_ACQUIRE_CALL) {
		// The acquiring function starts, its arguments match: what it returns is
		// acquired, and releases on this goroutine count until it returns.
		u64 lc = conf->lifecycle + 1;
		bpf_map_update_elem(&acquiring, &goid, &lc, BPF_ANY);
		return 0;
	}
	if (conf->role == ROLE_RELEASE) {
		if (bpf_map_lookup_elem(&live, &lk)) {
			bpf_map_delete_elem(&live, &lk);
			struct event *e = reserve(EV_RELEASE, goid);
			if (e) {
				e->a = conf->lifecycle;
				e->b = object;
				send(e);
			}
		} else {
			u64 *lc = bpf_map_lookup_elem(&acquiring, &goid);
			if (lc && *lc == conf->lifecycle + 1) {
				u8 one = 1;
				bpf_map_update_elem(&released_early, &lk, &one, BPF_ANY);
			}
		}
		return 0;
	}
	if (conf->role == ROLE_TIME_END) {
		// At a RET: the call's time since its entry, charged to its site. The
		// start's configuration index is in conf->lifecycle.
		struct time_key tk = {.conf = conf->lifecycle, .goid = goid};
		struct timing *t = bpf_map_lookup_elem(&timing, &tk);
		if (!t)
			return 0;
		u64 took = bpf_ktime_get_ns() - t->start_ns;
		struct hit_key key = {.conf = conf->lifecycle, .root = root_of(goid), .object = 0, .site = t->site};
		bpf_map_delete_elem(&timing, &tk);
		struct duration_stat *d = bpf_map_lookup_elem(&durations, &key);
		if (d) {
			__sync_fetch_and_add(&d->calls, 1);
			__sync_fetch_and_add(&d->total_ns, took);
			if (took > d->max_ns)
				d->max_ns = took;
		} else {
			struct duration_stat init = {1, took, took};
			if (bpf_map_update_elem(&durations, &key, &init, BPF_NOEXIST))
				count_lost();
		}
		return 0;
	}
	u32 depth = 0;
	u64 site = user_site(ctx, conf->at, bias, conf->ignore, &depth);
	if (depth == IGNORED || (conf->direct && depth != 0))
		return 0;
	if (conf->role == ROLE_ACQUIRE) {
		if (conf->at == AT_RET) {
			// A result: only calls whose entry (and arguments) were seen.
			u64 *lc = bpf_map_lookup_elem(&acquiring, &goid);
			if (!lc || *lc != conf->lifecycle + 1)
				return 0;
			bpf_map_delete_elem(&acquiring, &goid);
		}
		if (!object)
			return 0;
		if (bpf_map_lookup_elem(&released_early, &lk)) {
			bpf_map_delete_elem(&released_early, &lk);
			return 0;
		}
		u8 one = 1;
		bpf_map_update_elem(&live, &lk, &one, BPF_ANY);
		struct event *e = reserve(EV_ACQUIRE, goid);
		if (!e)
			return 0;
		e->a = conf->lifecycle;
		e->b = object;
		e->c = site;
		if (conf->at == AT_CALL) {
			e->frames[0] = ctx->rip + 1;
			e->nframes = 1;
		} else {
			e->nframes = entry_stack(ctx, e->frames);
		}
		send(e);
		return 0;
	}
	if (conf->role == ROLE_TIME_START) {
		struct time_key tk = {.conf = index, .goid = goid};
		struct timing t = {.start_ns = bpf_ktime_get_ns(), .site = site};
		bpf_map_update_elem(&timing, &tk, &t, BPF_ANY);
		return 0;
	}
	if (conf->key_kind == KEY_CALLSITE)
		object = site;
	struct hit_key key = {.conf = index, .root = root_of(goid), .object = object, .site = site};
	u64 one = 1;
	u64 *c = bpf_map_lookup_elem(&hits, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	else if (bpf_map_update_elem(&hits, &key, &one, BPF_NOEXIST))
		count_lost();
	return 0;
}

/* A global (non-static) function is verified once, on its own, instead of once
 * per call: syscall_exit runs handle() for up to MAX_SYSCALL_CONFS confs, and
 * inlined four times it took the verifier 0.5-0.7 s. */
__attribute__((noinline)) int handle_syscall_conf(struct regs *r, u32 index, u64 bias)
{
	if (!r)
		return 0;
	return handle(r, index, bias, 0);
}

/* runtime.main's entry, once per process, after the runtime parsed GODEBUG:
 * the test binary stops itself here so that gate can switch on debug.gctrace
 * in its memory (the GC reads it at every cycle). GODEBUG=gctrace=1 in the
 * environment would reach every process the tests start. */
SEC("uprobe")
int gctrace_stop(struct regs *ctx)
{
	if (!traced())
		return 0;
	bpf_send_signal(19 /* SIGSTOP */);
	return 0;
}

SEC("uprobe")
int declared(struct regs *ctx)
{
	if (!traced())
		return 0;
	u64 cookie = bpf_get_attach_cookie(ctx);
	return handle(ctx, cookie >> 48, ctx->rip - (cookie & ((1ULL << 48) - 1)), 1);
}

// System calls a rule declares: the syscall number -> up to 4 configurations.
#define MAX_SYSCALL_CONFS 4
struct syscall_confs {
	u32 n;
	u32 conf[MAX_SYSCALL_CONFS];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u64);
	__type(value, struct syscall_confs);
} syscalls SEC(".maps");

// Every system call's return (all processes: the tgid filter comes first). The
// registers are the user's at the SYSCALL, the arguments in RDI, RSI, RDX,
// R10, R8, R9 (slots 4, 5, 10, 8, 6, 7) and the result in RAX (slot 1); Go
// keeps the goroutine in R14 across it (internal/runtime/syscall), so the hit
// is charged to the test like a uprobe's, and placed by its user stack.
// The user registers of a system call, copied here rather than onto the
// program's stack (512 bytes, which the walk and the predicates also need).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct regs);
} syscall_regs SEC(".maps");

SEC("raw_tracepoint")
int syscall_exit(struct bpf_raw_tracepoint_args *ctx)
{
	if (!traced())
		return 0;
	u32 zero = 0;
	struct regs *r = bpf_map_lookup_elem(&syscall_regs, &zero);
	if (!r || bpf_probe_read_kernel(r, sizeof(*r), (void *)ctx->args[0]))
		return 0;
	r->rax = ctx->args[1];
	u64 nr = r->orig_rax;
	struct syscall_confs *sc = bpf_map_lookup_elem(&syscalls, &nr);
	if (!sc)
		return 0;
	u64 *bias = bpf_map_lookup_elem(&load_bias, &zero);
	u64 b = bias ? *bias : 0;
	for (int i = 0; i < MAX_SYSCALL_CONFS; i++) {
		if (i >= sc->n)
			break;
		handle_syscall_conf(r, sc->conf[i], b);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
