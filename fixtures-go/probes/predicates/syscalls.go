package predicates

import (
	"os"
	"path/filepath"
)

// WriteByByte writes n bytes one write(2) at a time.
func WriteByByte(dir string, n int) error {
	f, err := os.Create(filepath.Join(dir, "bytes"))
	if err != nil {
		return err
	}
	defer f.Close()
	for i := 0; i < n; i++ {
		if _, err := f.Write([]byte{'x'}); err != nil {
			return err
		}
	}
	return nil
}

// OpenMissing tries to open n files that do not exist.
func OpenMissing(dir string, n int) int {
	failed := 0
	for i := 0; i < n; i++ {
		if _, err := os.Open(filepath.Join(dir, "missing")); err != nil {
			failed++
		}
	}
	return failed
}
