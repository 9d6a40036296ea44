// Package pause violates gc-pause-budget: a goroutine copies a 96 MiB
// snapshot in one copy() call. A single huge memmove cannot be preempted,
// so every GC that starts meanwhile waits for it with the world stopped:
// the whole program stalls, not only the copying goroutine.
package pause

import (
	"testing"
	"time"
)

type store struct {
	live     []byte
	snapshot []byte
}

// snapshotLoop copies the whole store at once; the fix is to copy in
// chunks of a few MiB so the runtime can preempt between them.
func (s *store) snapshotLoop(rounds int, done chan<- struct{}) {
	for i := 0; i < rounds; i++ {
		copy(s.snapshot, s.live)
	}
	close(done)
}

var garbage []byte

func TestSnapshotStallsGC(t *testing.T) {
	s := &store{live: make([]byte, 96<<20), snapshot: make([]byte, 96<<20)}
	time.Sleep(50 * time.Millisecond) // let the collection the allocation started finish
	done := make(chan struct{})
	go s.snapshotLoop(12, done)
	// Meanwhile the test allocates normally, so collections start on their own.
	for {
		select {
		case <-done:
			return
		default:
			garbage = make([]byte, 64<<10)
		}
	}
}
