//! The system calls a `kind = "syscall"` probe can name (linux/amd64), with
//! their numbers and argument names, as the kernel's syscall table and man
//! pages call them.

/// (name, number, arguments in order).
const TABLE: &[(&str, u64, &[&str])] = &[
    ("read", 0, &["fd", "buf", "count"]),
    ("write", 1, &["fd", "buf", "count"]),
    ("close", 3, &["fd"]),
    ("fstat", 5, &["fd", "statbuf"]),
    ("lseek", 8, &["fd", "offset", "whence"]),
    (
        "mmap",
        9,
        &["addr", "length", "prot", "flags", "fd", "offset"],
    ),
    ("pread64", 17, &["fd", "buf", "count", "offset"]),
    ("pwrite64", 18, &["fd", "buf", "count", "offset"]),
    ("readv", 19, &["fd", "iov", "iovcnt"]),
    ("writev", 20, &["fd", "iov", "iovcnt"]),
    ("sched_yield", 24, &[]),
    ("madvise", 28, &["addr", "length", "advice"]),
    ("nanosleep", 35, &["req", "rem"]),
    ("socket", 41, &["domain", "type", "protocol"]),
    ("connect", 42, &["fd", "addr", "addrlen"]),
    ("accept", 43, &["fd", "addr", "addrlen"]),
    (
        "sendto",
        44,
        &["fd", "buf", "len", "flags", "dest_addr", "addrlen"],
    ),
    (
        "recvfrom",
        45,
        &["fd", "buf", "len", "flags", "src_addr", "addrlen"],
    ),
    ("sendmsg", 46, &["fd", "msg", "flags"]),
    ("recvmsg", 47, &["fd", "msg", "flags"]),
    (
        "setsockopt",
        54,
        &["fd", "level", "optname", "optval", "optlen"],
    ),
    ("execve", 59, &["filename", "argv", "envp"]),
    ("wait4", 61, &["pid", "wstatus", "options", "rusage"]),
    ("fcntl", 72, &["fd", "cmd", "arg"]),
    ("fsync", 74, &["fd"]),
    ("fdatasync", 75, &["fd"]),
    ("getcwd", 79, &["buf", "size"]),
    ("getdents64", 217, &["fd", "dirp", "count"]),
    (
        "clock_nanosleep",
        230,
        &["clockid", "flags", "request", "remain"],
    ),
    (
        "epoll_wait",
        232,
        &["epfd", "events", "maxevents", "timeout"],
    ),
    ("openat", 257, &["dirfd", "pathname", "flags", "mode"]),
    ("mkdirat", 258, &["dirfd", "pathname", "mode"]),
    (
        "newfstatat",
        262,
        &["dirfd", "pathname", "statbuf", "flags"],
    ),
    ("unlinkat", 263, &["dirfd", "pathname", "flags"]),
    (
        "renameat",
        264,
        &["olddirfd", "oldpath", "newdirfd", "newpath"],
    ),
    (
        "epoll_pwait",
        281,
        &["epfd", "events", "maxevents", "timeout", "sigmask"],
    ),
    ("accept4", 288, &["fd", "addr", "addrlen", "flags"]),
    ("dup3", 292, &["oldfd", "newfd", "flags"]),
    ("pipe2", 293, &["pipefd", "flags"]),
    (
        "renameat2",
        316,
        &["olddirfd", "oldpath", "newdirfd", "newpath", "flags"],
    ),
    (
        "statx",
        332,
        &["dirfd", "pathname", "flags", "mask", "statxbuf"],
    ),
];

/// Register slots (gate.bpf.c's arg()) of a system call's arguments 1..6:
/// RDI, RSI, RDX, R10, R8, R9. The result is in RAX, slot 1.
pub const ARG_SLOTS: [u32; 6] = [4, 5, 10, 8, 6, 7];
pub const RESULT_SLOT: u32 = 1;

pub struct Syscall {
    pub number: u64,
    pub args: &'static [&'static str],
}

pub fn lookup(name: &str) -> Option<Syscall> {
    TABLE
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, number, args)| Syscall { number, args })
}

pub fn names() -> Vec<&'static str> {
    TABLE.iter().map(|(n, _, _)| *n).collect()
}
