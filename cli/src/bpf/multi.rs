//! One uprobe-multi link per program (kernel 6.6+): all of a program's probe
//! points attach in one system call and detach after one kernel grace
//! period. A perf-event uprobe per point detaches one grace period each, one
//! after the other (~65 ms apiece here): with a catalog's worth of probes that
//! is seconds, and the next gate run's attach waits behind it.
//!
//! aya 0.14 cannot load a program for this attach type (the kernel wants
//! `BPF_TRACE_UPROBE_MULTI` as the expected attach type at load), so the
//! uprobe programs are loaded here from the same object with aya-obj, their
//! map references resolved to the maps aya created. Where the kernel lacks
//! uprobe-multi links the loader falls back to aya's perf-event uprobes.

use std::collections::{HashMap, HashSet};
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use aya::Ebpf;
use aya::maps::Map;
use aya_obj::btf::BtfFeatures;
use aya_obj::generated::{bpf_attach_type, bpf_attr, bpf_cmd, bpf_prog_type};

/// The uprobe programs of the object, loaded for uprobe-multi links.
pub struct MultiPrograms {
    /// Keeps the object's BTF alive as long as its programs.
    _btf: OwnedFd,
    programs: HashMap<String, OwnedFd>,
}

/// Why the programs could not be loaded for uprobe-multi links.
#[derive(Debug)]
pub struct Unsupported(pub String);

impl MultiPrograms {
    /// Loads the programs `names` of `object` against `ebpf`'s maps.
    pub fn load(object: &[u8], ebpf: &Ebpf, names: &[&str]) -> Result<Self, Unsupported> {
        let fail = |what: &str, e: &dyn std::fmt::Display| Unsupported(format!("{what}: {e}"));
        let mut obj = aya_obj::Object::parse(object).map_err(|e| fail("parse", &e))?;
        // The kernels with uprobe-multi links (6.6+) have every BTF feature.
        let features = BtfFeatures::new(true, true, true, true, true, true, true, true);
        let btf = obj
            .fixup_and_sanitize_btf(&features)
            .map_err(|e| fail("BTF", &e))?
            .ok_or_else(|| Unsupported("the object has no BTF".into()))?
            .to_bytes();
        let btf_fd = load_btf(&btf).map_err(|e| fail("BTF load", &e))?;

        let fds: HashMap<&str, RawFd> = ebpf
            .maps()
            .filter_map(|(name, map)| Some((name, map_fd(map)?)))
            .collect();
        let maps = obj.maps.clone();
        let mut resolved = Vec::new();
        for (name, map) in &maps {
            let fd = fds
                .get(name.as_str())
                .ok_or_else(|| Unsupported(format!("map {name} has no descriptor")))?;
            resolved.push((name.as_str(), *fd, map));
        }
        let text_sections: HashSet<usize> = obj.functions.keys().map(|(s, _)| *s).collect();
        obj.relocate_maps(resolved.into_iter(), &text_sections)
            .map_err(|e| fail("map relocation", &e))?;
        obj.relocate_calls(&text_sections)
            .map_err(|e| fail("call relocation", &e))?;

        let mut programs = HashMap::new();
        for &name in names {
            let program = obj
                .programs
                .get(name)
                .ok_or_else(|| Unsupported(format!("program {name} is not in the object")))?;
            let function = &obj.functions[&program.function_key()];
            let verifying = std::time::Instant::now();
            let fd = load_program(name, &program.license, function, btf_fd.as_fd())
                .map_err(|e| fail(name, &e))?;
            if crate::timings() {
                eprintln!(
                    "gate: program {name} verified in {:.1} ms",
                    verifying.elapsed().as_secs_f64() * 1000.0
                );
            }
            programs.insert(name.to_string(), fd);
        }
        Ok(Self {
            _btf: btf_fd,
            programs,
        })
    }

    /// Attaches program `name` at `offsets` (file offsets) of `binary`, each
    /// with its cookie, for every process (the programs filter by tgid).
    pub fn attach(
        &self,
        name: &str,
        binary: &Path,
        offsets: &[u64],
        cookies: &[u64],
    ) -> std::io::Result<OwnedFd> {
        let program = self
            .programs
            .get(name)
            .ok_or_else(|| std::io::Error::other(format!("program {name} was not loaded")))?;
        let path = CString::new(binary.as_os_str().as_encoded_bytes())
            .map_err(|_| std::io::Error::other("a path with a NUL byte"))?;
        // SAFETY: bpf_attr is plain data; all-zero is its documented default.
        let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
        // SAFETY: writing the link_create member of the union.
        let link = unsafe { &mut attr.link_create };
        link.__bindgen_anon_1.prog_fd = program.as_raw_fd() as u32;
        link.attach_type = bpf_attach_type::BPF_TRACE_UPROBE_MULTI as u32;
        // SAFETY: writing the uprobe_multi member of the union.
        let multi = unsafe { &mut link.__bindgen_anon_3.uprobe_multi };
        multi.path = path.as_ptr() as u64;
        multi.offsets = offsets.as_ptr() as u64;
        multi.cookies = cookies.as_ptr() as u64;
        multi.cnt = offsets.len().min(cookies.len()) as u32;
        // SAFETY: the pointers in attr outlive the call; BPF_LINK_CREATE
        // returns a new descriptor.
        unsafe { bpf_fd(bpf_cmd::BPF_LINK_CREATE, &mut attr) }
    }
}

