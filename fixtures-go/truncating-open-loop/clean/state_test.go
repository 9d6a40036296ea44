package clean

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheckpoint(t *testing.T) {
	p := &Progress{Path: filepath.Join(t.TempDir(), "progress")}
	for i := 0; i < 1000; i++ {
		if err := p.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p.Path)
	if err != nil || string(b) != "1000\n" {
		t.Fatalf("state %q, %v", b, err)
	}
}
