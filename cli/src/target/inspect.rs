//! Inspects a test binary: Go version and package from `.go.buildinfo`,
//! symbols, and source sites (file:line) from its DWARF debug info.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};
use serde::{Deserialize, Serialize};

use crate::error::GateError;

/// A source location in the user's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// Relative to the repository root where the file lies inside it; absolute otherwise.
    pub file: String,
    pub line: u32,
    pub function: String,
}

/// What gate knows about a test binary before running it.
pub struct BinaryInfo {
    pub path: PathBuf,
    /// `go1.26.8`
    pub go_version: String,
    /// Import path of the package under test (`example.com/m/pkg`).
    pub package: String,
    /// Address and size of every function symbol, by name.
    functions: HashMap<String, (u64, u64)>,
    lines: LineTables,
    root: PathBuf,
    /// Functions sorted by address, to name the function containing a pc.
    by_address: Vec<(u64, u64, String)>,
    /// (address, size, file offset) of every section with file contents.
    sections: Vec<(u64, u64, u64)>,
    /// amd64, the architecture the BPF programs read registers of.
    pub x86_64: bool,
    /// Data symbols (package variables) sorted by address, to name a global's address.
    data_symbols: Vec<(u64, u64, String)>,
    /// The binary's bytes, for the probe planner (offsets, RET instructions, DWARF).
    data: memmap2::Mmap,
    /// The DWARF sections of types and signatures, decompressed on first use.
    type_sections: std::sync::OnceLock<Result<super::dwarf::TypeSections, String>>,
}

/// The binary's DWARF line tables, and the directory prefix of the Go standard
/// library's sources in them. Reading them takes tens of milliseconds of CPU,
/// and nothing needs them before the tests have run: they load in a thread
/// started once the probes are attached (`BinaryInfo::start_loading_lines`).
/// Started earlier, the thread took a core from gate's BPF loader and planner
/// on a two-core machine and delayed the start of the tests by 20 ms.
struct LineTables {
    state: std::sync::Mutex<LinesState>,
    loaded: std::sync::OnceLock<Option<Lines>>,
}

enum LinesState {
    /// Not started: the binary, and runtime.main's address, which locates the
    /// standard library (runtime/proc.go).
    Waiting(PathBuf, Option<u64>),
    Loading(std::thread::JoinHandle<Option<Lines>>),
    /// No DWARF, or already taken by `get`.
    Gone,
}

struct Lines {
    loader: addr2line::Loader,
    goroot_src: Option<String>,
}

impl Lines {
    fn read(path: &Path, runtime_main: Option<u64>) -> Option<Lines> {
        let loader = addr2line::Loader::new(path).ok()?;
        let goroot_src = runtime_main.and_then(|addr| {
            let file = loader.find_location(addr).ok()??.file?;
            file.find("/runtime/").map(|i| file[..=i].to_string())
        });
        Some(Lines { loader, goroot_src })
    }
}

impl LineTables {
    fn new(state: LinesState) -> LineTables {
        LineTables {
            state: std::sync::Mutex::new(state),
            loaded: std::sync::OnceLock::new(),
        }
    }

    /// Starts the thread, once: a second call leaves the first one loading.
    fn start(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if let LinesState::Waiting(path, runtime_main) = &*state {
            let (path, runtime_main) = (path.clone(), *runtime_main);
            *state =
                LinesState::Loading(std::thread::spawn(move || Lines::read(&path, runtime_main)));
        }
    }

    fn get(&self) -> Option<&Lines> {
        self.loaded
            .get_or_init(|| {
                let state = std::mem::replace(&mut *self.state.lock().ok()?, LinesState::Gone);
                match state {
                    LinesState::Waiting(path, runtime_main) => Lines::read(&path, runtime_main),
                    LinesState::Loading(handle) => handle.join().ok().flatten(),
                    LinesState::Gone => None,
                }
            })
            .as_ref()
    }
}

impl std::fmt::Debug for BinaryInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinaryInfo")
            .field("path", &self.path)
            .field("go_version", &self.go_version)
            .field("package", &self.package)
            .finish_non_exhaustive()
    }
}

impl BinaryInfo {
    /// Go (major, minor), e.g. (1, 26); None for devel builds.
    pub fn go_minor(&self) -> Option<(u32, u32)> {
        parse_go_version(&self.go_version)
    }

    /// `-test.v=test2json` frames markers with ^V; available since Go 1.20.
    pub fn supports_framed_output(&self) -> bool {
        self.go_minor().is_none_or(|v| v >= (1, 20))
    }

