// Package violating breaks filepath-walk: SourceFiles lists a tree with
// filepath.Walk, which calls lstat(2) on every entry to build the
// os.FileInfo it passes to the callback, although the callback only needs
// each entry's name and whether it is a directory.
package violating

import (
	"os"
	"path/filepath"
	"strings"
)

// SourceFiles returns the .go files under root.
func SourceFiles(root string) ([]string, error) {
	var files []string
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error { // want: filepath-walk TestSourceFiles
		if err != nil {
			return err
		}
		if !info.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}
