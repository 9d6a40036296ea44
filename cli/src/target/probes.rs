//! Where to put probes in a test binary: file offsets of function entries
//! and of every RET instruction (decoded with iced-x86), struct offsets
//! from DWARF, and the runtime's wait-reason strings.

use super::BinaryInfo;

/// A missing piece a probe needs, named so the user can act on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub symbol: String,
    pub what: String,
}

fn missing(symbol: &str, what: &str) -> Missing {
    Missing {
        symbol: symbol.to_string(),
        what: what.to_string(),
    }
}

/// A function's address, size and file offset.
fn locate(info: &BinaryInfo, symbol: &str) -> Result<(u64, u64, u64), Missing> {
    let (addr, size) = info
        .function(symbol)
        .ok_or_else(|| missing(symbol, "no such function symbol (inlined or stripped)"))?;
    let offset = info
        .file_offset(addr)
        .ok_or_else(|| missing(symbol, "address outside the file's sections"))?;
    Ok((addr, size, offset))
}

/// File offset of a function's entry.
pub fn entry_offset(info: &BinaryInfo, symbol: &str) -> Result<u64, Missing> {
    locate(info, symbol).map(|(_, _, offset)| offset)
}

/// Where to probe a function's entry: its `PUSHQ BP` after Go's stack check
/// (`CMPQ SP, 16(R14); JBE morestack`) where it has one, else its first byte.
/// Nothing before the push changes a register or the stack, so the probe
/// sees the entry state; the kernel emulates a push instead of single-stepping
/// it out of line, which makes every hit cheaper; and a function restarted
/// after growing its stack is seen once, not twice.
pub fn entry_probe_offset(info: &BinaryInfo, symbol: &str) -> Result<u64, Missing> {
    use iced_x86::{Mnemonic, Register};
    let start = entry_offset(info, symbol)?;
    if !info.x86_64 {
        return Ok(start);
    }
    let (addr, size, _) = locate(info, symbol)?;
    let head = info
        .data()
        .get(start as usize..(start + size.min(32)) as usize)
        .unwrap_or_default();
    let decoder = iced_x86::Decoder::with_ip(64, head, addr, iced_x86::DecoderOptions::NONE);
    let mut checked = false;
    for (n, i) in decoder.into_iter().enumerate() {
        match i.mnemonic() {
            // The stack check compares SP (or SP minus the frame, in a scratch register) with g.stackguard0.
            Mnemonic::Cmp | Mnemonic::Lea if !checked && n < 3 => {}
            Mnemonic::Jbe if !checked => checked = true,
            Mnemonic::Push if checked && i.op0_register() == Register::RBP => {
                return Ok(start + (i.ip() - addr));
            }
            _ => break,
        }
    }
    Ok(start)
}

/// Decodes a function's instructions (amd64) and keeps the file offsets of those `keep` selects.
fn instructions(
    info: &BinaryInfo,
    symbol: &str,
    keep: impl Fn(&iced_x86::Instruction) -> bool,
) -> Result<Vec<u64>, Missing> {
    if !info.x86_64 {
        return Err(missing(symbol, "instructions are decoded on amd64 only"));
    }
    let (addr, size, start) = locate(info, symbol)?;
    let code = info
        .data()
        .get(start as usize..(start + size) as usize)
        .ok_or_else(|| missing(symbol, "function body outside the file"))?;
    let decoder = iced_x86::Decoder::with_ip(64, code, addr, iced_x86::DecoderOptions::NONE);
    Ok(decoder
        .into_iter()
        .filter(|i| keep(i))
        .map(|i| start + (i.ip() - addr))
        .collect())
}

/// File offsets of every RET instruction of a function: return values are
/// read there (uretprobes break Go's stack copying).
pub fn ret_offsets(info: &BinaryInfo, symbol: &str) -> Result<Vec<u64>, Missing> {
    let rets = instructions(info, symbol, |i| i.mnemonic() == iced_x86::Mnemonic::Ret)?;
    if rets.is_empty() {
        return Err(missing(symbol, "no RET instruction found"));
    }
    Ok(rets)
}

