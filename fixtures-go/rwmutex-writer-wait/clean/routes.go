// Package clean is the clean twin of rwmutex-writer-wait/violating: Report
// copies the table under the read lock and renders the copy without it, so
// an Update never waits for the rendering.
//
// gate:clean rwmutex-writer-wait
package clean

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Table is a routing table read by many and updated now and then.
type Table struct {
	mu     sync.RWMutex
	routes map[string]string
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{routes: make(map[string]string)} }

// Update sets the backend of a route.
func (t *Table) Update(route, backend string) {
	t.mu.Lock()
	t.routes[route] = backend
	t.mu.Unlock()
}

// Report renders the table for an operator, slowly (it stands for a
// template rendered to a slow client). started is closed once the
// rendering has begun.
func (t *Table) Report(started chan<- struct{}) string {
	t.mu.RLock()
	snapshot := make(map[string]string, len(t.routes))
	for k, v := range t.routes {
		snapshot[k] = v
	}
	t.mu.RUnlock()
	close(started)
	keys := make([]string, 0, len(snapshot))
	for k := range snapshot {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + " -> " + snapshot[k] + "\n")
	}
	time.Sleep(300 * time.Millisecond) // the slow part
	return b.String()
}
