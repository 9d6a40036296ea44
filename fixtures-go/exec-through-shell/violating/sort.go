// Package violating breaks exec-through-shell: the file name is pasted into a
// shell command line, so a shell is started to start sort, and a name with
// a space, a quote or a semicolon changes the command.
package violating

import (
	"os/exec"
	"strings"
)

// UniqueLines returns the sorted distinct lines of the file at path.
func UniqueLines(path string) ([]string, error) {
	out, err := exec.Command("sh", "-c", "sort -u "+path).Output() // want: exec-through-shell TestUniqueLines
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}
