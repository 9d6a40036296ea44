// Package violating breaks rwmutex-writer-wait: Report renders the routing
// table while holding the read lock, so an Update that arrives meanwhile
// waits for the whole rendering (and every reader after it waits for the
// Update).
package violating

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
	t.mu.Lock() // want: rwmutex-writer-wait TestUpdateDuringReport
	t.routes[route] = backend
	t.mu.Unlock()
}

// Report renders the table for an operator, slowly (it stands for a
// template rendered to a slow client). started is closed once the
// rendering has begun.
func (t *Table) Report(started chan<- struct{}) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	close(started)
	keys := make([]string, 0, len(t.routes))
	for k := range t.routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + " -> " + t.routes[k] + "\n")
	}
	time.Sleep(300 * time.Millisecond) // the slow part
	return b.String()
}
