//! Plans the probes rule files declare (`[[probe]]`: call, result, keyed,
//! lifecycle) for one binary: which instructions to attach the generic
//! `declared` program to, and the configuration it reads there (struct
//! decl_conf in gate.bpf.c). Arguments named in a rule are resolved to
//! registers, widths and field offsets from the binary's DWARF.

use std::collections::HashMap;

use crate::rules::probe::{Key, Op, ParamRef, ProbeKind, ProbePoint, ProbeSpec, Value};
use crate::target::BinaryInfo;
use crate::target::inspect::is_symbol_pattern;
use crate::target::params::{self, Param, Placement};
use crate::target::probes;

use super::plan::Attachment;

pub const MAX_PREDS: usize = 4;
pub const MAX_STR: usize = 32;
/// Configurations the decl_confs map holds.
pub const MAX_CONFS: usize = 256;

/// struct pred in gate.bpf.c.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RawPred {
    pub slot: u8,
    pub width: u8,
    pub is_signed: u8,
    pub op: u8,
    pub derefs: u8,
    pub str_len: u8,
    /// 1: the value is the depth of the interface in `slot` (type word) and `slot + 1` (data word).
    pub chain: u8,
    pub pad: u8,
    pub off: [u32; 2],
    pub value: u64,
    pub str: [u8; MAX_STR],
}

/// struct decl_conf in gate.bpf.c.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeclConf {
    pub npreds: u32,
    pub any: u32,
    pub key_kind: u32,
    pub key_slot: u32,
    pub role: u32,
    pub at: u32,
    pub direct: u32,
    pub lifecycle: u32,
    pub ignore: u32,
    pub goid_slot: u32,
    /// A release's key minus this is the acquired object's (see `key_offset`).
    pub key_sub: u32,
    pub preds: [RawPred; MAX_PREDS],
}

const KEY_SLOT: u32 = 1;
const KEY_CALLSITE: u32 = 2;
const KEY_GOROUTINE: u32 = 3;
const ROLE_COUNT: u32 = 0;
const ROLE_ACQUIRE: u32 = 1;
const ROLE_RELEASE: u32 = 2;
const ROLE_ACQUIRE_CALL: u32 = 3;
const ROLE_TIME_START: u32 = 4;
const ROLE_TIME_END: u32 = 5;
// The predicate operators of gate.bpf.c.
const OP_EQ: u8 = 1;
const OP_NE: u8 = 2;
const OP_GT: u8 = 3;
const OP_LT: u8 = 4;
const OP_GE: u8 = 5;
const OP_LE: u8 = 6;
const OP_ANY_BITS: u8 = 7;
const OP_NO_BITS: u8 = 8;
const OP_ALL_BITS: u8 = 9;
const OP_STR_EQ: u8 = 10;
const OP_STR_PREFIX: u8 = 11;
const AT_ENTRY: u32 = 0;
const AT_RET: u32 = 1;
const AT_CALL: u32 = 2;

/// What became of one declared probe in this binary.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    /// Counted under this configuration index (call, result, keyed).
    Counted { conf: u32 },
    /// A lifecycle, by its number (acquire and release events carry it).
    Lifecycle { lifecycle: u32 },
    /// Timed under this configuration index (its entry's).
    Timed { conf: u32 },
    /// The binary lacks the function: the probe's rules do not apply to it.
    Absent { symbol: String },
}

#[derive(Debug, Clone, Default)]
pub struct DeclaredPlan {
    pub attachments: Vec<Attachment>,
    pub confs: Vec<(u32, DeclConf)>,
    /// One per probe given to `plan`, in order.
    pub planned: Vec<Planned>,
    /// Address ranges of user code, for the sites of hits.
    pub user_ranges: Vec<(u64, u64)>,
    /// Functions probes exclude hits through: (start, end, bits of the probes).
    pub ignore_ranges: Vec<(u64, u64, u64)>,
    /// Things worth a warning (a probed function the compiler likely inlines).
    pub notes: Vec<String>,
    /// System calls counted: (number, configuration).
    pub syscalls: Vec<(u64, u32)>,
}

/// A rule's probe that cannot be planned here, and why: the rule file must change.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    pub probe: String,
    pub symbol: String,
    pub message: String,
    /// A mistake in the rule itself, whatever the binary (an error even where
    /// a probe that does not resolve would only be not applicable).
    pub in_the_rule: bool,
}

