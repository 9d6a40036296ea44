//! The probe kinds of a rule file: `[[probe]]` (call, result, keyed,
//! lifecycle) and `[[output]]`, parsed into specs the engine plans from.
//! Each kind declares the metrics it feeds here, in one place
//! (`ProbeSpec::metrics`), so nothing downstream reads meaning into a name.

use serde::Deserialize;
use toml::Spanned;

use super::metrics::{Combine, MetricDef, MetricKind, Signal, Unseen};

/// What a probe observes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// Calls of a function whose arguments satisfy the predicates.
    Call,
    /// Returns of a function whose results satisfy the predicates (read at its RETs).
    Result,
    /// Calls counted per key: an argument (the receiver), the call site or the goroutine.
    Keyed,
    /// An acquire and a release joined by a key; what is never released is reported.
    Lifecycle,
    /// Time from a call's entry to its return, per goroutine.
    Duration,
    /// System calls the test binary makes (a raw tracepoint at their return),
    /// with predicates over their arguments and result.
    Syscall,
    /// Allocations whose stack passes through a function, from the test
    /// binary's own heap profile (every allocation sampled: opt-in rules).
    Alloc,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 7] = [
        ProbeKind::Call,
        ProbeKind::Result,
        ProbeKind::Keyed,
        ProbeKind::Lifecycle,
        ProbeKind::Duration,
        ProbeKind::Syscall,
        ProbeKind::Alloc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Call => "call",
            ProbeKind::Result => "result",
            ProbeKind::Keyed => "keyed",
            ProbeKind::Lifecycle => "lifecycle",
            ProbeKind::Duration => "duration",
            ProbeKind::Syscall => "syscall",
            ProbeKind::Alloc => "alloc",
        }
    }
}

/// Whose calls a probe counts, by the first frame of the call stack outside
/// the Go runtime and standard library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// Code under test: that frame is in a non-`_test.go` file.
    UnderTest,
    /// Test code: that frame is in a `_test.go` file.
    Tests,
    /// Either (and calls with no such frame at all).
    Any,
}

/// An argument or result, by its Go name (from DWARF) or by its register slot (1 = first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamRef {
    Name(String),
    Slot(u32),
}

/// The value a predicate tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    /// An argument (at entry) or a result (at a RET).
    pub param: ParamRef,
    pub result: bool,
    /// A field of the struct the argument points to: one or two levels (`"a.b"`).
    pub field: Vec<String>,
    /// The length of a string or slice argument instead of its pointer.
    pub len: bool,
    /// The depth of an interface argument instead of its value: how many
    /// values deep the interface embedded first in each dynamic value holds
    /// the same interface (a context.Context's chain of parents).
    pub chain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    /// Any of the value's bits set.
    AnyBits,
    /// None of the value's bits set.
    NoBits,
    /// All of the value's bits set.
    AllBits,
    /// A string equal to the value (at most 32 bytes).
    StrEq,
    /// A string starting with the value (at most 32 bytes).
    StrPrefix,
}

impl Op {
    /// Bit tests, whose value is a mask rather than a number.
    pub fn is_bit_mask(self) -> bool {
        matches!(self, Op::AnyBits | Op::NoBits | Op::AllBits)
    }
}

pub const MAX_STR: usize = 32;
pub const MAX_PREDICATES: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Str(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    pub operand: Operand,
    pub op: Op,
    pub value: Value,
}

/// What joins a keyed count or a lifecycle's acquire and release.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    None,
    /// An argument (the receiver is argument 1) or, for an acquire, a result.
    Param {
        param: ParamRef,
        result: bool,
    },
    /// The call site: the first frame outside the runtime and standard library.
    Callsite,
    /// The calling goroutine.
    Goroutine,
}

/// Where a probe attaches: every function matching `symbol`, or only its calls inside `inside`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbePoint {
    /// As `go tool nm` prints it; `*` matches any run of characters (generic shapes).
    pub symbol: String,
    /// Only the CALL instructions of `symbol` inside this function.
    pub inside: Option<String>,
    pub key: Key,
    pub predicates: Vec<Predicate>,
}

