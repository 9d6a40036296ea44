package violating

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOpen(t *testing.T) {
	root := t.TempDir()
	if _, err := Open(root); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(root, "objects", "tmp")); err != nil || !st.IsDir() {
		t.Fatalf("Stat = %v, %v", st, err)
	}
}
