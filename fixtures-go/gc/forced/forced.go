// Package forced violates forced-gc and runtime-gc-call (catalog 54 and 93):
// a cache whose reset calls runtime.GC to "clean up", which stops the world
// and throws away the pacer's work for nothing.
package forced

import "runtime"

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
