//! Struct field offsets from a Go binary's DWARF, for probes that read Go
//! structures (the goroutine id in runtime.g, a test's name in testing.common).
//! Go emits one compile unit per package, so only the named packages' units
//! are walked.

use std::collections::HashMap;

use gimli::{EndianSlice, RunTimeEndian};
use object::{Object, ObjectSection};

/// `(struct, field)` pairs to find, e.g. `("runtime.g", "goid")`.
pub fn field_offsets(
    sections: &TypeSections,
    wanted: &[(&str, &str)],
) -> Result<HashMap<(String, String), u64>, String> {
    let dwarf = sections.dwarf();
    let packages: Vec<&str> = wanted
        .iter()
        .map(|(s, _)| s.rsplit_once('.').map_or(*s, |(p, _)| p))
        .collect();
    let mut found = HashMap::new();
    // Go usually puts a type in its package's unit, but not always
    // (net/http.Response lands elsewhere): a second pass reads every unit.
    for all_units in [false, true] {
        if found.len() == wanted.len() {
            break;
        }
        walk(&dwarf, wanted, &packages, all_units, &mut found)?;
    }
    Ok(found)
}

pub type Dwarf<'a> = gimli::Dwarf<EndianSlice<'a, RunTimeEndian>>;

fn endian_of(file: &object::File) -> RunTimeEndian {
    if file.is_little_endian() {
        RunTimeEndian::Little
    } else {
        RunTimeEndian::Big
    }
}

/// The DWARF sections type and signature lookups need, decompressed once per
/// binary (`BinaryInfo::type_sections`): Go compresses its DWARF, and
/// inflating `.debug_info` three times (struct offsets, the gctrace switch,
/// rule parameters) was a sixth of gate's start-up CPU. The line, location
/// and range sections are left out: types need none of them.
pub struct TypeSections {
    sections: gimli::DwarfSections<Vec<u8>>,
    endian: RunTimeEndian,
}

impl TypeSections {
    pub fn read(file: &object::File) -> Result<Self, String> {
        let load = |id: gimli::SectionId| -> Result<Vec<u8>, gimli::Error> {
            let needed = matches!(
                id,
                gimli::SectionId::DebugInfo
                    | gimli::SectionId::DebugAbbrev
                    | gimli::SectionId::DebugStr
            );
            Ok(file
                .section_by_name(id.name())
                .filter(|_| needed)
                .and_then(|s| s.uncompressed_data().ok())
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default())
        };
        let sections =
            gimli::DwarfSections::load(load).map_err(|e| format!("reading DWARF: {e}"))?;
        Ok(TypeSections {
            sections,
            endian: endian_of(file),
        })
    }

    pub fn dwarf(&self) -> Dwarf<'_> {
        self.sections.borrow(|s| EndianSlice::new(s, self.endian))
    }
}

fn walk(
    dwarf: &Dwarf,
    wanted: &[(&str, &str)],
    packages: &[&str],
    all_units: bool,
    found: &mut HashMap<(String, String), u64>,
) -> Result<(), String> {
    let mut units = dwarf.units();
    while let Some(header) = units
        .next()
        .map_err(|e| format!("reading DWARF units: {e}"))?
    {
        // Entries straight from the header: gimli's Unit would parse the line
        // program, whose section is not loaded.
        let abbrevs = dwarf
            .abbreviations(&header)
            .map_err(|e| format!("reading a DWARF unit: {e}"))?;
        let mut entries = header.entries(&abbrevs);
        let unit_name = match entries.next_dfs() {
            Ok(Some(root)) => root
                .attr_value(gimli::DW_AT_name)
                .map(|v| string_of(dwarf, v))
                .unwrap_or_default(),
            Ok(None) => continue,
            Err(e) => return Err(format!("reading a DWARF unit: {e}")),
        };
        if !all_units && !packages.contains(&unit_name.as_str()) {
            continue;
        }
        let mut current_struct: Option<(String, isize)> = None;
        while let Some(entry) = entries
            .next_dfs()
            .map_err(|e| format!("reading DWARF entries: {e}"))?
        {
            let depth = entry.depth();
            if current_struct.as_ref().is_some_and(|(_, d)| depth <= *d) {
                current_struct = None;
            }
            let name = entry
                .attr_value(gimli::DW_AT_name)
                .map(|v| string_of(dwarf, v))
                .unwrap_or_default();
            match entry.tag() {
                gimli::DW_TAG_structure_type if wanted.iter().any(|(s, _)| *s == name) => {
                    current_struct = Some((name, depth));
                }
                gimli::DW_TAG_member => {
                    if let Some((s, _)) = &current_struct
                        && wanted.iter().any(|(ws, wf)| ws == s && *wf == name)
                        && let Some(off) = entry
                            .attr_value(gimli::DW_AT_data_member_location)
                            .and_then(|v| v.udata_value())
                    {
                        found.insert((s.clone(), name), off);
                        if found.len() == wanted.len() {
                            return Ok(());
                        }
                    }
                }
                _ => {}
            }
        }
        if found.len() == wanted.len() {
            break;
        }
    }
    Ok(())
}

