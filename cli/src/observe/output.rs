//! Output patterns (`[[output]]`): lines of a test's output that match a
//! rule's regular expression, each charged to the test whose output it is
//! and placed at the best site the output names: a `func (file.go:12)` in
//! the line itself (net/http's superfluous WriteHeader), else the first
//! frame inside the repository of the goroutine traceback that follows (a
//! runtime fatal error), else none (the finding sits at the test function).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use super::Observations;
use super::engine::{Instance, SiteKey};
use crate::rules::probe::{OutputSpec, Whose};
use crate::target::{BinaryInfo, Site};

/// Lines of a traceback looked at for a site, after a match.
const TRACEBACK_LINES: usize = 400;

pub fn scan(obs: &mut Observations, specs: &[&OutputSpec], info: &BinaryInfo) {
    let mut found: BTreeMap<String, Vec<Instance>> = BTreeMap::new();
    for spec in specs {
        let instances = found.entry(spec.metric.name.to_string()).or_default();
        let sources = obs
            .tests
            .iter()
            .map(|t| (Some(t.name.clone()), &t.output))
            .chain(std::iter::once((None, &obs.output)));
        // A crash's traceback may reach gate's reader apart from its first line
        // (stderr and stdout are two pipes): the running goroutine's, wherever it is.
        let running = |lines: &[String]| {
            let at = lines.iter().position(|l| l.ends_with("[running]:"))?;
            site_in_traceback(&lines[at + 1..], info)
        };
        // (test, site) -> matching lines
        let mut counted: BTreeMap<SiteKey, (f64, Option<Site>, String)> = BTreeMap::new();
        for (test, lines) in sources {
            for (i, line) in lines.iter().enumerate() {
                if !spec.pattern.is_match(line) {
                    continue;
                }
                let site = site_in_line(line, info)
                    .or_else(|| site_in_traceback(&lines[i + 1..], info))
                    .or_else(|| running(lines))
                    .or_else(|| running(&obs.output));
                // A line whose site is known counts only in the code the rule is about.
                let ours = match (spec.whose, &site) {
                    (Whose::UnderTest, Some(s)) => !s.file.ends_with("_test.go"),
                    (Whose::Tests, Some(s)) => s.file.ends_with("_test.go"),
                    _ => true,
                };
                if !ours {
                    continue;
                }
                let key = (
                    test.clone(),
                    site.as_ref().map(|s| (s.file.clone(), s.line)),
                );
                let e = counted
                    .entry(key)
                    .or_insert((0.0, site, line.trim().to_string()));
                e.0 += 1.0;
            }
        }
        for ((test, _), (n, site, line)) in counted {
            // log's date and time before a message change from run to run.
            let line = log_stamp().replace(&line, "").into_owned();
            instances.push(Instance {
                test,
                site,
                detail: if n > 1.0 {
                    format!("{line} ({n} lines)")
                } else {
                    line
                },
                value: Some(n),
                entry: None,
                created_by: Vec::new(),
                figures: BTreeMap::new(),
            });
        }
    }
    obs.found.extend(found);
}

/// The date and time the standard log package puts before a line.
fn log_stamp() -> &'static Regex {
    static STAMP: OnceLock<Regex> = OnceLock::new();
    STAMP.get_or_init(|| {
        Regex::new(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? ").expect("a valid regex")
    })
}

/// `pkg.func (file.go:12)`, as net/http and log print their callers.
fn site_in_line(line: &str, info: &BinaryInfo) -> Option<Site> {
    static CALLER: OnceLock<Regex> = OnceLock::new();
    let re = CALLER.get_or_init(|| {
        Regex::new(r"([\w./*()\[\]-]+) \(([\w.-]+\.go):(\d+)\)").expect("a valid regex")
    });
    let c = re.captures(line)?;
    let function = c.get(1)?.as_str();
    let file = c.get(2)?.as_str();
    let line_no: u32 = c.get(3)?.as_str().parse().ok()?;
    let site = info.function_site(function)?;
    site.file.ends_with(file).then_some(Site {
        file: site.file,
        line: line_no,
        function: function.to_string(),
    })
}

/// The first frame inside the repository of a goroutine traceback:
/// `\t/abs/path/file.go:12 +0x1d`.
fn site_in_traceback(lines: &[String], info: &BinaryInfo) -> Option<Site> {
    static FRAME: OnceLock<Regex> = OnceLock::new();
    let re = FRAME.get_or_init(|| Regex::new(r"^\s+(/\S+\.go):(\d+)").expect("a valid regex"));
    let mut function = String::new();
    for line in lines.iter().take(TRACEBACK_LINES) {
        if let Some(c) = re.captures(line) {
            let line_no: u32 = c.get(2).and_then(|m| m.as_str().parse().ok())?;
            if let Some(mut site) = c
                .get(1)
                .and_then(|f| info.repository_site(f.as_str(), line_no))
            {
                site.function = function
                    .split_once('(')
                    .map_or(function.as_str(), |(f, _)| f)
                    .to_string();
                return Some(site);
            }
        } else {
            function = line.trim().to_string();
        }
    }
    None
}
