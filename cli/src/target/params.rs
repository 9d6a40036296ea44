//! Go function parameters from DWARF: their names, types and the registers
//! Go's internal ABI (amd64) assigns them, so rules name arguments and
//! results as they are written (`d`, `format`, `~r0`) and predicates compare
//! values at their width (a `bool` or `uint32` fills only the low bits of its
//! register: the rest is garbage).

use std::collections::HashMap;

use gimli::{AttributeValue, EndianSlice, RunTimeEndian, UnitHeader};

type R<'a> = EndianSlice<'a, RunTimeEndian>;

/// One integer register's worth of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Bytes of the value in the register: 1, 2, 4 or 8.
    pub width: u8,
    pub signed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// In integer registers from this slot (1 = RAX) on, one word each.
    Registers { slot: u32, words: Vec<Word> },
    /// On the stack (too large, or an array of two or more elements).
    Stack,
    /// Floating-point registers, which uprobe programs cannot read.
    Float,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub result: bool,
    pub placement: Placement,
    /// Go's kind of the type (DW_AT_GO_kind): 22 pointer, 24 string, 23 slice...
    pub go_kind: u64,
    /// For a pointer to a struct: that struct.
    pub pointee: Option<Pointee>,
    type_offset: usize,
}

/// The struct a pointer parameter points to: its type's name and size and,
/// one level deep, its fields. A lifecycle whose release takes a pointer to
/// a field of what was acquired (Go 1.22's `Timer.Stop` hands the runtime
/// `&t.r`) joins the two by that field's offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointee {
    pub type_name: String,
    pub size: Option<u64>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub type_name: String,
    pub offset: u64,
    pub size: Option<u64>,
    pub is_struct: bool,
}

impl Pointee {
    /// Where `inner` sits in this struct: 0 for the struct itself, else the
    /// offset of the field of its type, or of the one struct field of its size
    /// when the names differ because the function is the runtime's under a
    /// linkname (Go 1.22's `time.stopTimer` is `runtime.stopTimer(*runtime.timer)`,
    /// the runtime's mirror of `time.runtimeTimer`).
    pub fn offset_of(&self, inner: &Pointee) -> Option<u64> {
        if self.type_name == inner.type_name {
            return Some(0);
        }
        if let Some(f) = self.fields.iter().find(|f| f.type_name == inner.type_name) {
            return Some(f.offset);
        }
        let mut same_size = self
            .fields
            .iter()
            .filter(|f| f.is_struct && inner.size.is_some() && f.size == inner.size);
        match (same_size.next(), same_size.next()) {
            (Some(f), None) => Some(f.offset),
            _ => None,
        }
    }
}

/// Field paths by (function, parameter, path).
pub type FieldPaths = HashMap<(String, String, Vec<String>), FieldPath>;

/// A resolved field path: offsets to add and pointers to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// Offsets read in turn: each but the last dereferences a pointer.
    pub offsets: Vec<u32>,
    pub word: Word,
}

const INT_REGS: u32 = 9;
const FLOAT_REGS: u32 = 15;
const KIND_POINTER: u64 = 22;

/// The parameters of the named functions (DWARF subprogram names, as
/// `go tool nm` prints them), in declaration order, receivers first.
pub struct Signatures<'d> {
    dwarf: gimli::Dwarf<R<'d>>,
    headers: Vec<UnitHeader<R<'d>>>,
    functions: HashMap<String, Vec<Param>>,
}

