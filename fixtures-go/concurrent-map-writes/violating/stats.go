// Package violating breaks concurrent-map-writes: a hit counter shared by a
// pool of workers updates a plain map without a lock. The runtime detects
// the concurrent writes and kills the whole process with
// "fatal error: concurrent map writes", which no recover can catch.
package violating

// Hits counts requests per path.
type Hits struct {
	byPath map[string]int
}

// NewHits returns an empty counter.
func NewHits() *Hits {
	return &Hits{byPath: make(map[string]int)}
}

// Add counts one request to path.
func (h *Hits) Add(path string) {
	h.byPath[path]++ // want: concurrent-map-writes TestWorkersCountHits
}

// Count returns the requests counted for path.
func (h *Hits) Count(path string) int {
	return h.byPath[path]
}
