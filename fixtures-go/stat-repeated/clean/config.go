// Package clean is the clean twin of stat-repeated/violating: the server
// checks the configuration file at most once per interval, so a burst of
// requests makes one os.Stat, not one each.
//
// gate:clean stat-repeated
package clean

import (
	"os"
	"time"
)

// Server serves requests with a configuration read from a file.
type Server struct {
	Path    string
	Every   time.Duration
	checked time.Time
	modTime time.Time
	reloads int
}

// Handle serves one request, reloading the configuration if it changed.
func (s *Server) Handle() error {
	now := time.Now()
	if !s.checked.IsZero() && now.Sub(s.checked) < s.Every {
		return nil
	}
	s.checked = now
	fi, err := os.Stat(s.Path)
	if err != nil {
		return err
	}
	if !fi.ModTime().Equal(s.modTime) {
		s.modTime = fi.ModTime()
		s.reloads++
	}
	return nil
}