/// The signatures of `symbols` and the field paths `fields` names
/// (function, parameter, path), in one pass over the binary's DWARF.
pub fn read(
    sections: &super::dwarf::TypeSections,
    symbols: &[&str],
    fields: &[(String, String, Vec<String>)],
) -> Result<(HashMap<String, Vec<Param>>, FieldPaths), String> {
    let dwarf = sections.dwarf();
    let mut headers = Vec::new();
    let mut units = dwarf.units();
    while let Some(h) = units
        .next()
        .map_err(|e| format!("reading DWARF units: {e}"))?
    {
        headers.push(h);
    }
    let mut sig = Signatures {
        dwarf,
        headers,
        functions: HashMap::new(),
    };
    sig.collect(symbols)?;
    let mut paths = HashMap::new();
    for (symbol, param, path) in fields {
        let Some(p) = sig
            .functions
            .get(symbol)
            .and_then(|ps| ps.iter().find(|p| &p.name == param))
        else {
            continue;
        };
        let resolved = sig.field_path(p.type_offset, path)?;
        paths.insert((symbol.clone(), param.clone(), path.clone()), resolved);
    }
    Ok((sig.functions, paths))
}

/// A DIE's attributes that matter here.
struct Die {
    tag: gimli::DwTag,
    name: String,
    type_offset: Option<usize>,
    byte_size: Option<u64>,
    encoding: Option<gimli::DwAte>,
    go_kind: u64,
    member_location: Option<u64>,
    variable_parameter: bool,
    count: Option<u64>,
}

