package clean

import (
	"os"
	"path/filepath"
	"testing"
)

func TestExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := Export(path, NewRecords(5000)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 5000*14 {
		t.Fatalf("size %d", fi.Size())
	}
}
