// Package violating breaks request-body-unread: a webhook endpoint counts
// deliveries by their X-Event header and acknowledges them without reading
// the payload. For payloads over 256 KiB net/http closes the connection
// after each answer instead of draining it, so the sender dials (and for
// TLS, handshakes) again for every delivery.
package violating

import (
	"net/http"
	"sync"
)

// Hooks counts webhook deliveries per event type.
type Hooks struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewHooks returns an empty counter.
func NewHooks() *Hooks { return &Hooks{counts: map[string]int{}} }

// ServeHTTP acknowledges a delivery.
func (h *Hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.counts[r.Header.Get("X-Event")]++
	h.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// Count is the number of deliveries of one event type.
func (h *Hooks) Count(event string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[event]
}
