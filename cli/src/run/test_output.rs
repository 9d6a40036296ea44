//! Parses the output of a Go test binary run with `-test.v` (or
//! `-test.v=test2json`, whose lines are framed with ^V so that user output
//! can never be mistaken for a marker).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    Pass,
    Fail,
    Skip,
}

impl TestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Pass => "pass",
            TestStatus::Fail => "fail",
            TestStatus::Skip => "skip",
        }
    }
}

/// One line of test output, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum TestLine {
    /// `=== RUN   TestX/sub`
    Run(String),
    /// `=== PAUSE TestX`: a t.Parallel test waits for its parent to finish.
    Pause(String),
    /// `=== CONT  TestX`: a paused parallel test resumes.
    Cont(String),
    /// `=== NAME  TestX`: output that follows belongs to TestX (Go 1.20+); empty: to no test.
    Name(String),
    /// `--- PASS: TestX (0.01s)`
    Result {
        name: String,
        status: TestStatus,
        duration_s: f64,
    },
    /// A benchmark result line (`BenchmarkX-2  1000  123 ns/op ...`).
    Benchmark(BenchLine),
    /// Final `PASS` / `FAIL` of the binary.
    Final(TestStatus),
    /// Anything else: output of the test that owns the stream.
    Output(String),
}

/// One result line of a benchmark: one sample of each of its metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchLine {
    /// As Go prints it, GOMAXPROCS suffix included: `BenchmarkX/size=10-8`.
    pub name: String,
    pub iterations: u64,
    /// (unit, value) in printed order: ns/op, B/op, allocs/op, MB/s and `b.ReportMetric` units.
    pub values: Vec<(String, f64)>,
    /// The line itself, kept as output.
    pub text: String,
}

impl BenchLine {
    /// `BenchmarkX-2 \t 1000\t 210.0 ns/op\t 3.000 widgets/op`; None for anything else.
    pub fn parse(line: &str) -> Option<BenchLine> {
        let mut fields = line.split_whitespace();
        let name = fields.next()?;
        if !name.starts_with("Benchmark") {
            return None;
        }
        let iterations = fields.next()?.parse::<u64>().ok()?;
        let rest: Vec<&str> = fields.collect();
        if rest.is_empty() || !rest.len().is_multiple_of(2) {
            return None;
        }
        let mut values = Vec::new();
        for pair in rest.chunks(2) {
            let value: f64 = pair[0].parse().ok()?;
            values.push((pair[1].to_string(), value));
        }
        Some(BenchLine {
            name: name.to_string(),
            iterations,
            values,
            text: line.to_string(),
        })
    }
}

/// Classifies lines; `framed` is true when the binary runs with `-test.v=test2json`.
#[derive(Debug, Clone, Copy)]
pub struct TestLineParser {
    framed: bool,
}

const FRAME: char = '\u{16}';

impl TestLineParser {
    pub fn new(framed: bool) -> Self {
        TestLineParser { framed }
    }

    /// A stdout line cut where a frame starts: `x\u{16}--- PASS: TestX` is a
    /// test's `fmt.Print("x")` followed by its result. Unframed output is one piece.
    pub fn split_frames<'a>(&self, line: &'a str) -> impl Iterator<Item = &'a str> + use<'a> {
        let framed = self.framed;
        let mut rest = Some(line);
        std::iter::from_fn(move || {
            let current = rest?;
            let cut = if framed {
                current
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| c == FRAME)
                    .map(|(i, _)| i)
            } else {
                None
            };
            match cut {
                Some(i) => {
                    rest = Some(&current[i..]);
                    Some(&current[..i])
                }
                None => {
                    rest = None;
                    Some(current)
                }
            }
        })
    }

    pub fn parse(&self, line: &str) -> TestLine {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let marker = match line.strip_prefix(FRAME) {
            Some(rest) => rest,
            // In framed mode an unframed line is output, even if it looks like a marker;
            // only benchmark results, which Go never frames, are read from plain lines.
            None if self.framed => {
                return BenchLine::parse(line)
                    .map(TestLine::Benchmark)
                    .unwrap_or_else(|| TestLine::Output(line.to_string()));
            }
            None => line,
        };
        parse_marker(marker).unwrap_or_else(|| TestLine::Output(line.to_string()))
    }
}

