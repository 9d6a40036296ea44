//! Interprets what the eBPF engine saw: charges goroutines, tickers,
//! allocations, pool use and probe hits to the test whose goroutine (or an
//! ancestor of it) caused them, and classifies the goroutines still alive
//! when the binary exited.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::bpf::declared::Planned;
use crate::bpf::plan::{POOL_GET, POOL_NEW, POOL_PUT};
use crate::bpf::{BpfEvent, BpfRecord};
use crate::rules::metrics::MetricKind;
use crate::rules::probe::{ProbeKind, ProbeSpec, Until, Whose, display_symbol};
use crate::target::{BinaryInfo, Site};

/// One object a lifecycle metric counts (a leaked goroutine, an unstopped ticker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// The test that created it; None outside any test.
    pub test: Option<String>,
    /// Creation site: the first frame in the user's code.
    pub site: Option<Site>,
    /// What it is, for messages: "goroutine 42 running main.worker, blocked on chan receive".
    pub detail: String,
    /// Its own value where the metric is per object (a pool's reuse ratio).
    pub value: Option<f64>,
    /// Entry function of a goroutine; what a rule's `[[ignore]] entry` matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// Functions of the creation stack, innermost first; what `[[ignore]] created_by` matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created_by: Vec<String>,
    /// Per-object figures other metrics of the same object read (pool.gets...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub figures: BTreeMap<String, f64>,
}

/// Everything the engine contributes, keyed by test name (None: binary scope only).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EngineObservations {
    /// Scalar counters: metric -> test -> value.
    pub counters: BTreeMap<String, BTreeMap<Option<String>, f64>>,
    /// Objects behind lifecycle and per-object metrics: metric -> instances.
    pub instances: BTreeMap<String, Vec<Instance>>,
    /// Events the kernel could not deliver; results are incomplete when non-zero.
    pub lost_events: u64,
    /// Caveats about these observations, shown as warnings.
    pub notes: Vec<String>,
    /// Metrics of probes whose function this binary lacks, with that function:
    /// their rules do not apply here.
    #[serde(default)]
    pub absent: BTreeMap<String, String>,
}

/// Park reasons of goroutines nothing will wake (runtime/runtime2.go waitReason strings).
fn blocks_forever(reason: &str) -> bool {
    reason.starts_with("chan ")
        || reason.starts_with("select")
        || reason.starts_with("sync.")
        || reason == "semacquire"
        || reason == "IO wait"
}

/// A probe a rule file declared, and what the plan made of it in this binary.
#[derive(Debug, Clone)]
pub struct DeclaredProbe<'a> {
    pub spec: &'a ProbeSpec,
    pub planned: Planned,
    /// Per-key ratio metrics (`probe.a/probe.b`) rules read, with this probe as `a`.
    pub ratios: Vec<(String, u32)>,
}

