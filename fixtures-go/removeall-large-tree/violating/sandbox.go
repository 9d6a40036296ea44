// Package violating breaks removeall-large-tree: Sandbox runs each build
// action in a fresh directory of hard links to its inputs and deletes that
// directory with os.RemoveAll when the action ends. Consecutive actions
// share almost all their inputs (the toolchain), yet every action builds
// and deletes the whole tree again: one unlinkat(2) per input, per action.
package violating

import (
	"os"
	"path/filepath"
	"strconv"
)

// Sandbox runs actions in directories below Dir.
type Sandbox struct {
	Dir  string
	runs int
}

// Run lays out inputs (sandbox-relative path -> source file) as hard links
// in a new directory, calls action with that directory, and deletes it.
func (s *Sandbox) Run(inputs map[string]string, action func(dir string) error) error {
	s.runs++
	dir := filepath.Join(s.Dir, "run-"+strconv.Itoa(s.runs))
	defer os.RemoveAll(dir) // want: removeall-large-tree TestRun
	made := map[string]bool{}
	for rel, src := range inputs {
		p := filepath.Join(dir, rel)
		if parent := filepath.Dir(p); !made[parent] {
			if err := os.MkdirAll(parent, 0o700); err != nil {
				return err
			}
			made[parent] = true
		}
		if err := os.Link(src, p); err != nil {
			return err
		}
	}
	return action(dir)
}
