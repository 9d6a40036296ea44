// Package work is the fixture of baseline comparisons: how much it
// allocates is set by the environment, so the same code can be run as
// the baseline (GATE_FIXTURE_WORK unset: 10000 records) and as a change
// that allocates more (GATE_FIXTURE_WORK=20000). Everything it does is
// deterministic, so allocation counts repeat exactly from run to run.
package work

// The fixture harness compares a run with the default 10000 records against
// a baseline of 2500 records: the regression rules must flag the test and
// the benchmark whose work grew, and nothing else (TestFixedWork).
// gate:baseline-env GATE_FIXTURE_WORK=2500
// gate:test-flags -test.bench . -test.benchtime 100x

import (
	"os"
	"strconv"
	"testing"
)

// records reads the amount of work from GATE_FIXTURE_WORK.
func records(tb testing.TB) int {
	n := 10000
	if v := os.Getenv("GATE_FIXTURE_WORK"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			tb.Fatalf("GATE_FIXTURE_WORK=%q: want a positive number", v)
		}
	}
	return n
}

type record struct {
	id      int
	payload []byte
}

var sink []*record

// encode builds n records of 256 bytes each: one record and one payload allocation per record.
func encode(n int) []*record {
	out := make([]*record, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, &record{id: i, payload: make([]byte, 256)})
	}
	return out
}

func TestEncodeRecords(t *testing.T) { // want: alloc-regression TestEncodeRecords
	sink = encode(records(t))
	if len(sink) == 0 {
		t.Fatal("no records")
	}
}

// A test that does the same work whatever the setting: it must never regress.
func TestFixedWork(t *testing.T) {
	sink = encode(5000)
}

func BenchmarkEncode(b *testing.B) { // want: bench-regression BenchmarkEncode
	// Records per operation: 8, or 16 with a doubled GATE_FIXTURE_WORK.
	perOp := records(b) / 1250
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink = encode(perOp)
	}
	// A custom unit, as teams report domain figures: gate reads it as bench.records/op.
	b.ReportMetric(float64(perOp), "records/op")
}
