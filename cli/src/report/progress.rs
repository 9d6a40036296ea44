//! Live progress while tests run: on a TTY one line rewritten in place
//! (current test, counts); otherwise one plain line per finished top-level test.

use std::io::{IsTerminal, Write};

use crate::run::test_output::{TestLine, TestStatus};
use crate::run::{EventKind, RunEvent};

pub struct Progress {
    tty: bool,
    package: String,
    current: Option<String>,
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Progress {
    pub fn new(package: &str) -> Self {
        let tty = std::io::stderr().is_terminal();
        if !tty {
            eprintln!("gate: running {package}");
        }
        Progress {
            tty,
            package: package.to_string(),
            current: None,
            passed: 0,
            failed: 0,
            skipped: 0,
        }
    }

    pub fn on_event(&mut self, event: &RunEvent) {
        let EventKind::Test(line) = &event.kind else {
            return;
        };
        match line {
            TestLine::Run(name) | TestLine::Cont(name) => self.current = Some(name.clone()),
            TestLine::Result {
                name,
                status,
                duration_s,
            } => {
                match status {
                    TestStatus::Pass => self.passed += 1,
                    TestStatus::Fail => self.failed += 1,
                    TestStatus::Skip => self.skipped += 1,
                }
                if !self.tty && !name.contains('/') {
                    let word = match status {
                        TestStatus::Pass => "PASS",
                        TestStatus::Fail => "FAIL",
                        TestStatus::Skip => "SKIP",
                    };
                    eprintln!("  {word} {name} ({duration_s:.2}s)");
                }
            }
            _ => return,
        }
        if self.tty {
            let current = self.current.as_deref().unwrap_or("");
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{} ▶ {current}  ({} passed, {} failed, {} skipped)",
                self.package, self.passed, self.failed, self.skipped
            );
            let _ = err.flush();
        }
    }

    pub fn finish(&self) {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
    }
}
