// Package clean is the clean twin of removeall-large-tree/violating: the
// Sandbox keeps one directory for all its actions and, between actions,
// removes only the links the next action does not need and adds only the
// ones it lacks (Bazel's sandbox reuse). The shared toolchain is linked
// once and deleted once, at Close.
//
// gate:clean removeall-large-tree
package clean

import (
	"os"
	"path/filepath"
)

// Sandbox runs actions in one reused directory, Dir/run. Actions treat the
// directory as read-only and write their outputs elsewhere.
type Sandbox struct {
	Dir  string
	have map[string]string // sandbox-relative path -> source linked there
	made map[string]bool   // directories created
}

func (s *Sandbox) dir() string { return filepath.Join(s.Dir, "run") }

// Run makes the sandbox hold exactly inputs (sandbox-relative path ->
// source file) as hard links and calls action with its directory.
func (s *Sandbox) Run(inputs map[string]string, action func(dir string) error) error {
	if s.have == nil {
		s.have = map[string]string{}
		s.made = map[string]bool{}
	}
	for rel, src := range s.have {
		if inputs[rel] == src {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir(), rel)); err != nil && !os.IsNotExist(err) {
			return err
		}
		delete(s.have, rel)
	}
	for rel, src := range inputs {
		if _, ok := s.have[rel]; ok {
			continue
		}
		p := filepath.Join(s.dir(), rel)
		if parent := filepath.Dir(p); !s.made[parent] {
			if err := os.MkdirAll(parent, 0o700); err != nil {
				return err
			}
			s.made[parent] = true
		}
		if err := os.Link(src, p); err != nil {
			return err
		}
		s.have[rel] = src
	}
	return action(s.dir())
}

// Close deletes the sandbox.
func (s *Sandbox) Close() error {
	s.have, s.made = nil, nil
	return os.RemoveAll(s.dir())
}
