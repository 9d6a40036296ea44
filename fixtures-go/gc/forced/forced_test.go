// Package forced violates forced-gc (catalog 54 and 93): a test that calls
// runtime.GC and debug.FreeOSMemory to "clean up", which stops the world
// and throws away the pacer's work for nothing.
package forced

import (
	"runtime"
	"runtime/debug"
	"testing"
)

type cache struct{ entries map[int][]byte }

func (c *cache) fill(n int) {
	for i := 0; i < n; i++ {
		c.entries[i] = make([]byte, 1024)
	}
}

// reset drops the entries and forces a collection: the anti-pattern.
func (c *cache) reset() {
	c.entries = map[int][]byte{}
	runtime.GC() // want: runtime-gc-call TestCacheResetForcesGC
}

func TestCacheResetForcesGC(t *testing.T) { // want: forced-gc TestCacheResetForcesGC
	c := &cache{entries: map[int][]byte{}}
	for round := 0; round < 3; round++ {
		c.fill(1000)
		c.reset()
	}
	debug.FreeOSMemory()
	if len(c.entries) != 0 {
		t.Fatal("reset left entries behind")
	}
}