/// A probe's symbol as people read it: alternatives (`a|b|c`) as "a, b or
/// c", the package said once when they share it (`context.WithValue,
/// WithCancel or WithTimeout`).
pub fn display_symbol(symbol: &str) -> String {
    let alternatives: Vec<&str> = symbol.split('|').collect();
    let [first, _, ..] = alternatives.as_slice() else {
        return symbol.to_string();
    };
    // The package path ends at the last '/' and then the first '.'.
    let package_end = |s: &str| {
        let from = s.rfind('/').map_or(0, |i| i + 1);
        s[from..].find('.').map(|i| from + i + 1)
    };
    let prefix = package_end(first).map(|end| &first[..end]);
    let shared = prefix.filter(|p| {
        alternatives
            .iter()
            .all(|a| a.starts_with(p) && package_end(a) == Some(p.len()))
    });
    let names: Vec<&str> = alternatives
        .iter()
        .enumerate()
        .map(|(i, a)| match shared {
            Some(p) if i > 0 => &a[p.len()..],
            _ => a,
        })
        .collect();
    format!(
        "{} or {}",
        names[..names.len() - 1].join(", "),
        names[names.len() - 1]
    )
}

/// When a lifecycle's acquisitions must have been released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// By the end of the test binary.
    Exit,
    /// By the end of the test that acquired them.
    Test,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProbeSpec {
    pub name: String,
    pub kind: ProbeKind,
    /// The call (or the acquire of a lifecycle).
    pub point: ProbePoint,
    /// true: one predicate must hold; false: all of them.
    pub any: bool,
    /// A lifecycle's release.
    pub release: Option<ProbePoint>,
    pub until: Until,
    /// A binary without the symbol is an error instead of making the rule not applicable.
    pub required: bool,
    /// Count only calls made directly from user code (the caller is outside the standard library).
    pub direct: bool,
    pub whose: Whose,
    /// Hits made through these functions (`*` patterns) do not count: calls
    /// the standard library or a test helper makes on the user's behalf.
    pub ignore: Vec<String>,
    /// The argument holding the goroutine (`*runtime.g`) a hit is charged to,
    /// for runtime functions that run on the system stack (R14 is g0 there).
    pub goroutine: Option<ParamRef>,
    /// The metrics this probe feeds, the first being `probe.<name>`.
    pub metrics: Vec<&'static MetricDef>,
}

impl ProbeSpec {
    /// One line: "call probe of time.Sleep where d <= 0", "lifecycle probe: os/exec.(*Cmd).Start until os/exec.(*Cmd).Wait".
    pub fn describe(&self) -> String {
        let preds = |point: &ProbePoint| -> String {
            let parts: Vec<String> = point.predicates.iter().map(Predicate::describe).collect();
            if parts.is_empty() {
                String::new()
            } else {
                let joint = if self.any { " or " } else { " and " };
                format!(" where {}", parts.join(joint))
            }
        };
        let inside = |point: &ProbePoint| {
            point
                .inside
                .as_ref()
                .map(|i| format!(" called in {i}"))
                .unwrap_or_default()
        };
        match (&self.kind, &self.release) {
            (ProbeKind::Lifecycle, Some(release)) => format!(
                "lifecycle probe: {}{} released by {}, by the end of the {}",
                display_symbol(&self.point.symbol),
                preds(&self.point),
                display_symbol(&release.symbol),
                if self.until == Until::Test {
                    "test"
                } else {
                    "test binary"
                }
            ),
            (kind, _) => format!(
                "{} probe of {}{}{}",
                kind.as_str(),
                display_symbol(&self.point.symbol),
                inside(&self.point),
                preds(&self.point)
            ),
        }
    }
}

impl Predicate {
    pub fn describe(&self) -> String {
        let mut operand = match &self.operand.param {
            ParamRef::Name(n) => n.clone(),
            ParamRef::Slot(n) => format!("slot {n}"),
        };
        for f in &self.operand.field {
            operand.push('.');
            operand.push_str(f);
        }
        if self.operand.len {
            operand = format!("len({operand})");
        }
        if self.operand.chain {
            operand = format!("depth({operand})");
        }
        let op = match self.op {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::AnyBits => "has any bits of",
            Op::NoBits => "has none of the bits",
            Op::AllBits => "has all bits of",
            Op::StrEq => "==",
            Op::StrPrefix => "starts with",
        };
        let value = match &self.value {
            Value::Int(v) if matches!(self.op, Op::AnyBits | Op::NoBits | Op::AllBits) => {
                format!("{v:#x}")
            }
            Value::Int(v) => v.to_string(),
            Value::Str(s) => format!("{s:?}"),
        };
        format!("{operand} {op} {value}")
    }
}

