//! Keeps the output a run records bounded while it arrives: a test that
//! prints 200 MB must not make gate hold 200 MB. Each test (and the binary
//! outside any test) keeps its last `keep` ordinary lines, each at most
//! `line_bytes`; older ones become a count (`EventKind::Cut`). Lines the
//! rules read are never cut: those an `[[output]]` pattern matches, the
//! lines right after one (the goroutine traceback that places it), and a
//! crash's trace from its first line on.

use std::collections::{HashMap, VecDeque};

use super::test_output::TestLine;
use super::{EventKind, RunEvent};

/// Lines after a matching line kept with it: a fatal error's goroutine
/// traceback, whose first frame in the repository is the finding's site.
const AFTER_MATCH: usize = 64;
/// A crash's trace is kept whole up to this many lines; beyond (the dump of
/// 100,000 goroutines a timeout's SIGQUIT prints) it is ordinary output,
/// of which the last lines stay.
const CRASH_LINES: usize = 20_000;

pub struct Bounded {
    keep: usize,
    line_bytes: usize,
    protect: Option<regex::RegexSet>,
    /// The test the next line belongs to, as the framing says.
    owner: Option<String>,
    /// Per owner, the events holding its ordinary lines, oldest first.
    droppable: HashMap<Option<String>, VecDeque<usize>>,
    after_match: usize,
    crashing: bool,
    crash_lines: usize,
    cut_since_compaction: usize,
}

impl Bounded {
    pub fn new(keep: usize, line_bytes: usize, protect: Option<regex::RegexSet>) -> Self {
        Bounded {
            keep,
            line_bytes,
            protect,
            owner: None,
            droppable: HashMap::new(),
            after_match: 0,
            crashing: false,
            crash_lines: 0,
            cut_since_compaction: 0,
        }
    }

    pub fn push(&mut self, events: &mut Vec<RunEvent>, mut event: RunEvent) {
        let line = match &mut event.kind {
            EventKind::Test(TestLine::Run(name) | TestLine::Cont(name)) => {
                self.owner = Some(name.clone());
                None
            }
            EventKind::Test(TestLine::Name(name)) => {
                self.owner = (!name.is_empty()).then(|| name.clone());
                None
            }
            EventKind::Test(TestLine::Output(line)) => Some((line, false)),
            EventKind::Stderr(line) => Some((line, true)),
            _ => None,
        };
        let Some((line, stderr)) = line else {
            events.push(event);
            return;
        };
        self.crashing |= stderr
            && (line.starts_with("panic: ")
                || line.starts_with("fatal error: ")
                || line.starts_with("SIGQUIT: quit"));
        let matched = self.protect.as_ref().is_some_and(|p| p.is_match(line));
        let crash = self.crashing && self.crash_lines < CRASH_LINES;
        self.crash_lines += usize::from(crash);
        let kept = crash || matched || self.after_match > 0;
        if matched {
            self.after_match = AFTER_MATCH;
        } else {
            self.after_match = self.after_match.saturating_sub(1);
        }
        if kept {
            events.push(event);
            return;
        }
        shorten(line, self.line_bytes);
        let queue = self.droppable.entry(self.owner.clone()).or_default();
        queue.push_back(events.len());
        events.push(event);
        if queue.len() > self.keep
            && let Some(oldest) = queue.pop_front()
        {
            events[oldest].kind = EventKind::Cut(1);
            self.cut_since_compaction += 1;
        }
        if self.cut_since_compaction >= (events.len() / 2).max(4096) {
            self.compact(events);
        }
    }

    /// Merges neighbouring cuts into one (they belong to the same owner:
    /// only framing, which is never cut, changes the owner), so that the
    /// events themselves stay bounded too.
    fn compact(&mut self, events: &mut Vec<RunEvent>) {
        let mut moved_to = vec![usize::MAX; events.len()];
        let mut kept: Vec<RunEvent> = Vec::with_capacity(events.len() / 2);
        for (i, event) in events.drain(..).enumerate() {
            if let EventKind::Cut(n) = event.kind
                && let Some(RunEvent {
                    kind: EventKind::Cut(before),
                    ..
                }) = kept.last_mut()
            {
                *before += n;
                continue;
            }
            moved_to[i] = kept.len();
            kept.push(event);
        }
        *events = kept;
        for queue in self.droppable.values_mut() {
            for at in queue.iter_mut() {
                *at = moved_to[*at];
            }
        }
        self.cut_since_compaction = 0;
    }
}