    /// Starts reading the line tables in a thread (see `LineTables`); they are
    /// read on first use otherwise.
    pub fn start_loading_lines(&self) {
        self.lines.start();
    }

    /// The source site of a test function: `TestX/sub` maps to the `func TestX` line.
    pub fn test_site(&self, test: &str) -> Option<Site> {
        let top = crate::run::test_output::top_level(test);
        [
            format!("{}.{top}", self.package),
            format!("{}_test.{top}", self.package),
        ]
        .into_iter()
        .find_map(|symbol| self.function_site(&symbol))
    }

    /// The source site of the first instruction of a function, by symbol name.
    pub fn function_site(&self, symbol: &str) -> Option<Site> {
        let (addr, _) = *self.functions.get(symbol)?;
        let loader = &self.lines.get()?.loader;
        let loc = loader.find_location(addr).ok()??;
        Some(Site {
            file: relative_to(&self.root, loc.file?),
            line: loc.line?,
            function: symbol.to_string(),
        })
    }

    /// The package variable at `addr` (a sync.Pool declared as a global), e.g. `example.com/m.bufPool`.
    pub fn variable_at(&self, addr: u64) -> Option<&str> {
        let i = self
            .data_symbols
            .partition_point(|(a, _, _)| *a <= addr)
            .checked_sub(1)?;
        let (start, size, name) = &self.data_symbols[i];
        (addr < start + (*size).max(1)).then_some(name.as_str())
    }

    /// Address of a package variable, by symbol name.
    pub fn variable(&self, symbol: &str) -> Option<u64> {
        self.variable_symbol(symbol).map(|(a, _)| a)
    }

    /// Address and size of a package variable, by symbol name.
    pub fn variable_symbol(&self, symbol: &str) -> Option<(u64, u64)> {
        self.data_symbols
            .iter()
            .find(|(_, _, n)| n == symbol)
            .map(|(a, s, _)| (*a, *s))
    }

    pub fn has_function(&self, symbol: &str) -> bool {
        self.functions.contains_key(symbol)
    }

    /// The name of the function containing `pc`, from the symbol table.
    pub fn function_at(&self, pc: u64) -> Option<&str> {
        let i = self
            .by_address
            .partition_point(|(addr, _, _)| *addr <= pc)
            .checked_sub(1)?;
        let (addr, size, name) = &self.by_address[i];
        (pc < addr + (*size).max(1)).then_some(name.as_str())
    }

    /// The first frame of a call stack (return addresses, innermost first)
    /// that lies in the user's code: not the Go runtime, the standard
    /// library or the generated test main. Inlined frames are expanded.
    pub fn user_site(&self, frames: &[u64]) -> Option<Site> {
        let loader = &self.lines.get()?.loader;
        for &pc in frames {
            if pc == 0 {
                continue;
            }
            // A return address points after the call; look up the call itself.
            let Ok(mut inlined) = loader.find_frames(pc - 1) else {
                continue;
            };
            while let Ok(Some(frame)) = inlined.next() {
                let Some(loc) = frame.location else { continue };
                let (Some(file), Some(line)) = (loc.file, loc.line) else {
                    continue;
                };
                if self.is_library_file(file) {
                    continue;
                }
                let function = frame
                    .function
                    .as_ref()
                    .and_then(|f| f.raw_name().ok().map(|n| n.into_owned()))
                    .unwrap_or_default();
                return Some(Site {
                    file: relative_to(&self.root, file),
                    line,
                    function,
                });
            }
        }
        None
    }

    fn is_library_file(&self, file: &str) -> bool {
        file.ends_with("_testmain.go")
            || file.starts_with("$GOROOT/")
            || file.starts_with("<autogenerated>")
            || self
                .lines
                .get()
                .and_then(|l| l.goroot_src.as_deref())
                .is_some_and(|g| file.starts_with(g))
    }

