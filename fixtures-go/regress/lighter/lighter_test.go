// Package lighter is the clean twin of regress/work for the regression
// rules: the same encoder, compared with a baseline that did twice the work
// (GATE_FIXTURE_WORK=20000 there, the default 10000 here). Allocating less
// than the baseline is an improvement, never a regression, and a test whose
// work did not change compares equal.
package lighter

// gate:clean alloc-regression bench-regression
// gate:baseline-env GATE_FIXTURE_WORK=20000
// gate:test-flags -test.bench . -test.benchtime 100x

import (
	"os"
	"strconv"
	"testing"
)

// records reads the amount of work from GATE_FIXTURE_WORK (default 10000).
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

// encode builds n records of 256 bytes each: two allocations per record.
func encode(n int) []*record {
	out := make([]*record, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, &record{id: i, payload: make([]byte, 256)})
	}
	return out
}

// TestEncodeFewerRecords does half the baseline's work.
func TestEncodeFewerRecords(t *testing.T) {
	sink = encode(records(t))
	if len(sink) == 0 {
		t.Fatal("no records")
	}
}

// TestSameWork does the same work on both sides.
func TestSameWork(t *testing.T) {
	sink = encode(5000)
}

// BenchmarkEncodeFewer encodes 8 records per operation here, 16 in the baseline.
func BenchmarkEncodeFewer(b *testing.B) {
	perOp := records(b) / 1250
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink = encode(perOp)
	}
}