impl<'d> Signatures<'d> {
    fn header_of(&self, offset: usize) -> Option<&UnitHeader<R<'d>>> {
        let i = self
            .headers
            .partition_point(|h| h.offset().0 <= offset)
            .checked_sub(1)?;
        Some(&self.headers[i])
    }

    fn die_at(&self, offset: usize) -> Result<(Die, Vec<Die>), String> {
        let header = self
            .header_of(offset)
            .ok_or_else(|| format!("DWARF offset {offset:#x} outside every unit"))?;
        let base = header.offset().0;
        let abbrevs = self
            .dwarf
            .abbreviations(header)
            .map_err(|e| format!("reading DWARF: {e}"))?;
        let mut cursor = header
            .entries_at_offset(&abbrevs, gimli::UnitOffset(offset - base))
            .map_err(|e| format!("reading DWARF: {e}"))?;
        let Some(entry) = cursor
            .next_dfs()
            .map_err(|e| format!("reading DWARF: {e}"))?
        else {
            return Err(format!("no DWARF entry at {offset:#x}"));
        };
        let root_depth = entry.depth();
        let die = self.die(header, entry);
        let mut children = Vec::new();
        while let Some(child) = cursor
            .next_dfs()
            .map_err(|e| format!("reading DWARF: {e}"))?
        {
            if child.depth() <= root_depth {
                break;
            }
            if child.depth() == root_depth + 1 {
                children.push(self.die(header, child));
            }
        }
        Ok((die, children))
    }

    fn die(
        &self,
        header: &UnitHeader<R<'d>>,
        entry: &gimli::DebuggingInformationEntry<R<'d>>,
    ) -> Die {
        let base = header.offset().0;
        let mut d = Die {
            tag: entry.tag(),
            name: String::new(),
            type_offset: None,
            byte_size: None,
            encoding: None,
            go_kind: 0,
            member_location: None,
            variable_parameter: false,
            count: None,
        };
        for a in entry.attrs() {
            match (a.name(), a.value()) {
                (gimli::DW_AT_name, v) => d.name = self.string(v),
                (gimli::DW_AT_type, AttributeValue::UnitRef(o)) => d.type_offset = Some(base + o.0),
                (gimli::DW_AT_type, AttributeValue::DebugInfoRef(o)) => d.type_offset = Some(o.0),
                (gimli::DW_AT_byte_size, v) => d.byte_size = v.udata_value(),
                (gimli::DW_AT_encoding, AttributeValue::Encoding(e)) => d.encoding = Some(e),
                (gimli::DW_AT_data_member_location, v) => d.member_location = v.udata_value(),
                (gimli::DW_AT_variable_parameter, AttributeValue::Flag(f)) => {
                    d.variable_parameter = f
                }
                (gimli::DW_AT_variable_parameter, v) => {
                    d.variable_parameter = v.udata_value().unwrap_or(0) != 0
                }
                (gimli::DW_AT_count, v) => d.count = v.udata_value(),
                // DW_AT_go_kind, Go's own attribute.
                (gimli::DwAt(0x2900), v) => d.go_kind = v.udata_value().unwrap_or(0),
                _ => {}
            }
        }
        d
    }

    fn string(&self, value: AttributeValue<R<'d>>) -> String {
        let bytes = match value {
            AttributeValue::String(s) => Some(s),
            AttributeValue::DebugStrRef(o) => self.dwarf.debug_str.get_str(o).ok(),
            _ => None,
        };
        bytes
            .map(|s| String::from_utf8_lossy(s.slice()).into_owned())
            .unwrap_or_default()
    }

    fn collect(&mut self, symbols: &[&str]) -> Result<(), String> {
        if symbols.is_empty() {
            return Ok(());
        }
        let mut found: HashMap<String, Vec<(String, bool, usize)>> = HashMap::new();
        for header in &self.headers {
            let abbrevs = self
                .dwarf
                .abbreviations(header)
                .map_err(|e| format!("reading DWARF: {e}"))?;
            let base = header.offset().0;
            let mut entries = header.entries(&abbrevs);
            let mut current: Option<String> = None;
            while let Some(entry) = entries
                .next_dfs()
                .map_err(|e| format!("reading DWARF: {e}"))?
            {
                match (entry.depth(), entry.tag()) {
                    (1, gimli::DW_TAG_subprogram) => {
                        let name = entry
                            .attr_value(gimli::DW_AT_name)
                            .map(|v| self.string(v))
                            .unwrap_or_default();
                        current = (symbols.contains(&name.as_str()) && !found.contains_key(&name))
                            .then_some(name);
                        if let Some(n) = &current {
                            found.insert(n.clone(), Vec::new());
                        }
                    }
                    (1, _) => current = None,
                    (2, gimli::DW_TAG_formal_parameter) => {
                        if let Some(n) = &current {
                            let d = self.die(header, entry);
                            if let Some(t) = d.type_offset {
                                found.entry(n.clone()).or_default().push((
                                    d.name,
                                    d.variable_parameter,
                                    t,
                                ));
                            }
                        }
                    }
                    _ => {}
                }
                let _ = base;
            }
            if found.len() == symbols.len() {
                break;
            }
        }
        for (function, params) in found {
            let mut out = Vec::new();
            // A generic function's dictionary is a hidden first argument (after the
            // receiver of a method), which DWARF does not list.
            let dictionary = function.contains("[go.shape.");
            // `pkg.(*T[...]).M` and `pkg.T[...].M` are methods, `pkg.F[...]` a function.
            let method = function
                .rsplit_once(']')
                .is_some_and(|(_, tail)| tail.starts_with(").") || tail.starts_with('.'));
            // Arguments and results are assigned registers separately, each from RAX.
            for results in [false, true] {
                let (mut ints, mut floats) = (0u32, 0u32);
                if dictionary && !results && !method {
                    ints = 1;
                }
                for (name, _, t) in params.iter().filter(|p| p.1 == results) {
                    let (words, nfloat) = match self.layout(*t, 0) {
                        Ok(l) => l,
                        Err(_) => (Vec::new(), u32::MAX),
                    };
                    let go_kind = self.die_at(*t).map(|(d, _)| self.kind_of(&d)).unwrap_or(0);
                    let fits = nfloat != u32::MAX
                        && ints + words.len() as u32 <= INT_REGS
                        && floats + nfloat <= FLOAT_REGS;
                    let placement = if !fits {
                        Placement::Stack
                    } else if nfloat > 0 && words.is_empty() {
                        floats += nfloat;
                        Placement::Float
                    } else {
                        let p = Placement::Registers {
                            slot: ints + 1,
                            words: words.clone(),
                        };
                        ints += words.len() as u32;
                        floats += nfloat;
                        p
                    };
                    out.push(Param {
                        name: name.clone(),
                        result: results,
                        placement,
                        go_kind,
                        pointee: self.pointee(*t),
                        type_offset: *t,
                    });
                    // A generic method's dictionary follows its receiver.
                    if dictionary && method && !results && out.len() == 1 {
                        ints += 1;
                    }
                }
            }
            self.functions.insert(function, out);
        }
        Ok(())
    }

    fn kind_of(&self, d: &Die) -> u64 {
        if d.go_kind != 0 || d.tag != gimli::DW_TAG_typedef {
            return d.go_kind;
        }
        d.type_offset
            .and_then(|t| self.die_at(t).ok())
            .map_or(0, |(inner, _)| self.kind_of(&inner))
    }

    /// The integer words and the number of float registers of a type, per
    /// Go's ABI; Err when it goes on the stack whatever the registers left.
    fn layout(&self, offset: usize, depth: u32) -> Result<(Vec<Word>, u32), ()> {
        if depth > 16 {
            return Err(());
        }
        let (d, children) = self.die_at(offset).map_err(|_| ())?;
        match d.tag {
            gimli::DW_TAG_typedef => self.layout(d.type_offset.ok_or(())?, depth + 1),
            gimli::DW_TAG_base_type => {
                let size = d.byte_size.unwrap_or(8);
                match d.encoding {
                    Some(gimli::DW_ATE_float) => Ok((Vec::new(), 1)),
                    Some(gimli::DW_ATE_complex_float) => Ok((Vec::new(), 2)),
                    e => Ok((
                        vec![Word {
                            width: size.clamp(1, 8) as u8,
                            signed: e == Some(gimli::DW_ATE_signed),
                        }],
                        0,
                    )),
                }
            }
            gimli::DW_TAG_pointer_type
            | gimli::DW_TAG_subroutine_type
            | gimli::DW_TAG_unspecified_type => Ok((
                vec![Word {
                    width: 8,
                    signed: false,
                }],
                0,
            )),
            gimli::DW_TAG_structure_type => {
                let mut words = Vec::new();
                let mut floats = 0;
                for m in children.iter().filter(|c| c.tag == gimli::DW_TAG_member) {
                    let (w, f) = self.layout(m.type_offset.ok_or(())?, depth + 1)?;
                    words.extend(w);
                    floats += f;
                }
                Ok((words, floats))
            }
            gimli::DW_TAG_array_type => {
                let count = children
                    .iter()
                    .find(|c| c.tag == gimli::DW_TAG_subrange_type)
                    .and_then(|c| c.count)
                    .unwrap_or(0);
                match count {
                    0 => Ok((Vec::new(), 0)),
                    1 => self.layout(d.type_offset.ok_or(())?, depth + 1),
                    _ => Err(()),
                }
            }
            // Maps and channels are pointers in Go's DWARF (typedefs of pointer types).
            _ if d.byte_size == Some(8) => Ok((
                vec![Word {
                    width: 8,
                    signed: false,
                }],
                0,
            )),
            _ => Err(()),
        }
    }

    /// The struct a pointer type points to, with its fields' types and offsets.
    fn pointee(&self, type_offset: usize) -> Option<Pointee> {
        let (ptr, _) = self.underlying(type_offset).ok()?;
        if ptr.tag != gimli::DW_TAG_pointer_type {
            return None;
        }
        let (st, members) = self.underlying(ptr.type_offset?).ok()?;
        if st.tag != gimli::DW_TAG_structure_type {
            return None;
        }
        let fields = members
            .iter()
            .filter(|m| m.tag == gimli::DW_TAG_member)
            .filter_map(|m| {
                let (t, _) = self.underlying(m.type_offset?).ok()?;
                Some(Field {
                    is_struct: t.tag == gimli::DW_TAG_structure_type,
                    size: t.byte_size,
                    type_name: t.name,
                    offset: m.member_location.unwrap_or(0),
                })
            })
            .collect();
        Some(Pointee {
            type_name: st.name,
            size: st.byte_size,
            fields,
        })
    }

    /// Follows typedefs to the type itself.
    fn underlying(&self, mut offset: usize) -> Result<(Die, Vec<Die>), String> {
        for _ in 0..16 {
            let (d, children) = self.die_at(offset)?;
            if d.tag != gimli::DW_TAG_typedef {
                return Ok((d, children));
            }
            offset = d
                .type_offset
                .ok_or_else(|| format!("typedef {} without a type", d.name))?;
        }
        Err("typedef chain too long".into())
    }

    /// Resolves `a.b` on a pointer-to-struct parameter: the offsets to read and the field's width.
    fn field_path(&self, param_type: usize, path: &[String]) -> Result<FieldPath, String> {
        let (ptr, _) = self.underlying(param_type)?;
        if ptr.tag != gimli::DW_TAG_pointer_type && self.kind_of(&ptr) != KIND_POINTER {
            return Err(format!(
                "a field is read through a pointer argument, and this argument is a {}",
                if ptr.name.is_empty() {
                    "value"
                } else {
                    &ptr.name
                }
            ));
        }
        let mut current = ptr
            .type_offset
            .ok_or_else(|| "pointer without a pointee type".to_string())?;
        let mut offsets: Vec<u32> = vec![0];
        for (i, name) in path.iter().enumerate() {
            let (st, members) = self.underlying(current)?;
            if st.tag != gimli::DW_TAG_structure_type {
                return Err(format!(
                    "{} is not a struct, it has no field {name}",
                    st.name
                ));
            }
            let Some(m) = members
                .iter()
                .find(|m| m.tag == gimli::DW_TAG_member && &m.name == name)
            else {
                let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
                return Err(format!(
                    "{} has no field {name}; its fields: {}",
                    st.name,
                    names.join(", ")
                ));
            };
            let last = offsets.len() - 1;
            offsets[last] += m.member_location.unwrap_or(0) as u32;
            let t = m
                .type_offset
                .ok_or_else(|| format!("field {name} without a type"))?;
            if i + 1 == path.len() {
                let (words, floats) = self
                    .layout(t, 0)
                    .map_err(|_| format!("field {name} is not a scalar"))?;
                return match (words.as_slice(), floats) {
                    ([w], 0) => Ok(FieldPath { offsets, word: *w }),
                    _ => Err(format!(
                        "field {name} is not an integer, bool or pointer (a string, slice, struct or float)"
                    )),
                };
            }
            let (inner, _) = self.underlying(t)?;
            if inner.tag == gimli::DW_TAG_pointer_type {
                current = inner
                    .type_offset
                    .ok_or_else(|| "pointer without a pointee type".to_string())?;
                offsets.push(0);
            } else {
                current = t;
            }
        }
        Err("empty field path".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(type_name: &str, offset: u64, size: u64) -> Field {
        Field {
            type_name: type_name.into(),
            offset,
            size: Some(size),
            is_struct: true,
        }
    }

    #[test]
    fn a_release_key_is_found_in_the_acquired_struct_by_type_or_by_size() {
        let timer = Pointee {
            type_name: "time.Timer".into(),
            size: Some(80),
            fields: vec![
                Field {
                    is_struct: false,
                    ..field("*hchan<time.Time>", 0, 8)
                },
                field("time.runtimeTimer", 8, 72),
            ],
        };
        let pointee = |name: &str, size| Pointee {
            type_name: name.into(),
            size: Some(size),
            fields: Vec::new(),
        };
        assert_eq!(timer.offset_of(&pointee("time.Timer", 80)), Some(0));
        assert_eq!(timer.offset_of(&pointee("time.runtimeTimer", 72)), Some(8));
        // The runtime's linknamed mirror of the field's type: the one struct of its size.
        assert_eq!(timer.offset_of(&pointee("runtime.timer", 72)), Some(8));
        assert_eq!(timer.offset_of(&pointee("os.Process", 40)), None);
    }
}