impl MultiPrograms {
    /// Hits and nanoseconds in BPF per program (zero unless
    /// `kernel.bpf_stats_enabled` is set), for GATE_TIMINGS.
    pub fn stats(&self) -> Vec<(String, u64, u64)> {
        let mut out = Vec::new();
        for (name, fd) in &self.programs {
            // SAFETY: plain data, all-zero is valid.
            let mut info: aya_obj::generated::bpf_prog_info = unsafe { std::mem::zeroed() };
            // SAFETY: plain data, all-zero is valid.
            let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
            // SAFETY: writing the info member of the union.
            let u = unsafe { &mut attr.info };
            u.bpf_fd = fd.as_raw_fd() as u32;
            u.info_len = std::mem::size_of_val(&info) as u32;
            u.info = &mut info as *mut _ as u64;
            // SAFETY: info outlives the call and its size is given.
            let ret = unsafe {
                libc::syscall(
                    libc::SYS_bpf,
                    bpf_cmd::BPF_OBJ_GET_INFO_BY_FD as libc::c_long,
                    &mut attr as *mut bpf_attr,
                    std::mem::size_of::<bpf_attr>(),
                )
            };
            if ret == 0 {
                out.push((name.clone(), info.run_cnt, info.run_time_ns));
            }
        }
        out.sort();
        out
    }
}

fn map_fd(map: &Map) -> Option<RawFd> {
    let data = match map {
        Map::Array(d)
        | Map::HashMap(d)
        | Map::LruHashMap(d)
        | Map::PerCpuArray(d)
        | Map::PerCpuHashMap(d)
        | Map::RingBuf(d) => d,
        _ => return None,
    };
    Some(data.fd().as_fd().as_raw_fd())
}

fn load_btf(raw: &[u8]) -> std::io::Result<OwnedFd> {
    // SAFETY: bpf_attr is plain data; all-zero is its documented default.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    // SAFETY: writing the BTF-load member of the union.
    let u = unsafe { &mut attr.__bindgen_anon_7 };
    u.btf = raw.as_ptr() as u64;
    u.btf_size = raw.len() as u32;
    // SAFETY: raw outlives the call; BPF_BTF_LOAD returns a new descriptor.
    unsafe { bpf_fd(bpf_cmd::BPF_BTF_LOAD, &mut attr) }
}

fn load_program(
    name: &str,
    license: &std::ffi::CStr,
    function: &aya_obj::Function,
    btf: BorrowedFd<'_>,
) -> std::io::Result<OwnedFd> {
    let func_info = function.func_info.func_info_bytes();
    let line_info = function.line_info.line_info_bytes();
    let mut log = vec![0u8; 1 << 16];
    let mut attempt = |with_log: bool| {
        // SAFETY: bpf_attr is plain data; all-zero is its documented default.
        let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
        // SAFETY: writing the program-load member of the union.
        let u = unsafe { &mut attr.__bindgen_anon_3 };
        u.prog_type = bpf_prog_type::BPF_PROG_TYPE_KPROBE as u32;
        u.expected_attach_type = bpf_attach_type::BPF_TRACE_UPROBE_MULTI as u32;
        u.insns = function.instructions.as_ptr() as u64;
        u.insn_cnt = function.instructions.len() as u32;
        u.license = license.as_ptr() as u64;
        // The kernel keeps 15 bytes of a name.
        for (dst, src) in u.prog_name.iter_mut().zip(name.bytes().take(15)) {
            *dst = src as _;
        }
        u.prog_btf_fd = btf.as_raw_fd() as u32;
        if function.func_info_rec_size > 0 {
            u.func_info = func_info.as_ptr() as u64;
            u.func_info_cnt = function.func_info.len() as u32;
            u.func_info_rec_size = function.func_info_rec_size as u32;
        }
        if function.line_info_rec_size > 0 {
            u.line_info = line_info.as_ptr() as u64;
            u.line_info_cnt = function.line_info.len() as u32;
            u.line_info_rec_size = function.line_info_rec_size as u32;
        }
        if with_log {
            u.log_level = 1;
            u.log_buf = log.as_mut_ptr() as u64;
            u.log_size = log.len() as u32;
        }
        // SAFETY: every pointer in attr outlives the call; BPF_PROG_LOAD
        // returns a new descriptor.
        unsafe { bpf_fd(bpf_cmd::BPF_PROG_LOAD, &mut attr) }
    };
    match attempt(false) {
        Ok(fd) => Ok(fd),
        Err(first) => match attempt(true) {
            Ok(fd) => Ok(fd),
            Err(_) => {
                let text = String::from_utf8_lossy(&log);
                let text = text.trim_end_matches('\0');
                let tail: Vec<&str> = text.lines().rev().take(6).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Err(std::io::Error::new(
                    first.kind(),
                    format!("{first}; verifier: {}", tail.join(" | ")),
                ))
            }
        },
    }
}

/// # Safety
/// `cmd` must return a new file descriptor on success, and every pointer in
/// `attr` must be valid for the call.
unsafe fn bpf_fd(cmd: bpf_cmd, attr: &mut bpf_attr) -> std::io::Result<OwnedFd> {
    // SAFETY: the caller's contract; the size is the struct's.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd as libc::c_long,
            attr as *mut bpf_attr,
            std::mem::size_of::<bpf_attr>(),
        )
    };
    if ret < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a successful call of such a command returns a descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(ret as RawFd) })
}
