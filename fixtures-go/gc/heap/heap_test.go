// Package heap violates heap-peak-budget: an export that renders every
// record into one bytes.Buffer before writing it out, instead of streaming
// to the writer. The buffer doubles as it grows, so the peak heap is well
// above the size of the data.
package heap

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

type record struct {
	ID    int
	Name  string
	Score float64
}

var padding [4096]byte

func exportAll(w io.Writer, n int) error {
	var buf bytes.Buffer // the anti-pattern: everything in memory first
	for i := 0; i < n; i++ {
		r := record{ID: i, Name: "customer-with-a-long-name", Score: float64(i) / 3}
		fmt.Fprintf(&buf, "%08d,%s,%.3f,", r.ID, r.Name, r.Score)
		buf.Write(padding[:]) // a 4 KiB attachment per record
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func TestExportBuffersEverything(t *testing.T) { // want: heap-peak-budget TestExportBuffersEverything
	if err := exportAll(io.Discard, 70_000); err != nil {
		t.Fatal(err)
	}
}