pub fn interpret(
    record: &BpfRecord,
    info: &BinaryInfo,
    wait_reasons: &[String],
    declared: &[DeclaredProbe],
    goroutines_tracked: bool,
) -> EngineObservations {
    let mut out = EngineObservations {
        lost_events: record.aggregates.lost,
        ..Default::default()
    };
    // Test goroutines: tRunner goroutine id -> test name.
    let mut tests: HashMap<u64, String> = HashMap::new();
    for e in &record.events {
        if let BpfEvent::TestStart { goid, name } = e {
            tests.insert(*goid, name.clone());
        }
    }
    let test_of = |root: u64| -> Option<String> { tests.get(&root).cloned() };
    let bump = |out: &mut EngineObservations, metric: &str, test: Option<String>, by: f64| {
        *out.counters
            .entry(metric.to_string())
            .or_default()
            .entry(test)
            .or_default() += by;
    };

    // Goroutines created inside tests, minus those that exited.
    struct Created {
        root: u64,
        entry: u64,
        stack: Vec<u64>,
    }
    let mut alive: BTreeMap<u64, Created> = BTreeMap::new();
    // Every goroutine's creator and creation stack, exited ones included, for ancestry.
    let mut lineage: HashMap<u64, (u64, Vec<u64>)> = HashMap::new();
    let mut tickers: BTreeMap<u64, (u64, u64, Vec<u64>)> = BTreeMap::new(); // timer -> (root, period, stack)
    let mut probe_sites: HashMap<(u32, u64, u64), Vec<u64>> = HashMap::new();
    // body -> (root, stack, read to io.EOF)
    let mut bodies: BTreeMap<u64, (u64, Vec<u64>, bool)> = BTreeMap::new();
    for e in &record.events {
        match e {
            BpfEvent::GoCreate {
                goid,
                root,
                entry,
                stack,
                ..
            } if *root != 0 && !tests.contains_key(goid) => {
                if let BpfEvent::GoCreate { creator, .. } = e {
                    lineage.insert(*goid, (*creator, stack.clone()));
                }
                // The runtime's own helpers (GC mark workers started lazily from a test's
                // allocation) are not the test's goroutines.
                if info
                    .function_at(*entry)
                    .is_some_and(|f| f.starts_with("runtime."))
                {
                    continue;
                }
                bump(&mut out, "goroutines.created", test_of(*root), 1.0);
                alive.insert(
                    *goid,
                    Created {
                        root: *root,
                        entry: *entry,
                        stack: stack.clone(),
                    },
                );
            }
            BpfEvent::GoExit { goid, .. } => {
                alive.remove(goid);
            }
            BpfEvent::TickerNew {
                root,
                timer,
                period_ns,
                stack,
                ..
            } => {
                bump(&mut out, "timers.tickers_created", test_of(*root), 1.0);
                tickers.insert(*timer, (*root, *period_ns, stack.clone()));
            }
            BpfEvent::BodyNew {
                root, body, stack, ..
            } => {
                bump(&mut out, "http.bodies_returned", test_of(*root), 1.0);
                bodies.insert(*body, (*root, stack.clone(), false));
            }
            BpfEvent::BodyClose { body } => {
                if let Some((root, _, _)) = bodies.remove(body) {
                    bump(&mut out, "http.bodies_closed", test_of(root), 1.0);
                }
            }
            BpfEvent::BodyEof { body } => {
                if let Some((_, _, read_to_end)) = bodies.get_mut(body) {
                    *read_to_end = true;
                }
            }
            BpfEvent::TickerStop { timer, .. } => {
                if let Some((root, _, _)) = tickers.remove(timer) {
                    bump(&mut out, "timers.tickers_stopped", test_of(root), 1.0);
                }
            }
            BpfEvent::ProbeHit {
                root,
                probe,
                object,
                stack,
                ..
            } => {
                probe_sites
                    .entry((*probe, *root, *object))
                    .or_insert_with(|| stack.clone());
            }
            _ => {}
        }
    }

    // Every test that ran under the engine has a value of each built-in metric
    // whose absence means zero (the registry says which), zero included.
    for def in crate::rules::metrics::METRICS
        .iter()
        .filter(|m| m.signal.needs_ebpf() && m.unseen == crate::rules::metrics::Unseen::Zero)
    {
        match def.kind {
            MetricKind::Scalar => {
                for name in tests.values() {
                    bump(&mut out, def.name, Some(name.clone()), 0.0);
                }
            }
            MetricKind::Lifecycle | MetricKind::Sited | MetricKind::PerObject => {
                if !tests.is_empty() {
                    out.instances.entry(def.name.to_string()).or_default();
                }
            }
        }
    }

    // Goroutines alive at exit, as the exit snapshot (os.Exit) saw them.
    let mut snapshot: Option<HashMap<u64, (u32, u8)>> = None;
    for e in &record.events {
        match e {
            BpfEvent::GoAlive {
                goid,
                status,
                wait_reason,
                ..
            } => {
                snapshot
                    .get_or_insert_with(HashMap::new)
                    .insert(*goid, (*status, *wait_reason));
            }
            BpfEvent::Exit { .. } => {
                snapshot.get_or_insert_with(HashMap::new);
            }
            _ => {}
        }
    }
    // Without the goroutine probes (exits, exit snapshot) "alive" means nothing.
    if !goroutines_tracked {
        alive.clear();
        for metric in ["goroutines.leaked", "goroutines.lingering"] {
            out.instances.remove(metric);
        }
    }
    if snapshot.is_none() && !alive.is_empty() {
        out.notes.push(
            "the binary did not exit through os.Exit (crash or signal): the goroutines still running \
             were not judged (a crash stops them wherever they are)"
                .into(),
        );
    }
    let deadlines: HashMap<u64, u64> = record.aggregates.timer_deadlines.iter().copied().collect();
    for (goid, g) in &alive {
        let entry_fn = info.function_at(g.entry).unwrap_or("?").to_string();
        let (state, leaked): (String, bool) = match snapshot.as_ref().map(|s| s.get(goid)) {
            // A crash stops every goroutine wherever it is: nothing to judge.
            None => continue,
            // Exited between its last event and the snapshot.
            Some(None) => continue,
            Some(Some(&(status, code))) => match status {
                4 => {
                    let reason = wait_reasons
                        .get(code as usize)
                        .cloned()
                        .unwrap_or_else(|| format!("wait reason {code}"));
                    let own_timer_pending = deadlines
                        .get(goid)
                        .is_some_and(|&when| when > record.aggregates.finished_at_ns);
                    let timed = reason.starts_with("select") && own_timer_pending;
                    let leaked = blocks_forever(&reason) && !timed;
                    let state = if timed {
                        format!("{reason} with a pending timer")
                    } else {
                        reason
                    };
                    (state, leaked)
                }
                1 => ("runnable".to_string(), false),
                2 => ("running".to_string(), false),
                3 => ("in a system call".to_string(), false),
                9 => ("preempted".to_string(), false),
                other => (format!("runtime status {other}"), false),
            },
        };
        // Still at work at exit but not stuck: a note only where the goroutine
        // runs the team's own code. The standard library's (net/http's
        // connection goroutines winding down after a body was closed) come
        // and go with timing from one run to the next: no evidence.
        if !leaked && !info.is_user_function(&entry_fn) {
            continue;
        }
        let instance = Instance {
            test: test_of(g.root),
            site: info
                .user_site(&g.stack)
                .or_else(|| ancestor_site(*goid, &lineage, info)),
            // No goroutine id or address: they change from run to run, and
            // SARIF identifies an alert by its message and place.
            detail: format!("a goroutine running {entry_fn}, {state} at exit"),
            value: None,
            created_by: functions_of(&g.stack, info),
            entry: Some(entry_fn),
            figures: BTreeMap::new(),
        };
        let metric = if leaked {
            "goroutines.leaked"
        } else {
            "goroutines.lingering"
        };
        out.instances
            .entry(metric.to_string())
            .or_default()
            .push(instance);
    }

    for (root, period, stack) in tickers.values() {
        out.instances
            .entry("timers.tickers_unstopped".into())
            .or_default()
            .push(Instance {
                test: test_of(*root),
                site: info.user_site(stack),
                detail: format!(
                    "a time.Ticker (period {}) never stopped",
                    fmt_period(*period)
                ),
                value: None,
                entry: None,
                created_by: functions_of(stack, info),
                figures: BTreeMap::new(),
            });
    }

    for (root, stack, read_to_end) in bodies.values() {
        // Read to io.EOF, the body gave its connection back already.
        let (metric, detail) = if *read_to_end {
            (
                "http.bodies_unclosed_read",
                "a response body read to its end but never closed",
            )
        } else {
            ("http.bodies_unclosed", "a response body never closed")
        };
        out.instances
            .entry(metric.into())
            .or_default()
            .push(Instance {
                test: test_of(*root),
                site: info.user_site(stack),
                detail: detail.to_string(),
                value: None,
                entry: None,
                created_by: functions_of(stack, info),
                figures: BTreeMap::new(),
            });
    }

    for &(root, objects, bytes) in &record.aggregates.allocs {
        let test = if root == 0 { None } else { test_of(root) };
        bump(&mut out, "alloc.objects", test.clone(), objects as f64);
        bump(&mut out, "alloc.bytes", test, bytes as f64);
    }

    // sync.Pool use per (test, pool).
    let mut pools: BTreeMap<(Option<String>, u64), [u64; 3]> = BTreeMap::new();
    for &(probe, root, object, hits) in &record.aggregates.counts {
        let test = test_of(root);
        match probe {
            POOL_GET | POOL_NEW | POOL_PUT => {
                pools.entry((test, object)).or_default()[probe as usize] += hits;
            }
            _ => {}
        }
    }
    declared_probes(&mut out, record, info, declared, &tests);
    for ((test, pool), [gets, news, puts]) in pools {
        let name = info
            .variable_at(pool)
            .map(str::to_string)
            .unwrap_or_else(|| format!("sync.Pool at {pool:#x}"));
        bump(&mut out, "pool.gets", test.clone(), gets as f64);
        bump(&mut out, "pool.news", test.clone(), news as f64);
        bump(&mut out, "pool.puts", test.clone(), puts as f64);
        let reuse = if gets == 0 {
            1.0
        } else {
            1.0 - news as f64 / gets as f64
        };
        let site = probe_sites.get(&(POOL_GET, 0, pool)).or_else(|| {
            probe_sites
                .iter()
                .find(|((p, _, o), _)| *p == POOL_GET && *o == pool)
                .map(|(_, s)| s)
        });
        let figures = BTreeMap::from([
            ("pool.gets".to_string(), gets as f64),
            ("pool.news".to_string(), news as f64),
            ("pool.puts".to_string(), puts as f64),
        ]);
        out.instances
            .entry("pool.reuse_ratio".into())
            .or_default()
            .push(Instance {
                test,
                site: site.and_then(|s| info.user_site(s)),
                detail: format!(
                    "{name}: {gets} Get, {news} New, {puts} Put, reuse {:.0}%",
                    reuse * 100.0
                ),
                value: Some((reuse * 1000.0).round() / 1000.0),
                entry: None,
                created_by: Vec::new(),
                figures,
            });
    }
    out
}