fn parse_marker(line: &str) -> Option<TestLine> {
    if let Some(rest) = line.strip_prefix("=== ") {
        let (verb, name) = rest.split_once(' ').unwrap_or((rest, ""));
        let name = name.trim().to_string();
        return match verb {
            "RUN" => Some(TestLine::Run(name)),
            "PAUSE" => Some(TestLine::Pause(name)),
            "CONT" => Some(TestLine::Cont(name)),
            "NAME" => Some(TestLine::Name(name)),
            _ => None,
        };
    }
    // Subtest results are indented by four spaces per level in plain -test.v.
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("--- ") {
        let (status, rest) = rest.split_once(": ")?;
        let status = match status {
            "PASS" => TestStatus::Pass,
            "FAIL" => TestStatus::Fail,
            "SKIP" => TestStatus::Skip,
            _ => return None,
        };
        // "TestX (0.01s)"; a name may itself contain spaces, the duration is the last group.
        let open = rest.rfind(" (")?;
        let name = rest[..open].to_string();
        let duration = rest[open + 2..].strip_suffix("s)")?;
        let duration_s = duration.parse().ok()?;
        return Some(TestLine::Result {
            name,
            status,
            duration_s,
        });
    }
    match line {
        "PASS" => return Some(TestLine::Final(TestStatus::Pass)),
        "FAIL" => return Some(TestLine::Final(TestStatus::Fail)),
        _ => {}
    }
    BenchLine::parse(line).map(TestLine::Benchmark)
}

