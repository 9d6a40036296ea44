// Package clean is the clean twin of concurrent-map-writes/violating: the
// counter's map is guarded by a sync.Mutex.
//
// gate:clean concurrent-map-writes
package clean

import "sync"

// Hits counts requests per path.
type Hits struct {
	mu     sync.Mutex
	byPath map[string]int
}

// NewHits returns an empty counter.
func NewHits() *Hits {
	return &Hits{byPath: make(map[string]int)}
}

// Add counts one request to path.
func (h *Hits) Add(path string) {
	h.mu.Lock()
	h.byPath[path]++
	h.mu.Unlock()
}

// Count returns the requests counted for path.
func (h *Hits) Count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byPath[path]
}
