// Package clean is the clean twin of mkdir-world-writable/violating: the
// directories are created with the mode they are meant to have, 0750, which
// no umask widens.
//
// gate:clean mkdir-world-writable
package clean

import (
	"os"
	"path/filepath"
)

// Cache stores objects under a root directory.
type Cache struct{ root string }

// Open creates the cache's directories.
func Open(root string) (*Cache, error) {
	if err := os.MkdirAll(filepath.Join(root, "objects", "tmp"), 0o750); err != nil {
		return nil, err
	}
	return &Cache{root: root}, nil
}
