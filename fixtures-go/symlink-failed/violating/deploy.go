// Package violating breaks symlink-failed: Activate points the "current"
// link at a release by calling os.Symlink, which fails when the link
// exists (every deploy but the first), and then removes the link and tries
// again: a failed system call per deploy, and a window in which "current"
// does not exist at all.
package violating

import (
	"errors"
	"io/fs"
	"os"
)

// Activate makes current point at release.
func Activate(release, current string) error {
	err := os.Symlink(release, current) // want: symlink-failed TestActivate
	if errors.Is(err, fs.ErrExist) {
		if err := os.Remove(current); err != nil {
			return err
		}
		// Readers of current see no link from here to the next line.
		err = os.Symlink(release, current)
	}
	return err
}