/// A function small enough that the compiler inlines it at most call sites.
const INLINABLE_BYTES: u64 = 80;

pub fn plan(info: &BinaryInfo, specs: &[&ProbeSpec]) -> Result<DeclaredPlan, PlanError> {
    let mut out = DeclaredPlan::default();
    if specs.is_empty() {
        return Ok(out);
    }
    // Every function named, and every field path, resolved in one DWARF pass.
    let mut symbols: Vec<String> = Vec::new();
    let mut fields: Vec<(String, String, Vec<String>)> = Vec::new();
    for spec in specs {
        for point in points(spec) {
            for f in info.functions_matching(&point.symbol) {
                for p in &point.predicates {
                    if let (ParamRef::Name(n), false) =
                        (&p.operand.param, p.operand.field.is_empty())
                    {
                        for name in n.split('|') {
                            fields.push((f.clone(), name.to_string(), p.operand.field.clone()));
                        }
                    }
                }
                symbols.push(f);
            }
        }
    }
    symbols.sort();
    symbols.dedup();
    let needs_dwarf = specs.iter().any(|s| {
        points(s).any(|p| {
            p.predicates.iter().any(|q| {
                matches!(q.operand.param, ParamRef::Name(_)) || !q.operand.field.is_empty()
            }) || matches!(
                &p.key,
                Key::Param {
                    param: ParamRef::Name(_),
                    ..
                }
            )
        })
    });
    let (signatures, paths) = if needs_dwarf {
        let plan_error = |message| PlanError {
            probe: String::new(),
            symbol: String::new(),
            message,
            in_the_rule: false,
        };
        let sections = info.type_sections().map_err(plan_error)?;
        let names: Vec<&str> = symbols.iter().map(String::as_str).collect();
        params::read(sections, &names, &fields).map_err(|message| PlanError {
            probe: String::new(),
            symbol: String::new(),
            message,
            in_the_rule: false,
        })?
    } else {
        (HashMap::new(), HashMap::new())
    };
    out.user_ranges = info.user_code_ranges();
    // Every direct CALL in user code, by target: where `direct` probes attach.
    let user_calls = probes::call_targets(info, &out.user_ranges);
    // Each probe with exclusions gets a bit; every function a pattern names, a range.
    let mut ignore_bit: Vec<u32> = Vec::new();
    let mut excluded: std::collections::BTreeMap<u64, (u64, u64)> = Default::default();
    let mut bits = 0u32;
    for spec in specs {
        if spec.ignore.is_empty() {
            ignore_bit.push(0);
            continue;
        }
        if bits == 64 {
            return Err(PlanError {
                probe: spec.name.clone(),
                symbol: spec.point.symbol.clone(),
                message: "more than 64 probes declare `ignore` patterns".into(),
                in_the_rule: false,
            });
        }
        bits += 1;
        ignore_bit.push(bits);
        for pattern in &spec.ignore {
            for f in info.functions_matching(pattern) {
                if let Some((addr, size)) = info.function(&f) {
                    let e = excluded.entry(addr).or_insert((addr + size.max(1), 0));
                    e.1 |= 1 << (bits - 1);
                }
            }
        }
    }
    out.ignore_ranges = excluded
        .into_iter()
        .map(|(start, (end, sets))| (start, end, sets))
        .collect();
    let mut next_conf = 0u32;
    let mut lifecycles = 0u32;
    for (spec, &ignore) in specs.iter().zip(&ignore_bit) {
        if spec.kind == ProbeKind::Syscall {
            let name = spec.point.symbol.trim_start_matches("syscall:");
            let Some(call) = crate::rules::syscalls::lookup(name) else {
                continue;
            };
            let index = next_conf;
            next_conf += 1;
            let c = conf(
                spec,
                &spec.point,
                &spec.point.symbol,
                ROLE_COUNT,
                AT_CALL,
                0,
                None,
                &paths,
            )?;
            out.confs.push((index, DeclConf { ignore, ..c }));
            out.syscalls.push((call.number, index));
            out.planned.push(Planned::Counted { conf: index });
            continue;
        }
        let functions = info.functions_matching(&spec.point.symbol);
        if functions.is_empty() {
            out.planned.push(Planned::Absent {
                symbol: spec.point.symbol.clone(),
            });
            continue;
        }
        // Parameters and fields are the binary's: Go releases rename them (the
        // receiver of net/http.(*Server).Serve is `srv` in Go 1.22, `s` in 1.26).
        // Where they do not resolve, the probe does not apply to this binary.
        let release_fns = spec
            .release
            .as_ref()
            .map(|r| (r, info.functions_matching(&r.symbol)));
        let unresolved = functions
            .iter()
            .map(|f| (&spec.point, f))
            .chain(
                release_fns
                    .iter()
                    .flat_map(|(r, fs)| fs.iter().map(move |f| (*r, f))),
            )
            .find_map(|(point, f)| {
                conf(
                    spec,
                    point,
                    f,
                    ROLE_COUNT,
                    AT_ENTRY,
                    0,
                    signatures.get(f),
                    &paths,
                )
                .err()
            });
        if let Some(e) = unresolved {
            if spec.required || e.in_the_rule {
                return Err(e);
            }
            out.notes.push(format!(
                "probe {}: {}: {}; its rules do not apply to this binary",
                spec.name, e.symbol, e.message
            ));
            out.planned.push(Planned::Absent {
                symbol: format!("{} as the rule describes it ({})", e.symbol, e.message),
            });
            continue;
        }
        let confs_of = |role: u32,
                        at: u32,
                        point: &ProbePoint,
                        function: &str,
                        lifecycle: u32|
         -> Result<DeclConf, PlanError> {
            conf(
                spec,
                point,
                function,
                role,
                at,
                lifecycle,
                signatures.get(function),
                &paths,
            )
            .map(|c| DeclConf { ignore, ..c })
        };
        match spec.kind {
            ProbeKind::Call | ProbeKind::Keyed | ProbeKind::Result => {
                let index = next_conf;
                next_conf += 1;
                // Calls made directly by user code are probed at those CALLs: the
                // standard library's own calls of a hot function cost nothing then.
                let user_sites = spec.direct && spec.point.inside.is_none();
                let at = match (spec.kind, &spec.point.inside) {
                    (ProbeKind::Result, _) => AT_RET,
                    (_, Some(_)) => AT_CALL,
                    _ if user_sites => AT_CALL,
                    _ => AT_ENTRY,
                };
                let mut conf = None;
                for f in &functions {
                    let c = confs_of(ROLE_COUNT, at, &spec.point, f, 0)?;
                    // Every matching function (generic shapes) shares the first one's configuration.
                    conf.get_or_insert(c);
                    if user_sites && spec.kind != ProbeKind::Result {
                        let addr = info.function(f).map_or(0, |(a, _)| a);
                        for site in user_calls.get(&addr).into_iter().flatten() {
                            // A call whose constant arguments fail the predicates never counts:
                            // `strings.Replace(s, "_", "", -1)` in a loop trapped 1.9M times.
                            if never_holds(&c, &site.constants) {
                                continue;
                            }
                            let (offset, vaddr) = (site.offset, site.vaddr);
                            out.attachments.push(Attachment {
                                program: "declared",
                                symbol: format!("{f} (called from your code)"),
                                offset,
                                cookie: (u64::from(index) << 48) | vaddr,
                            });
                        }
                    } else {
                        attach(
                            info,
                            &mut out,
                            spec,
                            f,
                            at,
                            index,
                            spec.point.inside.as_deref(),
                        )?;
                    }
                }
                if let Some(c) = conf {
                    out.confs.push((index, c));
                }
                out.planned.push(Planned::Counted { conf: index });
            }
            // Syscalls are planned above, without a function; allocation scopes
            // read the heap profile, not the kernel (the pipeline keeps them out).
            ProbeKind::Syscall | ProbeKind::Alloc => {
                unreachable!("{} probes are not planned here", spec.kind.as_str())
            }
            ProbeKind::Duration => {
                // Entry: the time and the site; the RETs: the time since, charged to that site.
                let start = next_conf;
                next_conf += 1;
                let mut conf = None;
                for f in &functions {
                    conf.get_or_insert(confs_of(ROLE_TIME_START, AT_ENTRY, &spec.point, f, 0)?);
                    attach(info, &mut out, spec, f, AT_ENTRY, start, None)?;
                }
                if let Some(c) = conf {
                    out.confs.push((start, c));
                }
                let end = next_conf;
                next_conf += 1;
                let ret = ProbePoint {
                    predicates: Vec::new(),
                    ..spec.point.clone()
                };
                let mut conf = None;
                for f in &functions {
                    conf.get_or_insert(confs_of(ROLE_TIME_END, AT_RET, &ret, f, start)?);
                    attach(info, &mut out, spec, f, AT_RET, end, None)?;
                }
                if let Some(c) = conf {
                    out.confs.push((end, c));
                }
                out.planned.push(Planned::Timed { conf: start });
            }
            ProbeKind::Lifecycle => {
                let lifecycle = lifecycles;
                lifecycles += 1;
                let release = spec.release.as_ref().expect("a lifecycle has a release");
                // A binary without the release function never releases: the acquire alone decides.
                let release_fns = info.functions_matching(&release.symbol);
                let by_result = matches!(spec.point.key, Key::Param { result: true, .. });
                for f in &functions {
                    let index = next_conf;
                    next_conf += 1;
                    if by_result {
                        // At entry: the arguments are tested, and releases made while the
                        // call runs (before its result is seen) are remembered.
                        let call = ProbePoint {
                            key: Key::None,
                            ..spec.point.clone()
                        };
                        out.confs.push((
                            index,
                            confs_of(ROLE_ACQUIRE_CALL, AT_ENTRY, &call, f, lifecycle)?,
                        ));
                        attach(info, &mut out, spec, f, AT_ENTRY, index, None)?;
                        // At the RETs: the result is acquired.
                        let index = next_conf;
                        next_conf += 1;
                        let ret = ProbePoint {
                            predicates: Vec::new(),
                            ..spec.point.clone()
                        };
                        out.confs
                            .push((index, confs_of(ROLE_ACQUIRE, AT_RET, &ret, f, lifecycle)?));
                        attach(info, &mut out, spec, f, AT_RET, index, None)?;
                    } else {
                        out.confs.push((
                            index,
                            confs_of(ROLE_ACQUIRE, AT_ENTRY, &spec.point, f, lifecycle)?,
                        ));
                        attach(info, &mut out, spec, f, AT_ENTRY, index, None)?;
                    }
                }
                let acquired = functions
                    .iter()
                    .find_map(|f| key_param(&signatures, f, &spec.point.key));
                for f in &release_fns {
                    let index = next_conf;
                    next_conf += 1;
                    let mut c = confs_of(ROLE_RELEASE, AT_ENTRY, release, f, lifecycle)?;
                    c.key_sub = key_offset(acquired, key_param(&signatures, f, &release.key));
                    out.confs.push((index, c));
                    attach(info, &mut out, spec, f, AT_ENTRY, index, None)?;
                }
                out.planned.push(Planned::Lifecycle { lifecycle });
            }
        }
        if next_conf as usize > MAX_CONFS {
            return Err(PlanError {
                probe: spec.name.clone(),
                symbol: spec.point.symbol.clone(),
                message: format!(
                    "the rules declare more than {MAX_CONFS} probe points (symbol patterns count once per function they match)"
                ),
                in_the_rule: false,
            });
        }
    }
    // A function that exists is no proof that user calls reach it: a small one
    // that no CALL in user code targets was probably inlined at its call sites.
    let targets = &user_calls;
    let mut warned: Vec<String> = Vec::new();
    for spec in specs {
        if spec.point.inside.is_some() {
            continue;
        }
        let matched = info.functions_matching(&spec.point.symbol);
        let inlined = |f: &String| {
            info.function(f)
                .is_some_and(|(addr, size)| size <= INLINABLE_BYTES && !targets.contains_key(&addr))
        };
        // A pattern's matches include closures and functions the code simply
        // does not call: only when none of them is reachable is it a mistake.
        if is_symbol_pattern(&spec.point.symbol) && !matched.iter().all(inlined) {
            continue;
        }
        for f in matched {
            if let Some((_, size)) = info.function(&f)
                && inlined(&f)
                && !warned.contains(&f)
            {
                out.notes.push(format!(
                    "probe {}: {f} is {size} bytes and no call of it was found in your code: \
                     the compiler probably inlined it at its call sites, which a uprobe does not see; \
                     probe the function it calls (`go build -gcflags=-m` shows what is inlined)",
                    spec.name
                ));
                warned.push(f);
            }
        }
    }
    Ok(out)
}