/// A finding's place: the test, and the site's file and line.
pub type SiteKey = (Option<String>, Option<(String, u32)>);

/// Whether a call site belongs to the code a probe counts.
fn counts_site(whose: Whose, site: Option<&Site>) -> bool {
    match (whose, site) {
        (Whose::Any, _) => true,
        (_, None) => false,
        (Whose::UnderTest, Some(s)) => !s.file.ends_with("_test.go"),
        (Whose::Tests, Some(s)) => s.file.ends_with("_test.go"),
    }
}

/// Charges the hits of declared probes (aggregated per test, key and site in
/// the kernel) and the lifecycles' acquisitions still held.
fn declared_probes(
    out: &mut EngineObservations,
    record: &BpfRecord,
    info: &BinaryInfo,
    declared: &[DeclaredProbe],
    tests: &HashMap<u64, String>,
) {
    let test_of = |root: u64| -> Option<String> { tests.get(&root).cloned() };
    let mut sites: HashMap<u64, Option<Site>> = HashMap::new();
    let mut site_of = |pc: u64| -> Option<Site> {
        if pc == 0 {
            return None;
        }
        sites
            .entry(pc)
            .or_insert_with(|| info.user_site(&[pc]))
            .clone()
    };
    for d in declared {
        let spec = d.spec;
        let metric = |i: usize| spec.metrics[i].name.to_string();
        match &d.planned {
            Planned::Absent { symbol } => {
                for m in &spec.metrics {
                    out.absent.insert(m.name.to_string(), symbol.clone());
                }
                for (ratio, _) in &d.ratios {
                    out.absent.insert(ratio.clone(), symbol.clone());
                }
            }
            Planned::Counted { conf } => {
                // (test, site) -> hits; (test, key) -> (hits, first site)
                let mut by_site: BTreeMap<SiteKey, (f64, Option<Site>)> = BTreeMap::new();
                let mut by_key: BTreeMap<(Option<String>, u64), (f64, Option<Site>)> =
                    BTreeMap::new();
                for &(c, root, object, site_pc, n) in &record.aggregates.hits {
                    if c != *conf {
                        continue;
                    }
                    let site = site_of(site_pc);
                    if !counts_site(spec.whose, site.as_ref()) {
                        continue;
                    }
                    let test = test_of(root);
                    let where_ = site.as_ref().map(|s| (s.file.clone(), s.line));
                    let e = by_site
                        .entry((test.clone(), where_))
                        .or_insert((0.0, site.clone()));
                    e.0 += n as f64;
                    let k = by_key.entry((test, object)).or_insert((0.0, site));
                    k.0 += n as f64;
                }
                let name = metric(0);
                let verb = if spec.kind == ProbeKind::Result {
                    "returns"
                } else {
                    "calls"
                };
                let instances = out.instances.entry(name.clone()).or_default();
                for ((test, _), (n, site)) in &by_site {
                    instances.push(Instance {
                        test: test.clone(),
                        site: site.clone(),
                        detail: format!(
                            "{} {verb} of {}",
                            fmt_count(*n),
                            display_symbol(&spec.point.symbol)
                        ),
                        value: Some(*n),
                        entry: None,
                        created_by: Vec::new(),
                        figures: BTreeMap::new(),
                    });
                }
                if spec.kind == ProbeKind::Keyed {
                    let keys = metric(1);
                    let per_key = metric(2);
                    out.counters.entry(keys.clone()).or_default();
                    for (test, _) in by_key.keys() {
                        *out.counters
                            .entry(keys.clone())
                            .or_default()
                            .entry(test.clone())
                            .or_default() += 1.0;
                    }
                    let objects = out.instances.entry(per_key).or_default();
                    for ((test, object), (n, site)) in &by_key {
                        objects.push(Instance {
                            test: test.clone(),
                            site: site.clone(),
                            detail: format!(
                                "{} calls of {} on {}",
                                fmt_count(*n),
                                display_symbol(&spec.point.symbol),
                                name_of(info, *object)
                            ),
                            value: Some(*n),
                            entry: None,
                            created_by: Vec::new(),
                            figures: BTreeMap::new(),
                        });
                    }
                    for (ratio, other) in &d.ratios {
                        let mut denominators: HashMap<(Option<String>, u64), f64> = HashMap::new();
                        for &(c, root, object, site_pc, n) in &record.aggregates.hits {
                            if c == *other && counts_site(spec.whose, site_of(site_pc).as_ref()) {
                                *denominators.entry((test_of(root), object)).or_default() +=
                                    n as f64;
                            }
                        }
                        let objects = out.instances.entry(ratio.clone()).or_default();
                        for ((test, object), (n, site)) in &by_key {
                            let below = denominators
                                .get(&(test.clone(), *object))
                                .copied()
                                .unwrap_or(0.0);
                            let value = if below > 0.0 { *n / below } else { *n };
                            objects.push(Instance {
                                test: test.clone(),
                                site: site.clone(),
                                detail: format!(
                                    "{} on {}: {} to {}",
                                    ratio,
                                    name_of(info, *object),
                                    fmt_count(*n),
                                    fmt_count(below)
                                ),
                                value: Some((value * 1000.0).round() / 1000.0),
                                entry: None,
                                created_by: Vec::new(),
                                // Both sides' counts, for an only_if on either.
                                figures: BTreeMap::from([
                                    (format!("{name}.per_key"), *n),
                                    (
                                        format!(
                                            "{}.per_key",
                                            ratio.split_once('/').map_or("", |(_, b)| b)
                                        ),
                                        below,
                                    ),
                                ]),
                            });
                        }
                    }
                }
            }
            Planned::Timed { conf } => {
                let (max_name, calls_name) = (metric(1), metric(2));
                let mut by_site: BTreeMap<SiteKey, ([u64; 3], Option<Site>)> = BTreeMap::new();
                for &(c, root, site_pc, [calls, total, max]) in &record.aggregates.durations {
                    if c != *conf {
                        continue;
                    }
                    let site = site_of(site_pc);
                    if !counts_site(spec.whose, site.as_ref()) {
                        continue;
                    }
                    let test = test_of(root);
                    let where_ = site.as_ref().map(|s| (s.file.clone(), s.line));
                    let e = by_site.entry((test, where_)).or_insert(([0; 3], site));
                    e.0[0] += calls;
                    e.0[1] += total;
                    e.0[2] = e.0[2].max(max);
                }
                let ms = |ns: u64| (ns as f64 / 1e4).round() / 100.0;
                let instances = out.instances.entry(metric(0)).or_default();
                for ((test, _), ([calls, total, max], site)) in &by_site {
                    instances.push(Instance {
                        test: test.clone(),
                        site: site.clone(),
                        detail: format!(
                            "{calls} calls of {}, {} ms in all, the longest {} ms",
                            display_symbol(&spec.point.symbol),
                            crate::units::fmt_num(ms(*total)),
                            crate::units::fmt_num(ms(*max))
                        ),
                        value: Some(ms(*total)),
                        entry: None,
                        created_by: Vec::new(),
                        figures: BTreeMap::new(),
                    });
                    let longest = out
                        .counters
                        .entry(max_name.clone())
                        .or_default()
                        .entry(test.clone())
                        .or_default();
                    *longest = longest.max(ms(*max));
                    *out.counters
                        .entry(calls_name.clone())
                        .or_default()
                        .entry(test.clone())
                        .or_default() += *calls as f64;
                }
            }
            Planned::Lifecycle { lifecycle } => {
                struct Held {
                    root: u64,
                    site: Option<Site>,
                    stack: Vec<u64>,
                    outlived_test: bool,
                }
                let mut held: BTreeMap<u64, Held> = BTreeMap::new();
                let (acquired, released) = (metric(1), metric(2));
                for name in [&acquired, &released] {
                    out.counters.entry(name.clone()).or_default();
                }
                for e in &record.events {
                    match e {
                        BpfEvent::Acquire {
                            root,
                            lifecycle: l,
                            object,
                            site,
                            stack,
                            ..
                        } if l == lifecycle => {
                            let site = site_of(*site);
                            if !counts_site(spec.whose, site.as_ref()) {
                                continue;
                            }
                            *out.counters
                                .entry(acquired.clone())
                                .or_default()
                                .entry(test_of(*root))
                                .or_default() += 1.0;
                            held.insert(
                                *object,
                                Held {
                                    root: *root,
                                    site,
                                    stack: stack.clone(),
                                    outlived_test: false,
                                },
                            );
                        }
                        BpfEvent::Release {
                            lifecycle: l,
                            object,
                            ..
                        } if l == lifecycle => {
                            if let Some(h) = held.remove(object) {
                                *out.counters
                                    .entry(released.clone())
                                    .or_default()
                                    .entry(test_of(h.root))
                                    .or_default() += 1.0;
                                if h.outlived_test {
                                    held.insert(*object, Held { ..h });
                                }
                            }
                        }
                        // The test's own goroutine ended: what it still holds outlived it.
                        BpfEvent::GoExit { goid, root }
                            if spec.until == Until::Test && goid == root =>
                        {
                            for h in held.values_mut().filter(|h| h.root == *goid) {
                                h.outlived_test = true;
                            }
                        }
                        _ => {}
                    }
                }
                // Objects still held, one finding per test and acquiring site, with their count.
                let when = match spec.until {
                    Until::Exit => "by the end of the test binary",
                    Until::Test => "by the end of its test",
                };
                let mut grouped: BTreeMap<SiteKey, (f64, Option<Site>, Vec<u64>)> = BTreeMap::new();
                for h in held
                    .values()
                    .filter(|h| spec.until == Until::Exit || h.outlived_test)
                {
                    let site = h.site.clone().or_else(|| info.user_site(&h.stack));
                    let key = (
                        test_of(h.root),
                        site.as_ref().map(|s| (s.file.clone(), s.line)),
                    );
                    grouped.entry(key).or_insert((0.0, site, h.stack.clone())).0 += 1.0;
                }
                let instances = out.instances.entry(metric(0)).or_default();
                for ((test, _), (n, site, stack)) in grouped {
                    instances.push(Instance {
                        test,
                        site,
                        detail: format!(
                            "{} acquired by {} and not released by {} {when}",
                            fmt_count(n),
                            display_symbol(&spec.point.symbol),
                            spec.release
                                .as_ref()
                                .map_or(String::new(), |r| display_symbol(&r.symbol))
                        ),
                        value: Some(n),
                        entry: None,
                        created_by: functions_of(&stack, info),
                        figures: BTreeMap::new(),
                    });
                }
            }
        }
    }
    // Every test that ran has a value of every counted metric, zero included.
    for d in declared
        .iter()
        .filter(|d| !matches!(d.planned, Planned::Absent { .. }))
    {
        for m in &d.spec.metrics {
            if m.kind == MetricKind::Scalar {
                for name in tests.values() {
                    out.counters
                        .entry(m.name.to_string())
                        .or_default()
                        .entry(Some(name.clone()))
                        .or_default();
                }
            } else {
                out.instances.entry(m.name.to_string()).or_default();
            }
        }
        for (ratio, _) in &d.ratios {
            out.instances.entry(ratio.clone()).or_default();
        }
    }
}