/// A regular expression over each line of a test's output (`[[output]]`).
#[derive(Debug, Clone)]
pub struct OutputSpec {
    pub name: String,
    pub pattern: regex::Regex,
    pub stream: Stream,
    /// Whose lines count, by the site the line names: a rule's `code`, else any.
    pub whose: Whose,
    pub metric: &'static MetricDef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// A test's stdout and stderr, merged in the order the lines arrived.
    Any,
}

// ---- TOML ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProbe {
    name: Spanned<String>,
    kind: Option<String>,
    symbol: Option<Spanned<String>>,
    /// kind = "syscall": the system call's name.
    syscall: Option<String>,
    inside: Option<String>,
    required: Option<bool>,
    direct: Option<bool>,
    key: Option<RawKey>,
    #[serde(rename = "where")]
    where_: Option<Vec<RawPredicate>>,
    #[serde(rename = "match")]
    match_: Option<String>,
    acquire: Option<RawPoint>,
    release: Option<RawPoint>,
    until: Option<String>,
    ignore: Option<Vec<String>>,
    goroutine: Option<RawParam>,
    // The first rule language's single predicate on a register slot.
    arg: Option<u32>,
    op: Option<String>,
    value: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    symbol: String,
    inside: Option<String>,
    key: Option<RawKey>,
    #[serde(rename = "where")]
    where_: Option<Vec<RawPredicate>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawKey {
    Word(String),
    Param(RawParam),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    arg: Option<RawParamRef>,
    result: Option<RawParamRef>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawParamRef {
    Slot(u32),
    Name(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPredicate {
    arg: Option<RawParamRef>,
    result: Option<RawParamRef>,
    field: Option<String>,
    len: Option<bool>,
    chain: Option<bool>,
    op: String,
    value: Option<RawValue>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawValue {
    Int(i64),
    Str(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    name: Spanned<String>,
    pattern: Spanned<String>,
    stream: Option<String>,
}

/// A problem in one `[[probe]]` or `[[output]]`: the field (below `probe.`) and what to do.
pub(super) struct Bad {
    pub field: String,
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> Bad {
    Bad {
        field: field.to_string(),
        message: message.into(),
    }
}

fn param_ref(raw: RawParamRef, field: &str) -> Result<ParamRef, Bad> {
    match raw {
        RawParamRef::Slot(n) if (1..=9).contains(&n) => Ok(ParamRef::Slot(n)),
        RawParamRef::Slot(n) => Err(bad(
            field,
            format!(
                "{n} is out of range; register slots 1 to 9 (Go's register ABI, receiver first) can be read, or name the parameter"
            ),
        )),
        // "s|srv": the names Go releases gave the same parameter.
        RawParamRef::Name(s) if s.split('|').all(is_go_name) => Ok(ParamRef::Name(s)),
        RawParamRef::Name(s) => Err(bad(
            field,
            format!(
                "{s:?} is not a Go parameter name; write it as in the function's signature (names it has in different Go releases separated by |)"
            ),
        )),
    }
}

fn is_go_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '~')
}

fn parse_op(op: &str) -> Result<Op, Bad> {
    Ok(match op {
        "==" => Op::Eq,
        "!=" => Op::Ne,
        ">" => Op::Gt,
        "<" => Op::Lt,
        ">=" => Op::Ge,
        "<=" => Op::Le,
        "nil" => Op::Eq,
        "not-nil" => Op::Ne,
        "any-bits" => Op::AnyBits,
        "no-bits" => Op::NoBits,
        "all-bits" => Op::AllBits,
        "eq" => Op::StrEq,
        "prefix" => Op::StrPrefix,
        other => {
            return Err(bad(
                "where.op",
                format!(
                    "{other:?} is not an operator; valid: \"==\", \"!=\", \">\", \"<\", \">=\", \"<=\", \"nil\", \"not-nil\", \"any-bits\", \"no-bits\", \"all-bits\", \"eq\", \"prefix\""
                ),
            ));
        }
    })
}

fn parse_predicate(raw: RawPredicate, at_result: bool) -> Result<Predicate, Bad> {
    let (param, result) = match (raw.arg, raw.result) {
        (Some(a), None) => (param_ref(a, "where.arg")?, false),
        (None, Some(r)) => (param_ref(r, "where.result")?, true),
        _ => {
            return Err(bad(
                "where",
                "name exactly one of arg = \"name\" (or a slot number) and result = \"name\"",
            ));
        }
    };
    if result && !at_result {
        return Err(bad(
            "where.result",
            "results are read where the function returns: use kind = \"result\"",
        ));
    }
    let op = parse_op(&raw.op)?;
    let field: Vec<String> = raw
        .field
        .map(|f| f.split('.').map(str::to_string).collect())
        .unwrap_or_default();
    if field.len() > 2 || field.iter().any(|f| !is_go_name(f)) {
        return Err(bad(
            "where.field",
            "a field path has one or two Go field names: \"ReadTimeout\" or \"cfg.Limit\"",
        ));
    }
    let len = raw.len.unwrap_or(false);
    let value = match (raw.value, raw.op.as_str()) {
        (None, "nil" | "not-nil") => Value::Int(0),
        (Some(_), "nil" | "not-nil") => {
            return Err(bad("where.value", "\"nil\" and \"not-nil\" take no value"));
        }
        (None, _) => return Err(bad("where.value", "missing; the operator needs a value")),
        (Some(RawValue::Int(v)), _) if !matches!(op, Op::StrEq | Op::StrPrefix) => Value::Int(v),
        (Some(RawValue::Str(s)), _) if matches!(op, Op::StrEq | Op::StrPrefix) => {
            if s.len() > MAX_STR {
                return Err(bad(
                    "where.value",
                    format!("strings of at most {MAX_STR} bytes can be compared"),
                ));
            }
            Value::Str(s)
        }
        (Some(_), _) => {
            return Err(bad(
                "where.value",
                "\"eq\" and \"prefix\" take a string value; every other operator an integer",
            ));
        }
    };
    if len && matches!(op, Op::StrEq | Op::StrPrefix) {
        return Err(bad(
            "where.len",
            "len = true compares a length: use an integer operator",
        ));
    }
    let chain = raw.chain.unwrap_or(false);
    if chain {
        if len || !field.is_empty() {
            return Err(bad(
                "where.chain",
                "chain = true measures an interface argument itself: no field or len with it",
            ));
        }
        match (&value, op) {
            (Value::Int(v), Op::Eq | Op::Ne | Op::Gt | Op::Lt | Op::Ge | Op::Le)
                if (0..MAX_CHAIN).contains(v) => {}
            _ => {
                return Err(bad(
                    "where.chain",
                    format!(
                        "a chain's depth is compared with a number from 0 to {} (the kernel walks {MAX_CHAIN} levels at most): \"==\", \"!=\", \">\", \"<\", \">=\" or \"<=\"",
                        MAX_CHAIN - 1
                    ),
                ));
            }
        }
    }
    Ok(Predicate {
        operand: Operand {
            param,
            result,
            field,
            len,
            chain,
        },
        op,
        value,
    })
}

fn parse_key(raw: Option<RawKey>, field: &str, results: bool) -> Result<Key, Bad> {
    Ok(match raw {
        None => Key::None,
        Some(RawKey::Word(w)) => match w.as_str() {
            "receiver" => Key::Param {
                param: ParamRef::Slot(1),
                result: false,
            },
            "callsite" => Key::Callsite,
            "goroutine" => Key::Goroutine,
            other => {
                return Err(bad(
                    field,
                    format!(
                        "{other:?} is not a key; valid: \"receiver\", \"callsite\", \"goroutine\", {{ arg = \"name\" }}{}",
                        if results {
                            ", { result = \"name\" }"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        },
        Some(RawKey::Param(RawParam {
            arg: Some(a),
            result: None,
        })) => Key::Param {
            param: param_ref(a, field)?,
            result: false,
        },
        Some(RawKey::Param(RawParam {
            arg: None,
            result: Some(r),
        })) if results => Key::Param {
            param: param_ref(r, field)?,
            result: true,
        },
        Some(RawKey::Param(_)) => {
            return Err(bad(
                field,
                if results {
                    "name exactly one of arg and result"
                } else {
                    "a key here is an argument: { arg = \"name\" }"
                },
            ));
        }
    })
}

fn check_symbol(symbol: &str, field: &str) -> Result<(), Bad> {
    let blank = |s: &str| {
        s.trim().is_empty()
            || s.starts_with(char::is_whitespace)
            || s.ends_with(char::is_whitespace)
    };
    if symbol.split('|').any(blank) {
        return Err(bad(
            field,
            format!(
                "{symbol:?} is not a Go symbol; write it as `go tool nm` prints it, e.g. \"runtime.GC\" or \"example.com/m/db.(*Pool).Get\""
            ),
        ));
    }
    Ok(())
}

/// The kernel walks one chain per hit (MAX_CHAIN in gate.bpf.c, its levels).
const MAX_CHAIN: i64 = 1024;

fn at_most_one_chain(predicates: &[Predicate]) -> Result<(), Bad> {
    if predicates.iter().filter(|p| p.operand.chain).count() > 1 {
        return Err(bad(
            "where.chain",
            "a probe walks one chain per call: at most one predicate with chain = true",
        ));
    }
    Ok(())
}

fn parse_point(raw: RawPoint, field: &str, results: bool) -> Result<ProbePoint, Bad> {
    check_symbol(&raw.symbol, &format!("{field}.symbol"))?;
    let mut predicates = Vec::new();
    for p in raw.where_.unwrap_or_default() {
        predicates.push(parse_predicate(p, results)?);
    }
    at_most_one_chain(&predicates)?;
    Ok(ProbePoint {
        symbol: raw.symbol,
        inside: raw.inside,
        key: parse_key(raw.key, &format!("{field}.key"), results)?,
        predicates,
    })
}

/// Leaks a metric definition: rule files are read once per run.
fn leak(
    name: String,
    unit: &'static str,
    kind: MetricKind,
    description: String,
) -> &'static MetricDef {
    Box::leak(Box::new(MetricDef {
        name: Box::leak(name.into_boxed_str()),
        unit,
        signal: Signal::Probe,
        kind,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: Box::leak(description.into_boxed_str()),
    }))
}

/// The same metric, read from the test binary's heap profile instead of eBPF.
fn from_profile(def: &'static MetricDef) -> &'static MetricDef {
    Box::leak(Box::new(MetricDef {
        signal: Signal::HeapProfile,
        ..*def
    }))
}

/// The same metric, combined over tests by its maximum.
fn longest(def: &'static MetricDef) -> &'static MetricDef {
    Box::leak(Box::new(MetricDef {
        over_tests: Combine::Max,
        ..*def
    }))
}

/// The metrics a probe of `kind` named `name` feeds: the one place that says what they mean.
pub fn metrics_of(kind: ProbeKind, name: &str, symbol: &str) -> Vec<&'static MetricDef> {
    let m = |suffix: &str, unit, kind, what: String| {
        leak(format!("probe.{name}{suffix}"), unit, kind, what)
    };
    match kind {
        ProbeKind::Call => vec![m(
            "",
            "calls",
            MetricKind::Sited,
            format!("Calls of {symbol} matching the probe, one finding per call site."),
        )],
        ProbeKind::Alloc => vec![
            from_profile(m(
                "",
                "bytes",
                MetricKind::Sited,
                format!(
                    "Bytes allocated with {symbol} on the stack, per allocating site in your code (heap profile)."
                ),
            )),
            from_profile(m(
                ".objects",
                "objects",
                MetricKind::Sited,
                format!("Objects allocated with {symbol} on the stack (heap profile)."),
            )),
        ],
        ProbeKind::Syscall => vec![m(
            "",
            "calls",
            MetricKind::Sited,
            format!("System calls ({symbol}) matching the probe, one finding per call site."),
        )],
        ProbeKind::Result => vec![m(
            "",
            "returns",
            MetricKind::Sited,
            format!("Returns of {symbol} matching the probe, one finding per call site."),
        )],
        ProbeKind::Keyed => vec![
            m(
                "",
                "calls",
                MetricKind::Sited,
                format!("Calls of {symbol}, one finding per call site."),
            ),
            m(
                ".keys",
                "keys",
                MetricKind::Scalar,
                format!("Distinct keys of the calls of {symbol}."),
            ),
            m(
                ".per_key",
                "calls",
                MetricKind::PerObject,
                format!("Calls of {symbol} per key, each key checked on its own."),
            ),
        ],
        ProbeKind::Duration => vec![
            m(
                "",
                "ms",
                MetricKind::Sited,
                format!("Time spent in {symbol} from entry to return, per call site (total)."),
            ),
            longest(leak(
                format!("probe.{name}.max_ms"),
                "ms",
                MetricKind::Scalar,
                format!("The longest call of {symbol}."),
            )),
            m(
                ".calls",
                "calls",
                MetricKind::Scalar,
                format!("Calls of {symbol} timed."),
            ),
        ],
        ProbeKind::Lifecycle => vec![
            m(
                "",
                "objects",
                MetricKind::Lifecycle,
                format!(
                    "Acquired by {symbol} and never released; one finding each, at the acquiring site."
                ),
            ),
            m(
                ".acquired",
                "objects",
                MetricKind::Scalar,
                format!("Acquired by {symbol}."),
            ),
            m(
                ".released",
                "objects",
                MetricKind::Scalar,
                "Of those, released.".to_string(),
            ),
        ],
    }
}

/// The per-key ratio of two keyed probes, named `probe.a/probe.b`.
pub fn ratio_metric(name: &str, probes: &[ProbeSpec]) -> Option<&'static MetricDef> {
    let (a, b) = name.split_once('/')?;
    let keyed = |m: &str| {
        probes
            .iter()
            .find(|p| p.kind == ProbeKind::Keyed && p.metrics[0].name == m)
    };
    let (pa, pb) = (keyed(a)?, keyed(b)?);
    (pa.point.key == pb.point.key).then(|| {
        leak(
            name.to_string(),
            "",
            MetricKind::PerObject,
            format!("{a} per {b}, per key"),
        )
    })
}

pub(super) fn parse_probe(raw: RawProbe, default_whose: Option<Whose>) -> Result<ProbeSpec, Bad> {
    let name = raw.name.into_inner();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(bad(
            "name",
            format!(
                "{name:?} is not a valid probe name; use lowercase letters, digits and _, like \"runtime_gc\""
            ),
        ));
    }
    let kind = match raw.kind.as_deref().unwrap_or("call") {
        "call" => ProbeKind::Call,
        "result" => ProbeKind::Result,
        "keyed" => ProbeKind::Keyed,
        "lifecycle" => ProbeKind::Lifecycle,
        "duration" => ProbeKind::Duration,
        "syscall" => ProbeKind::Syscall,
        "alloc" => ProbeKind::Alloc,
        other => {
            return Err(bad(
                "kind",
                format!(
                    "{other:?} is not a probe kind; valid: \"call\", \"result\", \"keyed\", \"lifecycle\", \"duration\", \"syscall\", \"alloc\" (output patterns are [[output]] tables)"
                ),
            ));
        }
    };
    let any = match raw.match_.as_deref() {
        None | Some("all") => false,
        Some("any") => true,
        Some(other) => {
            return Err(bad(
                "match",
                format!("{other:?}: valid values are \"all\" (default) and \"any\""),
            ));
        }
    };
    let until = match raw.until.as_deref() {
        None | Some("exit") => Until::Exit,
        Some("test") => Until::Test,
        Some(other) => {
            return Err(bad(
                "until",
                format!("{other:?}: valid values are \"exit\" (default) and \"test\""),
            ));
        }
    };
    let mut predicates = Vec::new();
    for p in raw.where_.unwrap_or_default() {
        predicates.push(parse_predicate(
            p,
            matches!(kind, ProbeKind::Result | ProbeKind::Syscall),
        )?);
    }
    // The first rule language: arg, op and value at the top of the probe.
    match (raw.arg, raw.op, raw.value) {
        (None, None, None) => {}
        (Some(arg), Some(op), Some(value)) => predicates.push(parse_predicate(
            RawPredicate {
                arg: Some(RawParamRef::Slot(arg)),
                result: None,
                field: None,
                len: None,
                chain: None,
                op,
                value: Some(RawValue::Int(value)),
            },
            false,
        )?),
        _ => return Err(bad("arg", "a predicate needs all of arg, op and value")),
    }
    at_most_one_chain(&predicates)?;
    let (point, release) = if kind == ProbeKind::Lifecycle {
        if raw.symbol.is_some() || raw.key.is_some() {
            return Err(bad(
                "symbol",
                "a lifecycle probe names its functions in acquire = { symbol, key } and release = { symbol, key }",
            ));
        }
        let (Some(acquire), Some(release)) = (raw.acquire, raw.release) else {
            return Err(bad(
                "acquire",
                "a lifecycle probe needs acquire = { symbol = \"...\", key = ... } and release = { symbol = \"...\", key = ... }",
            ));
        };
        let mut acquire = parse_point(acquire, "acquire", true)?;
        // [[probe.where]] of a lifecycle test the acquiring call's arguments.
        acquire.predicates.extend(predicates.iter().cloned());
        if acquire.predicates.iter().any(|p| p.operand.result) {
            return Err(bad(
                "where.result",
                "a lifecycle's predicates test the acquiring call's arguments, at its entry",
            ));
        }
        let release = parse_point(release, "release", false)?;
        for (p, field) in [(&acquire, "acquire.key"), (&release, "release.key")] {
            if p.key == Key::None || p.key == Key::Callsite {
                return Err(bad(
                    field,
                    "a lifecycle joins acquire and release by \"receiver\", \"goroutine\", { arg = \"name\" } or (acquire) { result = \"name\" }",
                ));
            }
        }
        (acquire, Some(release))
    } else {
        if raw.acquire.is_some() || raw.release.is_some() {
            return Err(bad(
                "acquire",
                "acquire and release belong to kind = \"lifecycle\"",
            ));
        }
        let symbol = if kind == ProbeKind::Syscall {
            let Some(name) = raw.syscall else {
                return Err(bad(
                    "syscall",
                    format!(
                        "missing; name the system call: {}",
                        super::syscalls::names().join(", ")
                    ),
                ));
            };
            let Some(call) = super::syscalls::lookup(&name) else {
                return Err(bad(
                    "syscall",
                    format!(
                        "{name:?} is not a system call gate knows; valid: {}",
                        super::syscalls::names().join(", ")
                    ),
                ));
            };
            if raw.symbol.is_some() || raw.inside.is_some() {
                return Err(bad(
                    "symbol",
                    "a syscall probe names its call in syscall = \"...\"",
                ));
            }
            // Arguments by their man-page names or positions 1..6; the result is `ret`.
            for p in &mut predicates {
                let slot = match (&p.operand.param, p.operand.result) {
                    (_, true) => super::syscalls::RESULT_SLOT,
                    (ParamRef::Slot(n), false) if (1..=call.args.len() as u32).contains(n) => {
                        super::syscalls::ARG_SLOTS[*n as usize - 1]
                    }
                    (ParamRef::Name(a), false) => match call.args.iter().position(|x| x == a) {
                        Some(i) => super::syscalls::ARG_SLOTS[i],
                        None => {
                            return Err(bad(
                                "where.arg",
                                format!(
                                    "{name} has no argument {a:?}; its arguments: {}",
                                    call.args.join(", ")
                                ),
                            ));
                        }
                    },
                    (ParamRef::Slot(n), false) => {
                        return Err(bad(
                            "where.arg",
                            format!("{name} has {} arguments, not {n}", call.args.len()),
                        ));
                    }
                };
                if !p.operand.field.is_empty() || p.operand.len || p.operand.chain {
                    return Err(bad(
                        "where",
                        "a system call's arguments are compared as integers (no field, len or chain)",
                    ));
                }
                p.operand.param = ParamRef::Slot(slot);
                p.operand.result = false;
            }
            format!("syscall:{name}")
        } else {
            if raw.syscall.is_some() {
                return Err(bad("syscall", "syscall belongs to kind = \"syscall\""));
            }
            let Some(symbol) = raw.symbol else {
                return Err(bad("symbol", "missing; name the Go function to probe"));
            };
            let symbol = symbol.into_inner();
            check_symbol(&symbol, "symbol")?;
            symbol
        };
        let key = parse_key(raw.key, "key", false)?;
        if kind == ProbeKind::Keyed && key == Key::None {
            return Err(bad(
                "key",
                "a keyed probe needs key = \"receiver\", \"callsite\", \"goroutine\" or { arg = \"name\" }",
            ));
        }
        if kind != ProbeKind::Keyed && key != Key::None {
            return Err(bad(
                "key",
                "key belongs to kind = \"keyed\" or \"lifecycle\"",
            ));
        }
        (
            ProbePoint {
                symbol,
                inside: raw.inside,
                key,
                predicates,
            },
            None,
        )
    };
    if point.predicates.len() > MAX_PREDICATES
        || release
            .as_ref()
            .is_some_and(|r| r.predicates.len() > MAX_PREDICATES)
    {
        return Err(bad(
            "where",
            format!("at most {MAX_PREDICATES} predicates per probe point"),
        ));
    }
    let whose = default_whose.unwrap_or(match kind {
        // A leak in a test is still a leak.
        ProbeKind::Lifecycle => Whose::Any,
        // API misuse (and time spent in it) is about the code under test.
        ProbeKind::Call
        | ProbeKind::Result
        | ProbeKind::Keyed
        | ProbeKind::Duration
        | ProbeKind::Syscall
        | ProbeKind::Alloc => Whose::UnderTest,
    });
    let ignore = raw.ignore.unwrap_or_default();
    for pattern in &ignore {
        check_symbol(pattern, "ignore")?;
    }
    let goroutine = match raw.goroutine {
        None => None,
        Some(RawParam {
            arg: Some(a),
            result: None,
        }) => Some(param_ref(a, "goroutine")?),
        Some(_) => {
            return Err(bad(
                "goroutine",
                "names the argument holding the goroutine: goroutine = { arg = \"gp\" }",
            ));
        }
    };
    let metrics = metrics_of(kind, &name, &point.symbol);
    Ok(ProbeSpec {
        name,
        kind,
        point,
        any,
        release,
        until,
        required: raw.required.unwrap_or(false),
        direct: raw.direct.unwrap_or(false),
        whose,
        ignore,
        goroutine,
        metrics,
    })
}

pub(super) fn parse_output(raw: RawOutput, whose: Option<Whose>) -> Result<OutputSpec, Bad> {
    let name = raw.name.into_inner();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(bad(
            "name",
            format!("{name:?} is not a valid name; use lowercase letters, digits and _"),
        ));
    }
    let pattern = regex::Regex::new(raw.pattern.get_ref())
        .map_err(|e| bad("pattern", format!("not a regular expression: {e}")))?;
    let stream = match raw.stream.as_deref() {
        None | Some("any") => Stream::Any,
        Some("stdout" | "stderr") => {
            return Err(bad(
                "stream",
                "gate reads a test's stdout and stderr as one output (a panic's traceback on stderr belongs with the test's lines): use stream = \"any\"",
            ));
        }
        Some(other) => {
            return Err(bad(
                "stream",
                format!("{other:?}: valid values are \"stdout\", \"stderr\", \"any\""),
            ));
        }
    };
    let metric = Box::leak(Box::new(MetricDef {
        name: Box::leak(format!("output.{name}").into_boxed_str()),
        unit: "lines",
        signal: Signal::TestOutput,
        kind: MetricKind::Sited,
        higher_is_worse: true,
        over_tests: Combine::Sum,
        unseen: Unseen::NoData,
        description: Box::leak(
            format!(
                "Output lines matching {:?}, one finding per site.",
                pattern.as_str()
            )
            .into_boxed_str(),
        ),
    }));
    Ok(OutputSpec {
        name,
        pattern,
        stream,
        whose: whose.unwrap_or(Whose::Any),
        metric,
    })
}

pub(super) fn parse_whose(raw: &str) -> Result<Whose, Bad> {
    match raw {
        "under-test" => Ok(Whose::UnderTest),
        "tests" => Ok(Whose::Tests),
        "any" => Ok(Whose::Any),
        other => Err(bad(
            "code",
            format!("{other:?}: valid values are \"under-test\", \"tests\", \"any\""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_read_as_a_list_with_their_package_said_once() {
        assert_eq!(display_symbol("runtime.GC"), "runtime.GC");
        assert_eq!(
            display_symbol("context.WithValue|context.WithCancel|context.WithTimeout"),
            "context.WithValue, WithCancel or WithTimeout"
        );
        assert_eq!(
            display_symbol("net/http.(*Client).Do|net/url.ParseQuery"),
            "net/http.(*Client).Do or net/url.ParseQuery"
        );
        // A package that only starts like another is not shared.
        assert_eq!(
            display_symbol("os.Open|os/exec.Command"),
            "os.Open or os/exec.Command"
        );
    }
}
