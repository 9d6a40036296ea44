// Package clean is the clean twin of loadlocation-per-call/violating: each
// zone is loaded once and kept; a *time.Location is safe for concurrent use.
//
// gate:clean loadlocation-per-call
package clean

import (
	"sync"
	"time"
)

var (
	zonesMu sync.Mutex
	zones   = map[string]*time.Location{}
)

func location(name string) (*time.Location, error) {
	zonesMu.Lock()
	defer zonesMu.Unlock()
	if loc, ok := zones[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones[name] = loc
	return loc, nil
}

// ParseLocal parses a local timestamp in the named IANA zone.
func ParseLocal(ts, zone string) (time.Time, error) {
	loc, err := location(zone)
	if err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation(time.DateTime, ts, loc)
}