fn fmt_count(n: f64) -> String {
    crate::units::fmt_num(n)
}

/// A key as a person reads it: a package variable's name, else its address class.
fn name_of(info: &BinaryInfo, object: u64) -> String {
    info.variable_at(object)
        .map(str::to_string)
        .unwrap_or_else(|| "one object".to_string())
}

/// The functions of a call stack (return addresses, innermost first).
fn functions_of(stack: &[u64], info: &BinaryInfo) -> Vec<String> {
    stack
        .iter()
        .filter_map(|pc| info.function_at(pc.saturating_sub(1)))
        .map(str::to_string)
        .collect()
}

/// A goroutine started inside a library (net/http's connection goroutines)
/// has no user frame in its own creation stack: use its creator's site.
fn ancestor_site(
    goid: u64,
    lineage: &HashMap<u64, (u64, Vec<u64>)>,
    info: &BinaryInfo,
) -> Option<Site> {
    let mut current = goid;
    for _ in 0..32 {
        let (creator, _) = lineage.get(&current)?;
        let (_, stack) = lineage.get(creator)?;
        if let Some(site) = info.user_site(stack) {
            return Some(site);
        }
        current = *creator;
    }
    None
}

fn fmt_period(ns: u64) -> String {
    if ns.is_multiple_of(1_000_000_000) {
        format!("{}s", ns / 1_000_000_000)
    } else if ns.is_multiple_of(1_000_000) {
        format!("{}ms", ns / 1_000_000)
    } else {
        format!("{}µs", ns / 1_000)
    }
}
