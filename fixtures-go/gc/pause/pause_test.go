// Package pause violates gc-pause-budget: a snapshot of a memory-mapped
// region taken with one copy() call. A single huge memmove cannot be
// preempted, so a GC that starts meanwhile waits for it with the world
// stopped: every goroutine of the program stalls, not only the copier.
package pause

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

const regionSize = 128 << 20

func mapRegion(t *testing.T) []byte {
	b, err := syscall.Mmap(-1, 0, regionSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(b) })
	return b
}

// snapshot copies the whole region at once; the fix is to copy in chunks
// of a few MiB so the runtime can preempt between them.
func snapshot(dst, src []byte, started chan<- struct{}, done chan<- struct{}) {
	started <- struct{}{}
	copy(dst, src)
	close(done)
}

var garbage []byte

func TestSnapshotStallsGC(t *testing.T) { // want: gc-pause-budget TestSnapshotStallsGC
	live, snap := mapRegion(t), mapRegion(t)
	started, done := make(chan struct{}), make(chan struct{})
	go snapshot(snap, live, started, done)
	<-started
	time.Sleep(20 * time.Millisecond) // the copy is under way now
	// Ordinary allocation crosses the heap goal, so a collection starts
	// while the copy runs, and its stop-the-world must wait for the copy.
	for i := 0; i < 16; i++ {
		garbage = make([]byte, 4<<20)
	}
	<-done
	if !bytes.Equal(snap, live) {
		t.Fatal("snapshot differs from the live region")
	}
}
