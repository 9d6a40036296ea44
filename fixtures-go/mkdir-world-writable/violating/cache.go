// Package violating breaks mkdir-world-writable: a cache creates its
// directories with mode 0777, relying on the umask; where the umask is 0 (a
// container, a systemd unit with UMask=0000) every user may write them.
package violating

import (
	"os"
	"path/filepath"
)

// Cache stores objects under a root directory.
type Cache struct{ root string }

// Open creates the cache's directories.
func Open(root string) (*Cache, error) {
	if err := os.MkdirAll(filepath.Join(root, "objects", "tmp"), 0o777); err != nil { // want: mkdir-world-writable TestOpen
		return nil, err
	}
	return &Cache{root: root}, nil
}
