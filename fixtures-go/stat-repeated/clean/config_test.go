package clean

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.conf")
	if err := os.WriteFile(path, []byte("limit = 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{Path: path, Every: time.Minute}
	for i := 0; i < 5000; i++ {
		if err := s.Handle(); err != nil {
			t.Fatal(err)
		}
	}
	if s.reloads != 1 {
		t.Fatalf("%d reloads", s.reloads)
	}
}
