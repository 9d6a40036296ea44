// Package violating breaks symlink-loop-stat: Collect gathers the *.conf
// files below a directory and follows symbolic links to directories (so
// that shared snippets linked into conf.d are included) without
// remembering where it has been. A link back to an ancestor
// (conf.d/all -> ..) makes it walk the tree again below the link, 40 times
// over, until a path holds more links than the kernel follows and os.Stat
// fails with ELOOP.
package violating

import (
	"os"
	"path/filepath"
)

// Collect returns the *.conf files below dir, following symbolic links.
func Collect(dir string) ([]string, error) {
	var out []string
	err := collect(dir, &out)
	return out, err
}

func collect(dir string, out *[]string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p) // want: symlink-loop-stat TestCollect
		if err != nil {
			continue // a dangling link: nothing to include
		}
		if fi.IsDir() {
			if err := collect(p, out); err != nil {
				return err
			}
		} else if filepath.Ext(p) == ".conf" {
			*out = append(*out, p)
		}
	}
	return nil
}