/// The top-level test of a test or subtest name: `TestX/a/b` -> `TestX`.
pub fn top_level(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real output of fixtures-go/outcomes (Go 1.26, -test.v=test2json), parallel subtests included.
    const FRAMED: &str = include_str!("testdata/outcomes_framed.txt");
    /// Real output of the same binary with plain -test.v.
    const PLAIN: &str = include_str!("testdata/outcomes_plain.txt");

    fn results(text: &str, framed: bool) -> Vec<(String, TestStatus)> {
        let p = TestLineParser::new(framed);
        text.lines()
            .filter_map(|l| match p.parse(l) {
                TestLine::Result { name, status, .. } => Some((name, status)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn output_without_a_newline_is_cut_off_the_frame_it_runs_into() {
        let p = TestLineParser::new(true);
        let pieces: Vec<&str> = p.split_frames("x\u{16}--- PASS: TestX (0.00s)").collect();
        assert_eq!(pieces, ["x", "\u{16}--- PASS: TestX (0.00s)"]);
        assert_eq!(p.parse(pieces[0]), TestLine::Output("x".into()));
        assert!(matches!(p.parse(pieces[1]), TestLine::Result { .. }));
        let whole: Vec<&str> = p.split_frames("\u{16}=== RUN   TestX").collect();
        assert_eq!(whole, ["\u{16}=== RUN   TestX"]);
        let plain = TestLineParser::new(false);
        assert_eq!(plain.split_frames("x--- PASS").count(), 1);
    }

    #[test]
    fn framed_and_plain_output_give_the_same_results() {
        let framed = results(FRAMED, true);
        let plain = results(PLAIN, false);
        let names: Vec<&str> = framed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "TestPasses",
                "TestSkips",
                "TestFails",
                "TestSubtests/first",
                "TestSubtests/second",
                "TestSubtests/third",
                "TestSubtests",
                "TestParallelGroup/20ms",
                "TestParallelGroup/30ms",
                "TestParallelGroup/10ms",
                "TestParallelGroup",
            ]
        );
        let mut sorted_framed = framed.clone();
        let mut sorted_plain = plain.clone();
        sorted_framed.sort_by(|a, b| a.0.cmp(&b.0));
        sorted_plain.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(sorted_framed, sorted_plain);
        assert_eq!(framed[2], ("TestFails".to_string(), TestStatus::Fail));
        assert_eq!(framed[1], ("TestSkips".to_string(), TestStatus::Skip));
    }

    #[test]
    fn framed_mode_ignores_markers_printed_by_user_code() {
        let p = TestLineParser::new(true);
        assert_eq!(
            p.parse("--- FAIL: TestFake (0.00s)"),
            TestLine::Output("--- FAIL: TestFake (0.00s)".into())
        );
        assert_eq!(
            p.parse("\u{16}=== RUN   TestX"),
            TestLine::Run("TestX".into())
        );
        assert_eq!(p.parse("\u{16}=== NAME  "), TestLine::Name(String::new()));
    }

    #[test]
    fn markers_parse() {
        let p = TestLineParser::new(false);
        assert_eq!(
            p.parse("    --- PASS: TestA/with space (1.25s)"),
            TestLine::Result {
                name: "TestA/with space".into(),
                status: TestStatus::Pass,
                duration_s: 1.25
            }
        );
        assert_eq!(p.parse("=== PAUSE TestP"), TestLine::Pause("TestP".into()));
        assert_eq!(p.parse("=== CONT  TestP"), TestLine::Cont("TestP".into()));
        assert_eq!(p.parse("FAIL"), TestLine::Final(TestStatus::Fail));
        assert_eq!(p.parse("PASS"), TestLine::Final(TestStatus::Pass));
        // Real line of a Go 1.26 benchmark with b.ReportMetric and -test.benchmem.
        let line = "BenchmarkSub/n=10-2 \t    1000\t       113.0 ns/op\t  88.53 MB/s\t         3.000 widgets/op\t      16 B/op\t       1 allocs/op";
        let TestLine::Benchmark(bench) = p.parse(line) else {
            panic!("not a benchmark line: {line}");
        };
        assert_eq!(bench.name, "BenchmarkSub/n=10-2");
        assert_eq!(bench.iterations, 1000);
        let units: Vec<(&str, f64)> = bench.values.iter().map(|(u, v)| (u.as_str(), *v)).collect();
        assert_eq!(
            units,
            [
                ("ns/op", 113.0),
                ("MB/s", 88.53),
                ("widgets/op", 3.0),
                ("B/op", 16.0),
                ("allocs/op", 1.0)
            ]
        );
        // The name line Go prints before the result, and a half-written line, are not results.
        assert_eq!(
            p.parse("BenchmarkSub"),
            TestLine::Output("BenchmarkSub".into())
        );
        assert_eq!(
            p.parse("BenchmarkX-2 \t 1000\t 12 ns/op\t 5"),
            TestLine::Output("BenchmarkX-2 \t 1000\t 12 ns/op\t 5".into())
        );
        assert_eq!(p.parse("--- BAD: x"), TestLine::Output("--- BAD: x".into()));
        assert_eq!(p.parse("hello"), TestLine::Output("hello".into()));
        assert_eq!(top_level("TestA/b/c"), "TestA");
    }

    mod never_panics {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]
            #[test]
            fn any_output_line_parses_and_its_pieces_add_up(
                line in r"(\x16|--- (PASS|FAIL|SKIP): |=== (RUN|NAME|CONT|PAUSE) |Benchmark|\(|s\)|[0-9. ]|.){0,40}",
                framed in any::<bool>(),
            ) {
                let p = TestLineParser::new(framed);
                let pieces: Vec<&str> = p.split_frames(&line).collect();
                prop_assert_eq!(pieces.concat(), line.clone());
                for piece in pieces {
                    let _ = p.parse(piece);
                }
            }
        }
    }
}
