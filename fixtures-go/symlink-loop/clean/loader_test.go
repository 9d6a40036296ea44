package clean

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// deploy lays out root/releases/v1/app.conf and returns root.
func deploy(t *testing.T) string {
	root := t.TempDir()
	rel := filepath.Join(root, "releases", "v1")
	if err := os.MkdirAll(rel, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rel, "app.conf"), []byte("workers = 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestLoad(t *testing.T) {
	root := deploy(t)
	if err := os.Symlink(filepath.Join(root, "releases", "v1"), filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	l := &Loader{Path: filepath.Join(root, "current", "app.conf"), Retries: 5, Backoff: time.Millisecond}
	b, err := l.Load()
	if err != nil || string(b) != "workers = 4\n" {
		t.Fatalf("Load = %q, %v", b, err)
	}
}

// TestLoadLoop: a broken deploy pointed current at next and next at current.
func TestLoadLoop(t *testing.T) {
	root := deploy(t)
	if err := os.Symlink("next", filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("current", filepath.Join(root, "next")); err != nil {
		t.Fatal(err)
	}
	l := &Loader{Path: filepath.Join(root, "current", "app.conf"), Retries: 5, Backoff: time.Millisecond}
	if _, err := l.Load(); err == nil {
		t.Fatal("Load through a symlink loop succeeded")
	}
}
