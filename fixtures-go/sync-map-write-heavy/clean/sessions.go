// Package clean is the clean twin of sync-map-write-heavy/violating: the
// write-heavy tracker is a plain map under a sync.Mutex, which updates an
// existing key in place without allocating.
//
// gate:clean sync-map-write-heavy
package clean

import (
	"sync"
	"time"
)

// Sessions tracks the last time each session was active.
type Sessions struct {
	mu       sync.Mutex
	lastSeen map[string]time.Time
}

// Touch records activity on a session; called on every request.
func (s *Sessions) Touch(id string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastSeen == nil {
		s.lastSeen = make(map[string]time.Time)
	}
	s.lastSeen[id] = at
}

// LastSeen reports when the session was last active.
func (s *Sessions) LastSeen(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.lastSeen[id]
	return at, ok
}
