// Package calm is the clean twin of the gc fixtures: the same kinds of work
// (an export, a snapshot, a cache reset, a long-lived list) done the way the
// rules' help texts recommend. Every GC budget passes.
package calm

// gate:clean gc-pause-budget gc-cpu-budget heap-peak-budget forced-gc runtime-gc-call

import (
	"bufio"
	"fmt"
	"io"
	"testing"
	"time"
)

type node struct {
	next  *node
	value [4]int64
}

// exportAll streams through a small buffered writer.
func exportAll(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for i := 0; i < n; i++ {
		fmt.Fprintf(bw, "%08d,%s,%.3f,%0100d\n", i, "customer-with-a-long-name", float64(i)/3, 0)
	}
	return bw.Flush()
}

func TestExportStreams(t *testing.T) {
	if err := exportAll(io.Discard, 200_000); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotInChunks copies a buffer in preemptible chunks. (Allocating a
// huge buffer is itself one non-preemptible zeroing: keep them moderate.)
func TestSnapshotInChunks(t *testing.T) {
	live, snapshot := make([]byte, 16<<20), make([]byte, 16<<20)
	const chunk = 1 << 20
	for round := 0; round < 16; round++ {
		for off := 0; off < len(live); off += chunk {
			copy(snapshot[off:off+chunk], live[off:off+chunk])
		}
	}
}

// TestCacheResetWithoutGC drops references and lets the pacer decide.
func TestCacheResetWithoutGC(t *testing.T) {
	entries := map[int][]byte{}
	for round := 0; round < 3; round++ {
		for i := 0; i < 1000; i++ {
			entries[i] = make([]byte, 1024)
		}
		entries = map[int][]byte{}
	}
	if len(entries) != 0 {
		t.Fatal("reset left entries behind")
	}
}

// TestLongLivedListDefaultGOGC keeps a pointer-rich structure alive at the default GOGC.
func TestLongLivedListDefaultGOGC(t *testing.T) {
	var head *node
	for i := 0; i < 1_000_000; i++ {
		head = &node{next: head, value: [4]int64{int64(i)}}
	}
	deadline := time.Now().Add(600 * time.Millisecond)
	var sink *node
	for time.Now().Before(deadline) {
		for i := 0; i < 1000; i++ {
			sink = &node{value: [4]int64{int64(i)}}
		}
	}
	if head == nil || sink == nil {
		t.Fatal("lost the list")
	}
}
