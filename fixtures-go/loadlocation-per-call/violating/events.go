// Package violating breaks loadlocation-per-call: every event's local time is
// parsed after a fresh time.LoadLocation of its zone, which opens, reads and
// parses the zone's tzdata file each time.
package violating

import "time"

// ParseLocal parses a local timestamp in the named IANA zone.
func ParseLocal(ts, zone string) (time.Time, error) {
	loc, err := time.LoadLocation(zone) // want: loadlocation-per-call TestParseEvents
	if err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation(time.DateTime, ts, loc)
}
