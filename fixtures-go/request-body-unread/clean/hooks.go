// Package clean is the clean twin of request-body-unread/violating: the
// webhook endpoint reads each payload to the end (bounded by
// http.MaxBytesReader) before it answers, so the connection stays open for
// the next delivery. A delivery too large to accept is refused with 413,
// which the rule does not count.
//
// gate:clean request-body-unread
package clean

import (
	"io"
	"net/http"
	"sync"
)

// MaxPayload is the largest delivery accepted.
const MaxPayload = 8 << 20

// Hooks counts webhook deliveries per event type.
type Hooks struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewHooks returns an empty counter.
func NewHooks() *Hooks { return &Hooks{counts: map[string]int{}} }

// ServeHTTP acknowledges a delivery.
func (h *Hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, MaxPayload)); err != nil {
		http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
		return
	}
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
