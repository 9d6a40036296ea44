//! Where to put probes in a test binary: file offsets of function entries
//! and of every RET instruction (decoded with iced-x86), struct offsets
//! from DWARF, and the runtime's wait-reason strings.

use object::{Object, ObjectSection, ObjectSymbol};

use super::BinaryInfo;

/// A missing piece a probe needs, named so the user can act on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    pub symbol: String,
    pub what: String,
}

/// Converts a virtual address to its offset in the file (what uprobes attach to).
pub fn file_offset(file: &object::File, addr: u64) -> Option<u64> {
    file.sections().find_map(|s| {
        let (start, size) = (s.address(), s.size());
        let (offset, _) = s.file_range()?;
        (addr >= start && addr < start + size).then(|| offset + (addr - start))
    })
}

/// File offset of a function's entry.
pub fn entry_offset(info: &BinaryInfo, symbol: &str) -> Result<u64, Missing> {
    let missing = |what: &str| Missing {
        symbol: symbol.to_string(),
        what: what.to_string(),
    };
    let (addr, _) = info
        .function(symbol)
        .ok_or_else(|| missing("no such function symbol (inlined or stripped)"))?;
    let file = object::File::parse(info.data()).map_err(|_| missing("cannot parse the binary"))?;
    file_offset(&file, addr).ok_or_else(|| missing("address outside the file's sections"))
}

/// File offsets of every RET instruction of a function (amd64).
pub fn ret_offsets(info: &BinaryInfo, symbol: &str) -> Result<Vec<u64>, Missing> {
    let missing = |what: &str| Missing {
        symbol: symbol.to_string(),
        what: what.to_string(),
    };
    let (addr, size) = info
        .function(symbol)
        .ok_or_else(|| missing("no such function symbol (inlined or stripped)"))?;
    let file = object::File::parse(info.data()).map_err(|_| missing("cannot parse the binary"))?;
    if file.architecture() != object::Architecture::X86_64 {
        return Err(missing("return values are decoded on amd64 only"));
    }
    let start =
        file_offset(&file, addr).ok_or_else(|| missing("address outside the file's sections"))?;
    let code = info
        .data()
        .get(start as usize..(start + size) as usize)
        .ok_or_else(|| missing("function body outside the file"))?;
    let mut decoder = iced_x86::Decoder::with_ip(64, code, addr, iced_x86::DecoderOptions::NONE);
    let mut rets = Vec::new();
    for insn in &mut decoder {
        if insn.mnemonic() == iced_x86::Mnemonic::Ret {
            rets.push(start + (insn.ip() - addr));
        }
    }
    if rets.is_empty() {
        return Err(missing("no RET instruction found"));
    }
    Ok(rets)
}

/// File offsets of the indirect CALL instructions of a function (sync.Pool.Get calls New through its only one).
pub fn indirect_call_offsets(info: &BinaryInfo, symbol: &str) -> Result<Vec<u64>, Missing> {
    let missing = |what: &str| Missing {
        symbol: symbol.to_string(),
        what: what.to_string(),
    };
    let (addr, size) = info
        .function(symbol)
        .ok_or_else(|| missing("no such function symbol (inlined or stripped)"))?;
    let file = object::File::parse(info.data()).map_err(|_| missing("cannot parse the binary"))?;
    let start =
        file_offset(&file, addr).ok_or_else(|| missing("address outside the file's sections"))?;
    let code = info
        .data()
        .get(start as usize..(start + size) as usize)
        .ok_or_else(|| missing("function body outside the file"))?;
    let decoder = iced_x86::Decoder::with_ip(64, code, addr, iced_x86::DecoderOptions::NONE);
    Ok(decoder
        .into_iter()
        .filter(|i| {
            i.mnemonic() == iced_x86::Mnemonic::Call
                && i.op0_kind() != iced_x86::OpKind::NearBranch64
        })
        .map(|i| start + (i.ip() - addr))
        .collect())
}

/// runtime.waitReasonStrings: the text of every gopark reason code, read from the binary.
pub fn wait_reasons(info: &BinaryInfo) -> Vec<String> {
    let Ok(file) = object::File::parse(info.data()) else {
        return Vec::new();
    };
    let Some(sym) = file
        .symbols()
        .find(|s| s.name() == Ok("runtime.waitReasonStrings"))
    else {
        return Vec::new();
    };
    let read = |addr: u64, len: u64| -> Option<Vec<u8>> {
        let off = file_offset(&file, addr)? as usize;
        info.data().get(off..off + len as usize).map(<[u8]>::to_vec)
    };
    let Some(table) = read(sym.address(), sym.size()) else {
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
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Offsets of Go struct fields the probes read, from DWARF.
pub fn struct_offsets(info: &BinaryInfo, wanted: &[(&str, &str)]) -> Result<Vec<u64>, Missing> {
    let file = object::File::parse(info.data()).map_err(|_| Missing {
        symbol: wanted[0].0.to_string(),
        what: "cannot parse the binary".into(),
    })?;
    let found = super::dwarf::field_offsets(&file, wanted).map_err(|e| Missing {
        symbol: wanted[0].0.to_string(),
        what: e,
    })?;
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
