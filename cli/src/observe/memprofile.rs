//! Allocation scopes (`kind = "alloc"`): the test binary's own heap profile
//! (`-test.memprofile` with `-test.memprofilerate=1`, so every allocation is
//! sampled), read after the run. An allocation counts for a probe when its
//! stack (inlined frames included, as the runtime records them) passes
//! through a function the probe names; it is charged to the top-level test
//! whose `TestXxx` frame is on that stack, and placed at its first frame in
//! the repository. Allocations of goroutines a test started have no test
//! frame: they count for the binary only.

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;

use super::Observations;
use super::engine::{Instance, SiteKey};
use crate::rules::probe::{ProbeSpec, Whose};
use crate::target::inspect::SymbolPattern;
use crate::target::{BinaryInfo, Site};

/// The parts of a pprof `Profile` message gate reads.
#[derive(Debug, Default)]
struct Profile {
    /// (location ids, innermost first; values: alloc_objects, alloc_space, ...)
    samples: Vec<(Vec<u64>, Vec<i64>)>,
    /// location id -> (function id, line), innermost inlined frame first
    locations: HashMap<u64, Vec<(u64, i64)>>,
    /// function id -> (name, file)
    functions: HashMap<u64, (u64, u64)>,
    strings: Vec<String>,
    /// index of alloc_objects and alloc_space in a sample's values
    value_types: Vec<(u64, u64)>,
}

/// A protobuf field: its number, and a varint or bytes.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The fields of one message; None when it is not well-formed protobuf.
fn fields(b: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < b.len() {
        let key = varint(b, &mut at)?;
        let (number, wire) = (key >> 3, key & 7);
        let field = match wire {
            0 => Field::Varint(varint(b, &mut at)?),
            2 => {
                let len = usize::try_from(varint(b, &mut at)?).ok()?;
                let bytes = b.get(at..at.checked_add(len)?)?;
                at += len;
                Field::Bytes(bytes)
            }
            1 => {
                at += 8;
                continue;
            }
            5 => {
                at += 4;
                continue;
            }
            _ => return None,
        };
        out.push((number, field));
    }
    Some(out)
}

/// A repeated integer field, packed or not.
fn push_ints(field: &Field, into: &mut Vec<u64>) -> Option<()> {
    match field {
        Field::Varint(v) => into.push(*v),
        Field::Bytes(b) => {
            let mut at = 0;
            while at < b.len() {
                into.push(varint(b, &mut at)?);
            }
        }
    }
    Some(())
}

fn int(field: &Field) -> u64 {
    match field {
        Field::Varint(v) => *v,
        Field::Bytes(_) => 0,
    }
}

fn parse(gzipped: &[u8]) -> Option<Profile> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gzipped)
        .read_to_end(&mut raw)
        .ok()?;
    let mut p = Profile::default();
    for (number, field) in fields(&raw)? {
        let Field::Bytes(body) = field else { continue };
        match number {
            1 => {
                let (mut kind, mut unit) = (0, 0);
                for (n, f) in fields(body)? {
                    match n {
                        1 => kind = int(&f),
                        2 => unit = int(&f),
                        _ => {}
                    }
                }
                p.value_types.push((kind, unit));
            }
            2 => {
                let (mut locations, mut values) = (Vec::new(), Vec::new());
                for (n, f) in fields(body)? {
                    match n {
                        1 => push_ints(&f, &mut locations)?,
                        2 => push_ints(&f, &mut values)?,
                        _ => {}
                    }
                }
                p.samples
                    .push((locations, values.into_iter().map(|v| v as i64).collect()));
            }
            4 => {
                let (mut id, mut lines) = (0, Vec::new());
                for (n, f) in fields(body)? {
                    match (n, f) {
                        (1, f) => id = int(&f),
                        (4, Field::Bytes(line)) => {
                            let (mut function, mut number) = (0, 0);
                            for (ln, lf) in fields(line)? {
                                match ln {
                                    1 => function = int(&lf),
                                    2 => number = int(&lf) as i64,
                                    _ => {}
                                }
                            }
                            lines.push((function, number));
                        }
                        _ => {}
                    }
                }
                p.locations.insert(id, lines);
            }
            5 => {
                let (mut id, mut name, mut file) = (0, 0, 0);
                for (n, f) in fields(body)? {
                    match n {
                        1 => id = int(&f),
                        2 => name = int(&f),
                        4 => file = int(&f),
                        _ => {}
                    }
                }
                p.functions.insert(id, (name, file));
            }
            6 => p.strings.push(String::from_utf8_lossy(body).into_owned()),
            _ => {}
        }
    }
    Some(p)
}