/// Cuts a line to `bytes` (at a character boundary) with a mark.
pub fn shorten(line: &mut String, bytes: usize) -> bool {
    if line.len() <= bytes {
        return false;
    }
    let mut end = bytes;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line.truncate(end);
    line.push_str(" [...]");
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ev(kind: EventKind) -> RunEvent {
        RunEvent {
            at: Duration::ZERO,
            kind,
        }
    }
    fn out(s: &str) -> RunEvent {
        ev(EventKind::Test(TestLine::Output(s.to_string())))
    }

    fn lines_and_cuts(events: &[RunEvent]) -> (Vec<String>, usize) {
        let mut lines = Vec::new();
        let mut cut = 0;
        for e in events {
            match &e.kind {
                EventKind::Test(TestLine::Output(l)) | EventKind::Stderr(l) => {
                    lines.push(l.clone())
                }
                EventKind::Cut(n) => cut += n,
                _ => {}
            }
        }
        (lines, cut)
    }

    #[test]
    fn a_flood_keeps_its_last_lines_and_what_the_rules_read() {
        let protect = regex::RegexSet::new(["^superfluous"]).expect("pattern");
        let mut b = Bounded::new(3, 10, Some(protect));
        let mut events = Vec::new();
        b.push(
            &mut events,
            ev(EventKind::Test(TestLine::Run("TestA".into()))),
        );
        for i in 0..100_000 {
            b.push(&mut events, out(&format!("line {i}")));
            if i == 5 {
                b.push(&mut events, out("superfluous WriteHeader call"));
            }
        }
        b.push(&mut events, out("a line far longer than ten bytes"));
        let (lines, cut) = lines_and_cuts(&events);
        assert_eq!(lines[0], "superfluous WriteHeader call");
        // The 64 lines after a match are kept with it (its traceback).
        assert_eq!(lines[1], "line 6");
        assert_eq!(lines.len(), 1 + 64 + 3);
        assert_eq!(
            &lines[65..],
            ["line 99998", "line 99999", "a line far [...]"]
        );
        assert_eq!(lines.len() - 1 + cut, 100_001);
        // Neighbouring cuts are merged now and then: the events stay bounded too.
        assert!(events.len() < 10_000, "{} events", events.len());
    }

    #[test]
    fn each_owner_keeps_its_own_lines_and_a_crash_is_kept_whole() {
        let mut b = Bounded::new(2, 100, None);
        let mut events = Vec::new();
        for name in ["TestA", "TestB"] {
            b.push(&mut events, ev(EventKind::Test(TestLine::Run(name.into()))));
            for i in 0..5 {
                b.push(&mut events, out(&format!("{name} {i}")));
            }
        }
        b.push(&mut events, ev(EventKind::Stderr("panic: boom".into())));
        for i in 0..5 {
            b.push(&mut events, ev(EventKind::Stderr(format!("frame {i}"))));
        }
        let (lines, cut) = lines_and_cuts(&events);
        assert_eq!(cut, 6);
        assert_eq!(&lines[..4], ["TestA 3", "TestA 4", "TestB 3", "TestB 4"]);
        assert_eq!(lines.len(), 4 + 6);
    }

    #[test]
    fn a_crash_dump_beyond_its_limit_keeps_its_beginning_and_its_last_lines() {
        let mut b = Bounded::new(2, 100, None);
        let mut events = Vec::new();
        b.push(&mut events, ev(EventKind::Stderr("SIGQUIT: quit".into())));
        for i in 0..CRASH_LINES + 10 {
            b.push(&mut events, ev(EventKind::Stderr(format!("goroutine {i}"))));
        }
        let (lines, cut) = lines_and_cuts(&events);
        assert_eq!(lines.len(), CRASH_LINES + 2);
        assert_eq!(cut, 9);
        assert_eq!(lines[0], "SIGQUIT: quit");
        assert_eq!(
            lines[lines.len() - 1],
            format!("goroutine {}", CRASH_LINES + 9)
        );
    }
}