/// A name attribute: Go writes names inline (DW_FORM_string), a .debug_str reference is read too.
fn string_of(dwarf: &Dwarf, value: gimli::AttributeValue<EndianSlice<RunTimeEndian>>) -> String {
    let bytes = match value {
        gimli::AttributeValue::String(s) => Some(s),
        gimli::AttributeValue::DebugStrRef(offset) => dwarf.debug_str.get_str(offset).ok(),
        _ => None,
    };
    bytes
        .map(|s| String::from_utf8_lossy(s.slice()).into_owned())
        .unwrap_or_default()
}

/// The offset of `field` in the (usually unnamed) struct type of a package
/// variable, e.g. `gctrace` in `runtime.debug`.
pub fn variable_field_offset(
    sections: &TypeSections,
    variable: &str,
    field: &str,
) -> Result<Option<u64>, String> {
    let dwarf = sections.dwarf();
    let package = variable.rsplit_once('.').map_or(variable, |(p, _)| p);
    let err = |e: gimli::Error| format!("reading DWARF: {e}");
    // The variable, in its package's unit; its type may be in another unit.
    let mut type_at: Option<gimli::DebugInfoOffset> = None;
    let mut units = dwarf.units();
    while let Some(header) = units.next().map_err(err)? {
        let abbrevs = dwarf.abbreviations(&header).map_err(err)?;
        let mut entries = header.entries(&abbrevs);
        let unit_name = match entries.next_dfs().map_err(err)? {
            Some(root) => root
                .attr_value(gimli::DW_AT_name)
                .map(|v| string_of(&dwarf, v))
                .unwrap_or_default(),
            None => continue,
        };
        if unit_name != package {
            continue;
        }
        while let Some(entry) = entries.next_dfs().map_err(err)? {
            if entry.tag() == gimli::DW_TAG_variable
                && entry
                    .attr_value(gimli::DW_AT_name)
                    .is_some_and(|v| string_of(&dwarf, v) == variable)
            {
                type_at = match entry.attr_value(gimli::DW_AT_type) {
                    Some(gimli::AttributeValue::UnitRef(at)) => at.to_debug_info_offset(&header),
                    Some(gimli::AttributeValue::DebugInfoRef(at)) => Some(at),
                    _ => None,
                };
                break;
            }
        }
        // A package can span several units (Go 1.27 splits the runtime's).
        if type_at.is_some() {
            break;
        }
    }
    let Some(type_at) = type_at else {
        return Ok(None);
    };
    let mut units = dwarf.units();
    while let Some(header) = units.next().map_err(err)? {
        let Some(at) = type_at.to_unit_offset(&header) else {
            continue;
        };
        let abbrevs = dwarf.abbreviations(&header).map_err(err)?;
        let mut members = header.entries_at_offset(&abbrevs, at).map_err(err)?;
        // The struct itself, then its members one level down.
        let _ = members.next_dfs().map_err(err)?;
        while let Some(entry) = members.next_dfs().map_err(err)? {
            if entry.depth() <= 0 {
                break;
            }
            if entry.tag() == gimli::DW_TAG_member
                && entry
                    .attr_value(gimli::DW_AT_name)
                    .is_some_and(|v| string_of(&dwarf, v) == field)
            {
                return Ok(entry
                    .attr_value(gimli::DW_AT_data_member_location)
                    .and_then(|v| v.udata_value()));
            }
        }
        return Ok(None);
    }
    Ok(None)
}
