package forced

import (
	"runtime/debug"
	"testing"
)

func TestCacheResetForcesGC(t *testing.T) { // want: forced-gc TestCacheResetForcesGC
	c := &cache{entries: map[int][]byte{}}
	for round := 0; round < 3; round++ {
		c.fill(1000)
		c.reset()
	}
	// A test may force a collection on purpose (here, to return memory before
	// measuring): runtime-gc-call counts only code under test, forced-gc counts
	// every forced cycle.
	debug.FreeOSMemory()
	if len(c.entries) != 0 {
		t.Fatal("reset left entries behind")
	}
}
