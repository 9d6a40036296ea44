//! Live progress while tests run: on a TTY one line rewritten in place
//! (current test, counts); otherwise one plain line per finished top-level
//! test. While several test binaries run at once, each package's lines are
//! held and printed together when it finishes, as `go test` prints a
//! package's output whole.

use std::io::{IsTerminal, Write};

use crate::run::test_output::{TestLine, TestStatus};
use crate::run::{EventKind, RunEvent};

pub struct Progress {
    tty: bool,
    /// Lines held until `finish` (several packages at once, not on a TTY).
    held: Option<String>,
    package: String,
    current: Option<String>,
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Progress {
    /// `whole`: hold the package's lines and print them at once when it finishes.
    pub fn new(package: &str, whole: bool) -> Self {
        let tty = std::io::stderr().is_terminal();
        let mut held = (whole && !tty).then(String::new);
        if !tty {
            let line = format!("gate: running {package}\n");
            match &mut held {
                Some(held) => held.push_str(&line),
                None => eprint!("{line}"),
            }
        }
        Progress {
            tty,
            held,
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
                    let line = format!("  {word} {name} ({duration_s:.2}s)\n");
                    match &mut self.held {
                        Some(held) => held.push_str(&line),
                        None => eprint!("{line}"),
                    }
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

    pub fn finish(&mut self) {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
        if let Some(held) = self.held.take() {
            // One write: another package's lines cannot come between.
            let _ = std::io::stderr().lock().write_all(held.as_bytes());
        }
    }
}

impl Drop for Progress {
    /// A run that ended in an error still prints what its package said.
    fn drop(&mut self) {
        if let Some(held) = self.held.take() {
            let _ = std::io::stderr().lock().write_all(held.as_bytes());
        }
    }
}