/// The parameter (or result) a key names, where the binary's DWARF has it.
fn key_param<'a>(
    signatures: &'a HashMap<String, Vec<Param>>,
    function: &str,
    key: &Key,
) -> Option<&'a Param> {
    let Key::Param { param, result } = key else {
        return None;
    };
    signatures.get(function)?.iter().find(|p| {
        p.result == *result
            && match param {
                ParamRef::Name(name) => &p.name == name,
                ParamRef::Slot(n) => {
                    matches!(p.placement, Placement::Registers { slot, .. } if slot == *n)
                }
            }
    })
}

/// How far into the acquired object a release's key points: 0 when both name
/// the same type (or the types are unknown), the field's offset when the
/// release takes a pointer to a field of the acquired struct. Go 1.22's
/// `time.AfterFunc` returns `*Timer` and `Timer.Stop` calls
/// `time.stopTimer(&t.r)`, 8 bytes in; from Go 1.23 both are the `*Timer`.
fn key_offset(acquired: Option<&Param>, released: Option<&Param>) -> u32 {
    let (Some(a), Some(r)) = (
        acquired.and_then(|p| p.pointee.as_ref()),
        released.and_then(|p| p.pointee.as_ref()),
    ) else {
        return 0;
    };
    a.offset_of(r)
        .and_then(|o| u32::try_from(o).ok())
        .unwrap_or(0)
}