    /// A source file named in output (a traceback's `/abs/path.go:12`), as a
    /// site: only files inside the repository are the user's code.
    pub fn repository_site(&self, file: &str, line: u32) -> Option<Site> {
        let relative = Path::new(file).strip_prefix(&self.root).ok()?;
        Some(Site {
            file: relative.to_string_lossy().into_owned(),
            line,
            function: String::new(),
        })
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The DWARF that struct offsets and function signatures are read from,
    /// decompressed once for every lookup of this binary.
    pub fn type_sections(&self) -> Result<&super::dwarf::TypeSections, String> {
        self.type_sections
            .get_or_init(|| {
                let file = object::File::parse(&*self.data)
                    .map_err(|e| format!("cannot parse the binary: {e}"))?;
                super::dwarf::TypeSections::read(&file)
            })
            .as_ref()
            .map_err(String::clone)
    }

    /// The itabs whose method table starts with `methods` (addresses of the
    /// concrete type's methods, in the interface's sorted method order). Go
    /// 1.27 no longer names itabs in the symbol table (`go:itab.*T,I`); an
    /// itab is {inter, type, hash+pad, fun...}, so its methods sit 24 bytes in.
    pub fn itabs_with_methods(&self, methods: &[u64]) -> Vec<u64> {
        const FUN_OFFSET: usize = 24;
        let Some(&first) = methods.first() else {
            return Vec::new();
        };
        let word = |bytes: &[u8], at: usize| -> Option<u64> {
            Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
        };
        let mut found = Vec::new();
        for &(start, size, offset) in &self.sections {
            // Data sections only: not the debug sections (address 0) nor code.
            if start == 0 || (first >= start && first < start + size) {
                continue;
            }
            let Some(bytes) = self.data.get(offset as usize..(offset + size) as usize) else {
                continue;
            };
            let mut at = FUN_OFFSET;
            while at + 8 * methods.len() <= bytes.len() {
                let matches = methods
                    .iter()
                    .enumerate()
                    .all(|(k, m)| word(bytes, at + 8 * k) == Some(*m));
                // The interface and type pointers of a real itab are set.
                let pointers = word(bytes, at - FUN_OFFSET).is_some_and(|p| p != 0)
                    && word(bytes, at - FUN_OFFSET + 8).is_some_and(|p| p != 0);
                if matches && pointers {
                    found.push(start + (at - FUN_OFFSET) as u64);
                }
                at += 8;
            }
        }
        found
    }

    /// Converts a virtual address to its offset in the file (what uprobes attach to).
    pub fn file_offset(&self, addr: u64) -> Option<u64> {
        self.sections
            .iter()
            .find(|(start, size, _)| addr >= *start && addr < start + size)
            .map(|(start, _, off)| off + (addr - start))
    }

    pub fn function(&self, symbol: &str) -> Option<(u64, u64)> {
        self.functions.get(symbol).copied()
    }

    /// The functions a rule's symbol names: itself, or with `*` (any run of
    /// characters) every match, for generic shapes such as
    /// `internal/sync.(*HashTrieMap[*]).Load`; `|` separates alternatives
    /// (`context.WithCancel|context.WithValue`). Sorted, without repeats.
    pub fn functions_matching(&self, pattern: &str) -> Vec<String> {
        let pattern = SymbolPattern::new(pattern);
        let mut found: Vec<String> = Vec::new();
        for parts in &pattern.alternatives {
            match parts.as_slice() {
                // No `*`: one name, looked up rather than matched against all.
                [name] if self.has_function(name) => found.push(name.to_string()),
                [_] => {}
                _ => found.extend(
                    self.functions
                        .keys()
                        .filter(|name| glob(parts, name))
                        .cloned(),
                ),
            }
        }
        found.sort();
        found.dedup();
        found
    }

    /// Whether a function is user code (neither the runtime, the standard
    /// library nor the generated test main), by its symbol name.
    pub fn is_user_function(&self, name: &str) -> bool {
        let home = self.package.split('/').next().unwrap_or_default();
        is_user_symbol(name, home)
    }

    /// Address ranges of user code: functions of neither the Go runtime, the
    /// standard library nor the generated test main, merged where they are
    /// adjacent. A probe hit's site is its first frame in one of them.
    pub fn user_code_ranges(&self) -> Vec<(u64, u64)> {
        let home = self.package.split('/').next().unwrap_or_default();
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut last_user = false;
        for (addr, size, name) in &self.by_address {
            let user = is_user_symbol(name, home);
            if user {
                match ranges.last_mut() {
                    Some(r) if last_user => r.1 = addr + size.max(&1),
                    _ => ranges.push((*addr, addr + size.max(&1))),
                }
            }
            last_user = user;
        }
        ranges
    }
}

/// A package variable only the generated test main links in: a test binary
/// whose TestMain never calls m.Run can lose testing.MainStart too (inlined
/// into main.main on Go 1.22).
pub const TESTMAIN_MARK: &str = "testing/internal/testdeps.ImportPath";

/// A rule's symbol pattern, split once: `|` separates alternatives, `*`
/// matches any run of characters, the rest is literal.
pub struct SymbolPattern<'a> {
    alternatives: Vec<Vec<&'a str>>,
}