/// Charges the profile's allocations to the alloc probes; a note when it cannot be read.
pub fn scan(
    obs: &mut Observations,
    specs: &[&ProbeSpec],
    info: &BinaryInfo,
    profile: Option<&[u8]>,
) {
    if specs.is_empty() {
        return;
    }
    let Some(p) = profile.and_then(parse) else {
        obs.warnings.push(
            "no heap profile (-test.memprofile) to read allocation scopes from: the test binary \
             did not finish normally; the alloc probes' rules had no data"
                .into(),
        );
        return;
    };
    let string = |i: u64| p.strings.get(i as usize).map_or("", String::as_str);
    let index_of = |kind: &str| {
        p.value_types
            .iter()
            .position(|(k, u)| string(*k) == kind && !string(*u).is_empty())
    };
    let (Some(objects_at), Some(bytes_at)) = (index_of("alloc_objects"), index_of("alloc_space"))
    else {
        obs.warnings
            .push("the heap profile has no alloc_objects/alloc_space values".into());
        return;
    };
    let tests: Vec<String> = obs.tests.iter().map(|t| t.name.clone()).collect();
    let top_level = format!("{}.", info.package);
    let external = format!("{}_test.", info.package);
    for spec in specs {
        let pattern = SymbolPattern::new(&spec.point.symbol);
        let (bytes_name, objects_name) = (spec.metrics[0].name, spec.metrics[1].name);
        let mut by_site: BTreeMap<SiteKey, (f64, f64, Option<Site>)> = BTreeMap::new();
        for (locations, values) in &p.samples {
            // Frames, innermost first, inlined ones included.
            let frames: Vec<(&str, &str, i64)> = locations
                .iter()
                .filter_map(|l| p.locations.get(l))
                .flatten()
                .filter_map(|(f, line)| {
                    let (name, file) = p.functions.get(f)?;
                    Some((string(*name), string(*file), *line))
                })
                .collect();
            if !frames.iter().any(|(name, _, _)| pattern.matches(name)) {
                continue;
            }
            let test = frames.iter().find_map(|(name, _, _)| {
                let t = name
                    .strip_prefix(&top_level)
                    .or_else(|| name.strip_prefix(&external))?;
                let t = t.split('.').next()?;
                tests.iter().any(|x| x == t).then(|| t.to_string())
            });
            let site = frames.iter().find_map(|(name, file, line)| {
                let mut site = info.repository_site(file, (*line).max(0) as u32)?;
                site.function = name.to_string();
                Some(site)
            });
            let counted = match (spec.whose, &site) {
                (Whose::Any, _) => true,
                (_, None) => false,
                (Whose::UnderTest, Some(s)) => !s.file.ends_with("_test.go"),
                (Whose::Tests, Some(s)) => s.file.ends_with("_test.go"),
            };
            if !counted {
                continue;
            }
            let key = (test, site.as_ref().map(|s| (s.file.clone(), s.line)));
            let e = by_site.entry(key).or_insert((0.0, 0.0, site));
            e.0 += values.get(bytes_at).copied().unwrap_or(0) as f64;
            e.1 += values.get(objects_at).copied().unwrap_or(0) as f64;
        }
        // One finding per test and allocating site, in both metrics.
        let (mut bytes_found, mut objects_found) = (Vec::new(), Vec::new());
        for ((test, _), (bytes, n, site)) in by_site {
            let detail = format!(
                "{} objects, {} bytes allocated inside {}",
                crate::units::fmt_num(n),
                crate::units::fmt_num(bytes),
                spec.point.symbol
            );
            let instance = |value: f64| Instance {
                test: test.clone(),
                site: site.clone(),
                detail: detail.clone(),
                value: Some(value),
                entry: None,
                created_by: Vec::new(),
                figures: BTreeMap::new(),
            };
            bytes_found.push(instance(bytes));
            objects_found.push(instance(n));
        }
        obs.found.insert(bytes_name.to_string(), bytes_found);
        obs.found.insert(objects_name.to_string(), objects_found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_fields_decode() {
        // field 1 varint 150 (0x96 0x01), field 2 bytes "ab"
        let msg = [0x08, 0x96, 0x01, 0x12, 0x02, b'a', b'b'];
        let f = fields(&msg).expect("well formed");
        assert!(matches!(f[0], (1, Field::Varint(150))));
        assert!(matches!(f[1], (2, Field::Bytes(b"ab"))));
        assert!(
            fields(&[0x12, 0x05, b'a']).is_none(),
            "a truncated field is not data"
        );
    }
}
