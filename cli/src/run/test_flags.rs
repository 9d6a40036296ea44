//! The test flags gate adjusts: `-test.benchmem` whenever benchmarks run,
//! and the split of a run with benchmarks into a timed pass without probes
//! and a test pass under the eBPF engine.

/// go test's own flags, as Go users type them (`-run X`, `-count 2`), and
/// whether each takes a value. The test binary knows them as `-test.NAME`.
pub const GO_TEST_FLAGS: &[(&str, bool)] = &[
    ("run", true),
    ("skip", true),
    ("bench", true),
    ("benchtime", true),
    ("count", true),
    ("cpu", true),
    ("parallel", true),
    ("shuffle", true),
    ("timeout", true),
    ("benchmem", false),
    ("short", false),
    ("failfast", false),
    ("fullpath", false),
];

/// The flags for the test binary as it knows them: go test's short names
/// (`-run X`, `-count=2`) get their `-test.` prefix, and `-test.v` / `-v` are
/// left out: gate sets the binary's verbosity itself (framed output), and a
/// second `-test.v` would undo the framing.
pub fn normalise(flags: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        let flag = &flags[i];
        i += 1;
        if !flag.starts_with('-') {
            out.push(flag.clone());
            continue;
        }
        let bare = flag.trim_start_matches('-');
        let (name, inline) = match bare.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (bare, None),
        };
        let short = name.strip_prefix("test.").unwrap_or(name);
        if short == "v" {
            continue;
        }
        match GO_TEST_FLAGS.iter().find(|(n, _)| *n == short) {
            Some((_, takes_value)) => {
                let value = match inline {
                    Some(v) => Some(v.to_string()),
                    None if *takes_value && i < flags.len() => {
                        i += 1;
                        Some(flags[i - 1].clone())
                    }
                    None => None,
                };
                out.push(match value {
                    Some(v) => format!("-test.{short}={v}"),
                    None => format!("-test.{short}"),
                });
            }
            None => out.push(flag.clone()),
        }
    }
    out
}

/// Whether `flag` is `-name`, `--name`, `-name=...` or `--name=...`.
fn is_flag(flag: &str, name: &str) -> bool {
    let f = flag.trim_start_matches('-');
    flag.starts_with('-') && (f == name || f.starts_with(&format!("{name}=")))
}

/// Whether a flag takes the next argument as its value (`-test.bench .`).
fn takes_value(flag: &str, name: &str) -> bool {
    flag.trim_start_matches('-') == name
}

/// The value of a flag, if given: `-test.bench=.` or `-test.bench .`.
fn value_of<'a>(flags: &'a [String], name: &str) -> Option<&'a str> {
    let mut value = None;
    let mut i = 0;
    while i < flags.len() {
        if is_flag(&flags[i], name) {
            value = match flags[i].split_once('=') {
                Some((_, v)) => Some(v),
                None => flags.get(i + 1).map(String::as_str),
            };
        }
        i += 1;
    }
    value
}

/// The flags without `name` (and its separate value, if any).
fn without(flags: &[String], name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < flags.len() {
        if is_flag(&flags[i], name) {
            i += if takes_value(&flags[i], name) { 2 } else { 1 };
            continue;
        }
        out.push(flags[i].clone());
        i += 1;
    }
    out
}

/// Whether the flags run benchmarks (`-test.bench` with a pattern).
pub fn runs_benchmarks(flags: &[String]) -> bool {
    value_of(flags, "test.bench").is_some_and(|v| !v.is_empty())
}

/// `-test.benchmem` whenever benchmarks run: B/op and allocs/op are what
/// allocation regressions compare.
pub fn add_benchmem(flags: &mut Vec<String>) {
    if runs_benchmarks(flags) && value_of(flags, "test.benchmem").is_none() {
        flags.push("-test.benchmem".to_string());
    }
}

/// Benchmarks run apart from the tests: timed without uprobes (every probe
/// hit is a trap, about 15 µs on a VM, that would be measured as the code's
/// ns/op), and with the harness's runtime.GC() calls kept out of the tests'
/// GC figures. With benchmarks requested, returns (benchmark pass: no tests,
/// no probes; test pass: no benchmarks, under the engine).
pub fn split_benchmarks(flags: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    if !runs_benchmarks(flags) {
        return None;
    }
    let mut bench = without(flags, "test.run");
    bench.push("-test.run=^$".to_string());
    let tests = without(flags, "test.bench");
    Some((bench, tests))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(flags: &[&str]) -> Vec<String> {
        flags.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn go_tests_short_flags_get_their_prefix_and_verbosity_is_gates() {
        assert_eq!(
            normalise(&v(&[
                "-run", "^TestX$", "-count=2", "-short", "-test.v", "-v=true"
            ])),
            v(&["-test.run=^TestX$", "-test.count=2", "-test.short"])
        );
        assert_eq!(
            normalise(&v(&[
                "-test.run",
                "-x",
                "--bench",
                ".",
                "-test.benchmem",
                "-custom",
                "1"
            ])),
            v(&[
                "-test.run=-x",
                "-test.bench=.",
                "-test.benchmem",
                "-custom",
                "1"
            ])
        );
    }

    #[test]
    fn benchmem_is_added_only_when_benchmarks_run() {
        let mut f = v(&["-test.bench", ".", "-test.count", "5"]);
        add_benchmem(&mut f);
        assert_eq!(f.last().map(String::as_str), Some("-test.benchmem"));
        let mut f = v(&["-test.bench=.", "-test.benchmem=false"]);
        add_benchmem(&mut f);
        assert_eq!(f.len(), 2, "the user's choice stays");
        let mut f = v(&["-test.run", "TestX"]);
        add_benchmem(&mut f);
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn benchmarks_and_tests_are_split_into_two_passes() {
        let flags = v(&[
            "-test.run",
            "^TestA$",
            "-test.bench=Encode",
            "-test.count",
            "5",
        ]);
        let (bench, tests) = split_benchmarks(&flags).expect("benchmarks requested");
        assert_eq!(
            bench,
            v(&["-test.bench=Encode", "-test.count", "5", "-test.run=^$"])
        );
        assert_eq!(tests, v(&["-test.run", "^TestA$", "-test.count", "5"]));
        let (_, tests) = split_benchmarks(&v(&["-test.bench", ".", "-test.v"])).expect("split");
        assert_eq!(tests, v(&["-test.v"]));
        assert!(split_benchmarks(&v(&["-test.run", "X"])).is_none());
        assert!(split_benchmarks(&v(&["-test.bench="])).is_none());
    }
}
