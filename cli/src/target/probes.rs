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
pub type CallSites = std::collections::HashMap<u64, Vec<CallSite>>;

/// One CALL instruction in user code.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSite {
    pub offset: u64,
    pub vaddr: u64,
    /// Per integer argument register (Go's ABIInternal order: RAX, RBX, RCX,
    /// RDI, RSI, R8, R9, R10, R11), the constant the code just before the
    /// CALL puts there, where it does (`MOVL $1, DI` for a one-byte literal).
    pub constants: [Option<u64>; ARG_REGISTERS.len()],
}

/// Go's integer argument registers, in slot order (slot 1 is RAX).
pub const ARG_REGISTERS: [iced_x86::Register; 9] = {
    use iced_x86::Register::*;
    [RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11]
};

/// How far back from a CALL constants are looked for: Go sets a call's
/// arguments in the instructions right before it.
const ARGUMENT_SETUP: usize = 12;

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
        for (target, site) in calls_in(code, start) {
            targets.entry(target).or_default().push(CallSite {
                offset: offset + (site.vaddr - start),
                ..site
            });
        }
    }
    targets
}

/// The direct CALLs in `code` (loaded at `start`): (target, site), the
/// site's offset left 0 for the caller to fill in.
fn calls_in(code: &[u8], start: u64) -> Vec<(u64, CallSite)> {
    use iced_x86::{FlowControl, InstructionInfoFactory, Mnemonic, OpKind};
    let mut calls = Vec::new();
    let decode = || iced_x86::Decoder::with_ip(64, code, start, iced_x86::DecoderOptions::NONE);
    // Where a jump lands, code can be reached without the instructions before it.
    let landings: std::collections::HashSet<u64> = decode()
        .into_iter()
        .filter(|i| {
            matches!(
                i.flow_control(),
                FlowControl::ConditionalBranch | FlowControl::UnconditionalBranch
            ) && i.op0_kind() == OpKind::NearBranch64
        })
        .map(|i| i.near_branch_target())
        .collect();
    let mut recent: std::collections::VecDeque<iced_x86::Instruction> =
        std::collections::VecDeque::with_capacity(ARGUMENT_SETUP);
    let mut factory = InstructionInfoFactory::new();
    for i in decode() {
        if i.mnemonic() == Mnemonic::Call && i.op0_kind() == OpKind::NearBranch64 {
            let constants = if landings.contains(&i.ip()) {
                Default::default()
            } else {
                constants_before(&recent, &landings, &mut factory)
            };
            calls.push((
                i.near_branch_target(),
                CallSite {
                    offset: 0,
                    vaddr: i.ip(),
                    constants,
                },
            ));
        }
        if i.flow_control() == FlowControl::Next {
            if recent.len() == ARGUMENT_SETUP {
                recent.pop_front();
            }
            recent.push_back(i);
        } else {
            recent.clear();
        }
    }
    calls
}

