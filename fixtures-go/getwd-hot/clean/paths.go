// Package clean is the clean twin of getwd-hot/violating: the working
// directory is read once, when the resolver is made.
//
// gate:clean getwd-hot
package clean

import (
	"os"
	"path/filepath"
)

// Resolver makes paths absolute against a fixed directory.
type Resolver struct{ wd string }

// NewResolver reads the working directory once.
func NewResolver() (*Resolver, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return &Resolver{wd: wd}, nil
}

// Absolute returns path as an absolute path.
func (r *Resolver) Absolute(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(r.wd, path)
}
