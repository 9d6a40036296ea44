// Package violating breaks symlink-loop: Loader reads its configuration
// through the "current" release symlink that deploys swap, and retries any
// failed read in case it raced with a swap. When a broken deploy leaves
// the links in a loop, every attempt makes the kernel follow the loop 40
// links deep before it fails with ELOOP, and the retries change nothing.
package violating

import (
	"os"
	"time"
)

// Loader reads a configuration file.
type Loader struct {
	Path    string // e.g. /srv/app/current/app.conf
	Retries int
	Backoff time.Duration
}

// Load returns the contents of the configuration file.
func (l *Loader) Load() ([]byte, error) {
	var err error
	for attempt := 0; ; attempt++ {
		var b []byte
		b, err = os.ReadFile(l.Path) // want: symlink-loop TestLoadLoop
		if err == nil {
			return b, nil
		}
		if attempt == l.Retries {
			return nil, err
		}
		time.Sleep(l.Backoff)
	}
}
