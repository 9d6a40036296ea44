// Package clean is the clean twin of exec-through-shell/violating: sort is
// started directly with the file name as its own argument, no shell between.
//
// gate:clean exec-through-shell
package clean

import (
	"os/exec"
	"strings"
)

// UniqueLines returns the sorted distinct lines of the file at path.
func UniqueLines(path string) ([]string, error) {
	out, err := exec.Command("sort", "-u", "--", path).Output()
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}
