// Package clean is the clean twin of symlink-failed/violating: Activate
// creates the new link under a temporary name, which does not exist, and
// renames it over "current", which replaces the old link atomically.
//
// gate:clean symlink-failed
package clean

import "os"

// Activate makes current point at release.
func Activate(release, current string) error {
	tmp := current + ".tmp"
	os.Remove(tmp) // a leftover of an interrupted deploy, if any
	if err := os.Symlink(release, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, current)
}