impl<'a> SymbolPattern<'a> {
    pub fn new(pattern: &'a str) -> Self {
        SymbolPattern {
            alternatives: pattern.split('|').map(|a| a.split('*').collect()).collect(),
        }
    }

    pub fn matches(&self, name: &str) -> bool {
        self.alternatives.iter().any(|parts| glob(parts, name))
    }
}

/// Whether a symbol names several functions (a `*` or `|` pattern) rather than one.
pub fn is_symbol_pattern(symbol: &str) -> bool {
    symbol.contains('*') || symbol.contains('|')
}

/// `*` matches any run of characters; the rest literally.
fn glob(parts: &[&str], name: &str) -> bool {
    let (first, rest) = match parts.split_first() {
        Some(p) => p,
        None => return name.is_empty(),
    };
    let Some(mut tail) = name.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        if i + 1 == rest.len() {
            return tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.is_empty()
}

/// The import path of a function symbol's package: `net/http` for
/// `net/http.(*Client).do`, `example.com/m/x` for `example.com/m/x.F[...]`.
pub fn symbol_package(name: &str) -> &str {
    let plain = name.split('[').next().unwrap_or(name);
    let after_slash = plain.rfind('/').map_or(0, |i| i + 1);
    match plain[after_slash..].find('.') {
        Some(dot) => &name[..after_slash + dot],
        None => plain,
    }
}

/// Whether a function is the user's code: not the Go runtime or standard
/// library (import paths whose first element has no dot, other than the
/// module's own, `home`), not the generated test main, not linker symbols.
fn is_user_symbol(name: &str, home: &str) -> bool {
    if name.starts_with("go:") || name.starts_with("type:") || name.contains("..") {
        return false;
    }
    let package = symbol_package(name);
    if package == "main" {
        return false; // _testmain.go
    }
    let first = package.split('/').next().unwrap_or_default();
    first.contains('.') || (!home.is_empty() && first == home)
}

/// Reads a binary and checks that it is a Go test binary (exit 3 otherwise).
pub fn inspect(path: &Path, root: &Path) -> Result<BinaryInfo, GateError> {
    let not_test = |reason: String| GateError::NotGoTestBinary {
        path: path.to_path_buf(),
        reason,
    };
    let cannot_read = |e| GateError::io(format!("cannot read target {}", path.display()), e);
    let opened = std::fs::File::open(path).map_err(cannot_read)?;
    // Mapped, not read: gate touches a few of a test binary's megabytes
    // (symbols, DWARF types, probed functions), and copying all 10-20 MB was
    // a third of inspection's time.
    // SAFETY: read-only mapping. Truncating the file while gate runs would
    // fault gate (SIGBUS): gate's own builds go to its private temporary
    // directory, and rebuilding a binary while gate probes it is a race anyway.
    let data = unsafe { memmap2::Mmap::map(&opened) }.map_err(cannot_read)?;
    let file = object::File::parse(&*data).map_err(|e| {
        not_test(format!(
            "not an executable gate can read ({e}); pass a Go test binary built with `go test -c`, or a package pattern"
        ))
    })?;
    let build = read_buildinfo(&file).ok_or_else(|| {
        not_test("not a Go binary (no .go.buildinfo section); build the tests with `go test -c -o pkg.test ./pkg`".into())
    })?;
    let main_path = build
        .modinfo
        .lines()
        .find_map(|l| l.strip_prefix("path\t"))
        .unwrap_or_default()
        .to_string();
    let mut functions = HashMap::new();
    let mut data_symbols = Vec::new();
    for sym in file.symbols() {
        if sym.kind() == SymbolKind::Data
            && let Ok(name) = sym.name()
        {
            data_symbols.push((sym.address(), sym.size(), name.to_string()));
        }
        if sym.kind() == SymbolKind::Text
            && let Ok(name) = sym.name()
        {
            functions.insert(name.to_string(), (sym.address(), sym.size()));
        }
    }
    let package = match main_path.strip_suffix(".test") {
        Some(pkg) => pkg.to_string(),
        // Test binaries built outside a module, or by Go before 1.24 in GOPATH-less ways,
        // carry no module info: the package whose Test functions are linked is the one.
        None if ["testing.MainStart", "testing.(*M).Run", "testing.tRunner"]
            .iter()
            .any(|f| functions.contains_key(*f))
            || data_symbols
                .iter()
                .any(|(_, _, name)| name == TESTMAIN_MARK) =>
        {
            package_of_tests(functions.keys()).unwrap_or_else(|| main_path.clone())
        }
        None => {
            return Err(not_test(format!(
                "a Go program ({}, main package {:?}) but not a test binary; build one with `go test -c`",
                build.go_version,
                if main_path.is_empty() {
                    "unknown"
                } else {
                    &main_path
                }
            )));
        }
    };
    let has_dwarf = file.section_by_name(".debug_info").is_some()
        || file.section_by_name(".zdebug_info").is_some();
    let lines = LineTables::new(if has_dwarf {
        LinesState::Waiting(
            path.to_path_buf(),
            functions.get("runtime.main").map(|(addr, _)| *addr),
        )
    } else {
        LinesState::Gone
    });
    let x86_64 = file.architecture() == object::Architecture::X86_64;
    let sections = file
        .sections()
        .filter_map(|s| s.file_range().map(|(off, _)| (s.address(), s.size(), off)))
        .collect();
    drop(file);
    let mut by_address: Vec<(u64, u64, String)> = functions
        .iter()
        .map(|(name, (addr, size))| (*addr, *size, name.clone()))
        .collect();
    by_address.sort();
    data_symbols.sort();
    Ok(BinaryInfo {
        data_symbols,
        path: path.to_path_buf(),
        go_version: build.go_version,
        package,
        functions,
        lines,
        root: root.to_path_buf(),
        by_address,
        sections,
        x86_64,
        data,
        type_sections: std::sync::OnceLock::new(),
    })
}

/// The package with the most `TestXxx` functions (an external `_test` package counts as its package).
fn package_of_tests<'a>(names: impl Iterator<Item = &'a String>) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in names {
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let Some(dot) = name[slash..].find('.').map(|i| slash + i) else {
            continue;
        };
        let (pkg, func) = (&name[..dot], &name[dot + 1..]);
        let is_test = func.strip_prefix("Test").is_some_and(|rest| {
            rest.chars().next().is_none_or(|c| !c.is_lowercase()) && !rest.contains('.')
        });
        if is_test && pkg != "testing" && !pkg.starts_with("testing/") {
            *counts
                .entry(pkg.strip_suffix("_test").unwrap_or(pkg))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(p, n)| (*n, std::cmp::Reverse(*p)))
        .map(|(p, _)| p.to_string())
}

