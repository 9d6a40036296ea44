package clean

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestActivate(t *testing.T) {
	dir := t.TempDir()
	current := filepath.Join(dir, "current")
	for i := 1; i <= 5; i++ {
		release := filepath.Join(dir, fmt.Sprintf("release-%d", i))
		if err := os.Mkdir(release, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := Activate(release, current); err != nil {
			t.Fatal(err)
		}
		if got, err := os.Readlink(current); err != nil || got != release {
			t.Fatalf("current -> %q, %v", got, err)
		}
	}
}
