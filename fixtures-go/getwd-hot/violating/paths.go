// Package violating breaks getwd-hot: every relative path is made absolute
// with a fresh os.Getwd, two stat calls (of "." and $PWD) per path.
package violating

import (
	"os"
	"path/filepath"
)

// Absolute returns path as an absolute path.
func Absolute(path string) (string, error) {
	if filepath.IsAbs(path) {
		return filepath.Clean(path), nil
	}
	wd, err := os.Getwd() // want: getwd-hot TestAbsolute
	if err != nil {
		return "", err
	}
	return filepath.Join(wd, path), nil
}