/// The argument registers a straight run of instructions ends with as known
/// constants: walking back from the CALL, each register's last write counts,
/// and only `MOV reg, imm` (zero-extended for 32-bit registers) or
/// `XOR reg32, reg32` make it a constant. The walk stops where a jump lands.
fn constants_before(
    recent: &std::collections::VecDeque<iced_x86::Instruction>,
    landings: &std::collections::HashSet<u64>,
    factory: &mut iced_x86::InstructionInfoFactory,
) -> [Option<u64>; ARG_REGISTERS.len()] {
    use iced_x86::{Mnemonic, OpAccess, OpKind};
    let mut constants = [None; ARG_REGISTERS.len()];
    let mut settled = [false; ARG_REGISTERS.len()];
    for i in recent.iter().rev() {
        for used in factory.info(i).used_registers() {
            if !matches!(
                used.access(),
                OpAccess::Write
                    | OpAccess::CondWrite
                    | OpAccess::ReadWrite
                    | OpAccess::ReadCondWrite
            ) {
                continue;
            }
            let reg = used.register();
            let Some(slot) = ARG_REGISTERS.iter().position(|r| *r == reg.full_register()) else {
                continue;
            };
            if settled[slot] {
                continue;
            }
            settled[slot] = true;
            // A full 64-bit or a 32-bit write (which zeroes the upper half).
            let whole = reg == reg.full_register() || reg.size() == 4;
            let unconditional = used.access() == OpAccess::Write;
            constants[slot] = match i.mnemonic() {
                Mnemonic::Mov if whole && unconditional && i.op0_kind() == OpKind::Register => {
                    match i.op1_kind() {
                        OpKind::Immediate32 | OpKind::Immediate32to64 | OpKind::Immediate64 => {
                            let v = i.immediate(1);
                            Some(if reg.size() == 4 { v & 0xffff_ffff } else { v })
                        }
                        _ => None,
                    }
                }
                Mnemonic::Xor
                    if whole
                        && i.op0_kind() == OpKind::Register
                        && i.op1_kind() == OpKind::Register
                        && i.op0_register() == i.op1_register() =>
                {
                    Some(0)
                }
                _ => None,
            };
        }
        if landings.contains(&i.ip()) {
            break;
        }
    }
    constants
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: [u8; 5] = [0xE8, 0, 0, 0, 0];

    fn constants(code: &[u8]) -> [Option<u64>; 9] {
        let calls = calls_in(code, 0x1000);
        assert_eq!(calls.len(), 1, "one CALL in {code:x?}");
        calls[0].1.constants
    }

    #[test]
    fn constants_set_right_before_a_call_are_known() {
        // mov edi, 1; xor ecx, ecx; mov rax, rbx; mov r8, -1; call
        let mut code = vec![0xBF, 1, 0, 0, 0, 0x31, 0xC9, 0x48, 0x89, 0xD8];
        code.extend([0x49, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF]);
        code.extend(CALL);
        let c = constants(&code);
        assert_eq!(c[3], Some(1), "RDI");
        assert_eq!(c[2], Some(0), "RCX");
        assert_eq!(c[0], None, "RAX holds RBX, not a constant");
        assert_eq!(c[5], Some(u64::MAX), "R8, sign-extended");
        assert_eq!(c[1], None, "RBX never written");
    }

    #[test]
    fn the_last_write_counts_and_a_partial_one_is_unknown() {
        // mov edi, 1; mov edi, 5; mov esi, 2; mov sil, 3; call
        let mut code = vec![0xBF, 1, 0, 0, 0, 0xBF, 5, 0, 0, 0, 0xBE, 2, 0, 0, 0];
        code.extend([0x40, 0xB6, 3]);
        code.extend(CALL);
        let c = constants(&code);
        assert_eq!(c[3], Some(5));
        assert_eq!(
            c[4], None,
            "only SIL was set last: the upper bytes are not known"
        );
    }

    #[test]
    fn nothing_is_known_across_a_jump_landing_or_an_earlier_call() {
        // mov edi, 1; mov esi, 2 (where the jump lands); call; jmp back to mov esi
        let mut code = vec![0xBF, 1, 0, 0, 0, 0xBE, 2, 0, 0, 0];
        code.extend(CALL);
        code.extend([0xEB, 0xF4]);
        let c = constants(&code);
        assert_eq!(c[4], Some(2), "set after the landing");
        assert_eq!(
            c[3], None,
            "set before the landing: a jump may bring another value"
        );
        // mov edi, 1; call; call: the second call's RDI is what the first left
        let mut code = vec![0xBF, 1, 0, 0, 0];
        code.extend(CALL);
        code.extend(CALL);
        let calls = calls_in(&code, 0x1000);
        assert_eq!(calls[0].1.constants[3], Some(1));
        assert_eq!(calls[1].1.constants[3], None);
    }
}
