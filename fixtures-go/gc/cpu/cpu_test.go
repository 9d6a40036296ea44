// Package cpu violates gc-cpu-budget: the test lowers GOGC to 1 "to save
// memory" while it keeps a large pointer-rich structure alive, so the
// collector runs back to back and steals most of the CPU from the code
// under test.
package cpu

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type node struct {
	next  *node
	value [4]int64
}

func buildList(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, value: [4]int64{int64(i)}}
	}
	return head
}

var sink atomic.Pointer[node]

func TestLowGOGCThrashes(t *testing.T) { // want: gc-cpu-budget TestLowGOGCThrashes
	old := debug.SetGCPercent(1)
	defer debug.SetGCPercent(old)
	live := buildList(1_000_000) // about 48 MiB of pointers to trace on every cycle
	deadline := time.Now().Add(800 * time.Millisecond)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ { // one worker per P, as a server would run
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				for i := 0; i < 1000; i++ {
					sink.Store(&node{value: [4]int64{int64(i)}})
				}
			}
		}()
	}
	wg.Wait()
	if live == nil {
		t.Fatal("list lost")
	}
}