struct BuildInfo {
    go_version: String,
    modinfo: String,
}

const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";

/// Decodes `.go.buildinfo` (see Go's debug/buildinfo): since Go 1.18 the
/// version and module info are inline, varint-length-prefixed; before, the
/// header holds pointers to Go string headers.
fn read_buildinfo(file: &object::File) -> Option<BuildInfo> {
    let section = file.section_by_name(".go.buildinfo")?;
    let data = section.data().ok()?;
    if data.len() < 32 || !data.starts_with(BUILDINFO_MAGIC) {
        return None;
    }
    let ptr_size = data[14] as usize;
    let flags = data[15];
    let (go_version, modinfo) = if flags & 0x2 != 0 {
        let (version, rest) = read_varint_string(&data[32..])?;
        let (modinfo, _) = read_varint_string(rest).unwrap_or((Vec::new(), &[]));
        (version, modinfo)
    } else {
        let big_endian = flags & 0x1 != 0;
        let read_ptr = |b: &[u8]| -> Option<u64> {
            Some(match (ptr_size, big_endian) {
                (8, false) => u64::from_le_bytes(b.get(..8)?.try_into().ok()?),
                (8, true) => u64::from_be_bytes(b.get(..8)?.try_into().ok()?),
                (4, false) => u32::from_le_bytes(b.get(..4)?.try_into().ok()?) as u64,
                (4, true) => u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as u64,
                _ => return None,
            })
        };
        let read_go_string = |addr: u64| -> Option<Vec<u8>> {
            let header = read_at(file, addr, 2 * ptr_size)?;
            let (ptr, len) = (read_ptr(&header)?, read_ptr(&header[ptr_size..])?);
            read_at(file, ptr, len as usize)
        };
        let version = read_go_string(read_ptr(&data[16..])?)?;
        let modinfo = read_go_string(read_ptr(&data[16 + ptr_size..])?).unwrap_or_default();
        (version, modinfo)
    };
    // Module info is wrapped in 16-byte sentinels.
    let modinfo = if modinfo.len() >= 33 {
        modinfo[16..modinfo.len() - 16].to_vec()
    } else {
        modinfo
    };
    Some(BuildInfo {
        go_version: String::from_utf8_lossy(&go_version).into_owned(),
        modinfo: String::from_utf8_lossy(&modinfo).into_owned(),
    })
}