fn points(spec: &ProbeSpec) -> impl Iterator<Item = &ProbePoint> {
    std::iter::once(&spec.point).chain(spec.release.as_ref())
}

fn attach(
    info: &BinaryInfo,
    out: &mut DeclaredPlan,
    spec: &ProbeSpec,
    function: &str,
    at: u32,
    index: u32,
    inside: Option<&str>,
) -> Result<(), PlanError> {
    let missing = |m: probes::Missing| PlanError {
        probe: spec.name.clone(),
        symbol: m.symbol,
        message: m.what,
        in_the_rule: false,
    };
    let (vaddr_of, offsets): (Box<dyn Fn(u64) -> u64>, Vec<u64>) = {
        let (fn_addr, _) = info.function(function).unwrap_or((0, 0));
        let fn_offset = probes::entry_offset(info, function).map_err(missing)?;
        match (at, inside) {
            (AT_CALL, Some(caller)) => {
                let callers = info.functions_matching(caller);
                let mut offsets = Vec::new();
                let mut base = None;
                for c in &callers {
                    let (c_addr, _) = info.function(c).unwrap_or((0, 0));
                    let c_off = probes::entry_offset(info, c).map_err(missing)?;
                    base.get_or_insert((c_addr, c_off));
                    for o in probes::call_offsets(info, c, function).unwrap_or_default() {
                        offsets.push((o, c_addr + (o - c_off)));
                    }
                }
                out.attachments
                    .extend(offsets.iter().map(|&(offset, vaddr)| Attachment {
                        program: "declared",
                        symbol: format!("{function} (called in {caller})"),
                        offset,
                        cookie: (u64::from(index) << 48) | vaddr,
                    }));
                return Ok(());
            }
            (AT_RET, _) => (
                Box::new(move |o| fn_addr + (o - fn_offset)),
                probes::ret_offsets(info, function).map_err(missing)?,
            ),
            _ => (
                Box::new(move |o| fn_addr + (o - fn_offset)),
                vec![probes::entry_probe_offset(info, function).map_err(missing)?],
            ),
        }
    };
    for offset in offsets {
        out.attachments.push(Attachment {
            program: "declared",
            symbol: function.to_string(),
            offset,
            cookie: (u64::from(index) << 48) | vaddr_of(offset),
        });
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn conf(
    spec: &ProbeSpec,
    point: &ProbePoint,
    function: &str,
    role: u32,
    at: u32,
    lifecycle: u32,
    signature: Option<&Vec<Param>>,
    paths: &HashMap<(String, String, Vec<String>), params::FieldPath>,
) -> Result<DeclConf, PlanError> {
    let fail = |message: String| PlanError {
        probe: spec.name.clone(),
        symbol: function.to_string(),
        message,
        in_the_rule: false,
    };
    let find = |param: &ParamRef, result: bool| -> Result<(u32, Option<&Param>), PlanError> {
        match param {
            ParamRef::Slot(n) => Ok((*n, None)),
            ParamRef::Name(name) => {
                let sig = signature.ok_or_else(|| {
                    fail(format!(
                        "no parameter names for {function} in the binary's DWARF (built with -ldflags=-w?); name the argument by its register slot instead"
                    ))
                })?;
                // The first of the names (`s|srv`) this binary's Go gave it.
                let p = name
                    .split('|')
                    .find_map(|alt| sig.iter().find(|p| p.name == alt && p.result == result))
                    .ok_or_else(|| {
                        let names: Vec<String> = sig
                            .iter()
                            .filter(|p| p.result == result)
                            .map(|p| p.name.clone())
                            .collect();
                        fail(format!(
                            "{function} has no {} named {name:?}; its {}: {}",
                            if result { "result" } else { "parameter" },
                            if result { "results" } else { "parameters" },
                            names.join(", ")
                        ))
                    })?;
                match &p.placement {
                    Placement::Registers { slot, .. } => Ok((*slot, Some(p))),
                    Placement::Stack => Err(fail(format!(
                        "{name} of {function} is passed on the stack, which gate does not read"
                    ))),
                    Placement::Float => Err(fail(format!(
                        "{name} of {function} is a floating-point value, passed in an XMM register a uprobe cannot read"
                    ))),
                }
            }
        }
    };
    let mut c = DeclConf {
        any: u32::from(spec.any),
        role,
        at,
        direct: u32::from(spec.direct),
        lifecycle,
        ..DeclConf::default()
    };
    if let Some(g) = &spec.goroutine {
        c.goid_slot = find(g, false)?.0;
    }
    match &point.key {
        Key::None => {}
        Key::Callsite => c.key_kind = KEY_CALLSITE,
        Key::Goroutine => c.key_kind = KEY_GOROUTINE,
        Key::Param { param, result } => {
            c.key_kind = KEY_SLOT;
            c.key_slot = find(param, *result)?.0;
        }
    }
    for (i, pred) in point.predicates.iter().enumerate() {
        let (slot, param) = find(&pred.operand.param, pred.operand.result)?;
        let first = match param.map(|p| &p.placement) {
            Some(Placement::Registers { words, .. }) => words.first().copied(),
            _ => None,
        };
        let mut raw = RawPred {
            slot: slot as u8,
            width: first.map_or(8, |w| w.width),
            // Slots named by number compare as signed 64-bit integers, as they always have.
            is_signed: u8::from(first.is_none_or(|w| w.signed)),
            ..RawPred::default()
        };
        let kind = param.map(|p| p.go_kind);
        const KIND_INTERFACE: u64 = 20;
        const KIND_SLICE: u64 = 23;
        const KIND_STRING: u64 = 24;
        if pred.operand.len {
            if param.is_some() && !matches!(kind, Some(KIND_SLICE | KIND_STRING)) {
                return Err(fail(format!(
                    "len = true needs a string or slice argument; {} is not one",
                    describe(&pred.operand.param)
                )));
            }
            raw.slot += 1;
            raw.width = 8;
            raw.is_signed = 1;
        }
        if pred.operand.chain {
            if param.is_some() && kind != Some(KIND_INTERFACE) {
                return Err(fail(format!(
                    "chain = true needs an interface argument (such as a context.Context); {} is not one",
                    describe(&pred.operand.param)
                )));
            }
            // The type word's slot; the data word is in the next one.
            raw.chain = 1;
            raw.width = 8;
            raw.is_signed = 1;
        }
        if !pred.operand.field.is_empty() {
            let (ParamRef::Name(_), Some(found)) = (&pred.operand.param, param) else {
                return Err(fail(
                    "a field is read from an argument named by its Go name, not a slot".into(),
                ));
            };
            let name = &found.name;
            let path = paths
                .get(&(function.to_string(), name.clone(), pred.operand.field.clone()))
                .ok_or_else(|| fail(format!(
                    "cannot resolve {name}.{} in {function}'s DWARF: the argument must be a pointer to a struct with that field",
                    pred.operand.field.join(".")
                )))?;
            raw.derefs = path.offsets.len() as u8;
            for (k, o) in path.offsets.iter().enumerate().take(2) {
                raw.off[k] = *o;
            }
            raw.width = path.word.width;
            raw.is_signed = u8::from(path.word.signed);
        }
        raw.op = match pred.op {
            Op::Eq => OP_EQ,
            Op::Ne => OP_NE,
            Op::Gt => OP_GT,
            Op::Lt => OP_LT,
            Op::Ge => OP_GE,
            Op::Le => OP_LE,
            Op::AnyBits => OP_ANY_BITS,
            Op::NoBits => OP_NO_BITS,
            Op::AllBits => OP_ALL_BITS,
            Op::StrEq => OP_STR_EQ,
            Op::StrPrefix => OP_STR_PREFIX,
        };
        match &pred.value {
            Value::Int(v) if *v < 0 && raw.is_signed == 0 && !pred.op.is_bit_mask() => {
                return Err(PlanError {
                    in_the_rule: true,
                    ..fail(format!(
                        "{} is unsigned, so it is never {v}: compare it with 0 or a positive value",
                        describe(&pred.operand.param)
                    ))
                });
            }
            Value::Int(v) => raw.value = *v as u64,
            Value::Str(s) => {
                if param.is_some() && kind != Some(KIND_STRING) {
                    return Err(fail(format!(
                        "\"eq\" and \"prefix\" compare strings; {} is not a string",
                        describe(&pred.operand.param)
                    )));
                }
                raw.str_len = s.len() as u8;
                raw.str[..s.len()].copy_from_slice(s.as_bytes());
            }
        }
        c.preds[i] = raw;
        c.npreds = i as u32 + 1;
    }
    Ok(c)
}

fn describe(p: &ParamRef) -> String {
    match p {
        ParamRef::Name(n) => n.clone(),
        ParamRef::Slot(s) => format!("slot {s}"),
    }
}

/// Whether a configuration's predicates are false at a call site whatever
/// happens at run time, from the constants its arguments are set to there
/// (None: not known). Only register values and string lengths are judged.
fn never_holds(conf: &DeclConf, constants: &[Option<u64>]) -> bool {
    if conf.npreds == 0 || conf.role == ROLE_RELEASE {
        return false;
    }
    let register = |slot: u8| {
        (slot as usize)
            .checked_sub(1)
            .and_then(|i| constants.get(i).copied().flatten())
    };
    let statically = |p: &RawPred| -> Option<bool> {
        if p.derefs != 0 || p.chain != 0 {
            return None;
        }
        if p.op == OP_STR_EQ || p.op == OP_STR_PREFIX {
            // The string's length is in the next slot.
            let len = register(p.slot.checked_add(1)?)?;
            let n = u64::from(p.str_len);
            let possible = if p.op == OP_STR_EQ {
                len == n
            } else {
                len >= n
            };
            return (!possible).then_some(false);
        }
        let v = mask_to(register(p.slot)?, p.width, p.is_signed != 0);
        let (sv, want) = (v as i64, p.value as i64);
        let signed = p.is_signed != 0;
        Some(match p.op {
            OP_EQ => v == p.value,
            OP_NE => v != p.value,
            OP_GT => {
                if signed {
                    sv > want
                } else {
                    v > p.value
                }
            }
            OP_LT => {
                if signed {
                    sv < want
                } else {
                    v < p.value
                }
            }
            OP_GE => {
                if signed {
                    sv >= want
                } else {
                    v >= p.value
                }
            }
            OP_LE => {
                if signed {
                    sv <= want
                } else {
                    v <= p.value
                }
            }
            OP_ANY_BITS => v & p.value != 0,
            OP_NO_BITS => v & p.value == 0,
            OP_ALL_BITS => v & p.value == p.value,
            _ => return None,
        })
    };
    let preds = &conf.preds[..(conf.npreds as usize).min(MAX_PREDS)];
    let results: Vec<Option<bool>> = preds.iter().map(statically).collect();
    if conf.any != 0 {
        results.iter().all(|r| *r == Some(false))
    } else {
        results.contains(&Some(false))
    }
}

/// A register's value as the kernel side reads it (`mask_to` in gate.bpf.c).
fn mask_to(v: u64, width: u8, signed: bool) -> u64 {
    match (width, signed) {
        (1, true) => v as i8 as i64 as u64,
        (1, false) => v & 0xff,
        (2, true) => v as i16 as i64 as u64,
        (2, false) => v & 0xffff,
        (4, true) => v as i32 as i64 as u64,
        (4, false) => v & 0xffff_ffff,
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// strings.Replace(s, old, new, n): old's length in slot 4, new's in slot 6, n in 7.
    fn replace_empty_old() -> DeclConf {
        let pred = |slot, op, value| RawPred {
            slot,
            width: 8,
            is_signed: 1,
            op,
            value,
            ..RawPred::default()
        };
        let mut conf = DeclConf {
            npreds: 3,
            ..DeclConf::default()
        };
        conf.preds[..3].copy_from_slice(&[pred(4, OP_EQ, 0), pred(6, OP_GT, 0), pred(7, OP_NE, 0)]);
        conf
    }

    fn at(known: &[(usize, u64)]) -> [Option<u64>; 9] {
        let mut c = [None; 9];
        for &(slot, v) in known {
            c[slot - 1] = Some(v);
        }
        c
    }

    #[test]
    fn a_constant_that_fails_one_predicate_of_all_rules_the_call_out() {
        let conf = replace_empty_old();
        // strings.Replace(s, "_", "", -1): old is one byte.
        assert!(never_holds(&conf, &at(&[(4, 1), (6, 0), (7, u64::MAX)])));
        // strings.Replace(s, pattern, "x", -1): old's length is not known.
        assert!(!never_holds(&conf, &at(&[(6, 1), (7, u64::MAX)])));
        // strings.Replace(s, "", "x", -1): the violation itself stays probed.
        assert!(!never_holds(&conf, &at(&[(4, 0), (6, 1), (7, u64::MAX)])));
        // n == 0 alone rules it out too.
        assert!(never_holds(&conf, &at(&[(7, 0)])));
        // Nothing known: probed.
        assert!(!never_holds(&conf, &at(&[])));
    }

    #[test]
    fn a_chain_depth_is_never_judged_from_the_registers() {
        // context.WithValue(parent, ...) with parent's type word a constant
        // (context.Background's itab): the depth is read through memory.
        let mut conf = DeclConf {
            npreds: 1,
            ..DeclConf::default()
        };
        conf.preds[0] = RawPred {
            slot: 1,
            width: 8,
            is_signed: 1,
            op: OP_GE,
            value: 64,
            chain: 1,
            ..RawPred::default()
        };
        assert!(!never_holds(&conf, &at(&[(1, 0x5000), (2, 0x6000)])));
    }

    #[test]
    fn with_any_every_predicate_must_fail_and_releases_are_never_judged() {
        let mut conf = replace_empty_old();
        conf.any = 1;
        assert!(
            !never_holds(&conf, &at(&[(4, 1), (6, 0)])),
            "n may still hold"
        );
        assert!(never_holds(&conf, &at(&[(4, 1), (6, 0), (7, 0)])));
        conf.role = ROLE_RELEASE;
        assert!(!never_holds(&conf, &at(&[(4, 1), (6, 0), (7, 0)])));
    }

    #[test]
    fn string_lengths_and_narrow_signed_values_are_judged_as_the_kernel_does() {
        let mut conf = DeclConf {
            npreds: 1,
            ..DeclConf::default()
        };
        // A string argument in slots 2-3 equal to "abc": its length must be 3.
        conf.preds[0] = RawPred {
            slot: 2,
            op: OP_STR_EQ,
            str_len: 3,
            ..RawPred::default()
        };
        assert!(never_holds(&conf, &at(&[(3, 4)])));
        assert!(!never_holds(&conf, &at(&[(3, 3)])));
        // A 32-bit signed argument < 0: 0xffff_ffff is -1.
        conf.preds[0] = RawPred {
            slot: 1,
            width: 4,
            is_signed: 1,
            op: OP_LT,
            value: 0,
            ..RawPred::default()
        };
        assert!(!never_holds(&conf, &at(&[(1, 0xffff_ffff)])));
        assert!(never_holds(&conf, &at(&[(1, 7)])));
    }
}
