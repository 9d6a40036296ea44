// Package violating breaks sync-map-write-heavy: a session tracker records
// the last activity of every session in a sync.Map on each request, and
// reads it only when a session is looked up. sync.Map is built for keys
// written once and read many times; here every request is a Store, which
// allocates a new entry and costs several times a mutex-guarded map write.
package violating

import (
	"sync"
	"time"
)

// Sessions tracks the last time each session was active.
type Sessions struct {
	lastSeen sync.Map // session id -> time.Time
}

// Touch records activity on a session; called on every request.
func (s *Sessions) Touch(id string, at time.Time) {
	s.lastSeen.Store(id, at) // want: sync-map-write-heavy TestTouchEveryRequest
}

// LastSeen reports when the session was last active.
func (s *Sessions) LastSeen(id string) (time.Time, bool) {
	v, ok := s.lastSeen.Load(id)
	if !ok {
		return time.Time{}, false
	}
	return v.(time.Time), true
}
