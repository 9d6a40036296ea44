// Package clean is the clean twin of symlink-loop/violating: Loader
// resolves the release symlink with filepath.EvalSymlinks, which walks the
// links itself and reports a loop as an error without opening anything,
// reads the file from the release the links led to, and retries only
// while a link is missing (a deploy in the middle of a swap).
//
// gate:clean symlink-loop
package clean

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
	for attempt := 0; ; attempt++ {
		real, err := filepath.EvalSymlinks(l.Path)
		if err == nil {
			return os.ReadFile(real)
		}
		if !errors.Is(err, fs.ErrNotExist) || attempt == l.Retries {
			return nil, err
		}
		time.Sleep(l.Backoff)
	}
}