/// File offsets of the direct CALLs from `caller` to `callee`. The kernel
/// emulates a CALL, so a probe there costs what one at a function's entry
/// does; a RET is single-stepped out of line, ~25 us a hit in a VM.
pub fn call_offsets(info: &BinaryInfo, caller: &str, callee: &str) -> Result<Vec<u64>, Missing> {
    let (target, _) = info
        .function(callee)
        .ok_or_else(|| missing(callee, "no such function"))?;
    instructions(info, caller, |i| {
        i.mnemonic() == iced_x86::Mnemonic::Call
            && i.op0_kind() == iced_x86::OpKind::NearBranch64
            && i.near_branch_target() == target
    })
}

/// File offsets of the indirect CALL instructions of a function (sync.Pool.Get calls New through its only one).
pub fn indirect_call_offsets(info: &BinaryInfo, symbol: &str) -> Result<Vec<u64>, Missing> {
    instructions(info, symbol, |i| {
        i.mnemonic() == iced_x86::Mnemonic::Call && i.op0_kind() != iced_x86::OpKind::NearBranch64
    })
}

/// runtime.waitReasonStrings: the text of every gopark reason code, read from the binary.
pub fn wait_reasons(info: &BinaryInfo) -> Vec<String> {
    let Some((addr, size)) = info.variable_symbol("runtime.waitReasonStrings") else {
        return Vec::new();
    };
    let read = |addr: u64, len: u64| -> Option<&[u8]> {
        let off = info.file_offset(addr)? as usize;
        info.data().get(off..off + len as usize)
    };
    let Some(table) = read(addr, size) else {
        return Vec::new();
    };
    table
        .chunks_exact(16)
        .map(|pair| {
            let ptr = u64::from_le_bytes(pair[..8].try_into().unwrap_or_default());
            let len = u64::from_le_bytes(pair[8..].try_into().unwrap_or_default());
            if len == 0 || len > 256 {
                return String::new();
            }
            read(ptr, len)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Offsets of Go struct fields the probes read, from DWARF, in one pass.
pub fn struct_offsets(info: &BinaryInfo, wanted: &[(&str, &str)]) -> Result<Vec<u64>, Missing> {
    let first = wanted.first().map_or("", |w| w.0);
    let sections = info.type_sections().map_err(|e| missing(first, &e))?;
    let found = super::dwarf::field_offsets(sections, wanted).map_err(|e| missing(first, &e))?;
    wanted
        .iter()
        .map(|(s, f)| {
            found.get(&(s.to_string(), f.to_string())).copied().ok_or_else(|| Missing {
                symbol: format!("{s}.{f}"),
                what: "struct field not found in the debug info (DWARF stripped with -ldflags=-w?)".into(),
            })
        })
        .collect()
}

/// The targets of every direct CALL in the given address ranges (user code),
/// with where each call is: whether user code reaches a function by a call
/// (or the compiler inlined it), and where to probe only the user's calls.
/// Each target's CALL instructions, as (file offset, address).
pub type CallSites = std::collections::HashMap<u64, Vec<(u64, u64)>>;

pub fn call_targets(info: &BinaryInfo, ranges: &[(u64, u64)]) -> CallSites {
    let mut targets = CallSites::new();
    if !info.x86_64 {
        return targets;
    }
    for &(start, end) in ranges {
        let Some(offset) = info.file_offset(start) else {
            continue;
        };
        let Some(code) = info
            .data()
            .get(offset as usize..(offset + (end - start)) as usize)
        else {
            continue;
        };
        let decoder = iced_x86::Decoder::with_ip(64, code, start, iced_x86::DecoderOptions::NONE);
        for i in decoder {
            if i.mnemonic() == iced_x86::Mnemonic::Call
                && i.op0_kind() == iced_x86::OpKind::NearBranch64
            {
                targets
                    .entry(i.near_branch_target())
                    .or_default()
                    .push((offset + (i.ip() - start), i.ip()));
            }
        }
    }
    targets
}
