// Package violating breaks stat-repeated: Handle checks whether the
// configuration file has changed by calling os.Stat on every request, one
// system call per request for an answer that changes rarely.
package violating

import (
	"os"
	"time"
)

// Server serves requests with a configuration read from a file.
type Server struct {
	Path    string
	modTime time.Time
	reloads int
}

// Handle serves one request, reloading the configuration if it changed.
func (s *Server) Handle() error {
	fi, err := os.Stat(s.Path) // want: stat-repeated TestHandle
	if err != nil {
		return err
	}
	if !fi.ModTime().Equal(s.modTime) {
		s.modTime = fi.ModTime()
		s.reloads++
	}
	return nil
}