fn read_at(file: &object::File, addr: u64, len: usize) -> Option<Vec<u8>> {
    file.sections().find_map(|s| {
        let start = s.address();
        if addr >= start && addr + len as u64 <= start + s.size() {
            let data = s.data().ok()?;
            let off = (addr - start) as usize;
            data.get(off..off + len).map(<[u8]>::to_vec)
        } else {
            None
        }
    })
}

fn read_varint_string(data: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut i = 0;
    loop {
        let b = *data.get(i)?;
        len |= u64::from(b & 0x7f) << shift;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let end = i.checked_add(usize::try_from(len).ok()?)?;
    Some((data.get(i..end)?.to_vec(), &data[end..]))
}

pub fn parse_go_version(version: &str) -> Option<(u32, u32)> {
    let rest = version.strip_prefix("go")?;
    let mut parts = rest.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The repository root: the nearest ancestor of `dir` with a `.git`, else `dir`.
pub fn repository_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

fn relative_to(root: &Path, file: &str) -> String {
    Path::new(file)
        .strip_prefix(root)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_patterns_match_like_go_tool_nm_names() {
        let symbol_matches = |p: &str, name: &str| SymbolPattern::new(p).matches(name);
        assert!(symbol_matches("fmt.Sprintf", "fmt.Sprintf"));
        assert!(!symbol_matches("fmt.Sprintf", "fmt.Sprintfx"));
        assert!(symbol_matches(
            "text/template.*",
            "text/template.(*state).walk"
        ));
        assert!(symbol_matches("*.walk", "text/template.(*state).walk"));
        assert!(!symbol_matches("text/template.*", "html/template.Must"));
        let alternatives = "context.WithCancel|context.WithValue";
        assert!(symbol_matches(alternatives, "context.WithValue"));
        assert!(symbol_matches(alternatives, "context.WithCancel"));
        assert!(!symbol_matches(alternatives, "context.WithCancel.func1"));
        assert!(is_symbol_pattern(alternatives) && !is_symbol_pattern("fmt.Sprintf"));
    }

    #[test]
    fn line_tables_started_twice_still_load() {
        // This test executable has DWARF line tables too.
        let exe = std::env::current_exe().expect("test executable");
        let tables = LineTables::new(LinesState::Waiting(exe, None));
        tables.start();
        tables.start(); // e.g. a second --repeat run attaching again
        assert!(tables.get().is_some());
    }

    #[test]
    fn the_package_under_test_is_the_one_with_test_functions() {
        let names: Vec<String> = [
            "example.com/m/pkg.TestA",
            "example.com/m/pkg_test.TestB",
            "example.com/m/pkg.TestA.func1",
            "example.com/m/pkg.testhelper",
            "testing.TestMain",
            "example.com/m/other.TestC",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            package_of_tests(names.iter()).as_deref(),
            Some("example.com/m/pkg")
        );
    }

    #[test]
    fn go_versions_parse() {
        assert_eq!(parse_go_version("go1.26.8"), Some((1, 26)));
        assert_eq!(parse_go_version("go1.22rc1"), Some((1, 22)));
        assert_eq!(parse_go_version("devel go1.27-abc"), None);
    }

    #[test]
    fn varint_strings_decode() {
        let data = [3, b'a', b'b', b'c', 1, b'x'];
        let (s, rest) = read_varint_string(&data).expect("decodes");
        assert_eq!(s, b"abc");
        assert_eq!(rest, &[1, b'x']);
        assert!(
            read_varint_string(&[5, b'a']).is_none(),
            "truncated data is rejected"
        );
    }

    #[test]
    fn non_go_binaries_are_rejected_with_a_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").expect("write");
        let e = inspect(&text, dir.path()).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::ENVIRONMENT);
        assert!(e.to_string().contains("go test -c"), "{e}");
        // A real ELF that is not Go: this very test executable.
        let me = std::env::current_exe().expect("current exe");
        let e = inspect(&me, dir.path()).unwrap_err();
        assert!(e.to_string().contains("not a Go binary"), "{e}");
    }
}
