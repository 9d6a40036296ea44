package clean

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUniqueLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(path, []byte("bob\nann\nbob\ncid\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := UniqueLines(path)
	if err != nil || strings.Join(got, ",") != "ann,bob,cid" {
		t.Fatalf("UniqueLines = %q, %v", got, err)
	}
}
