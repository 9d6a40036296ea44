package violating

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadPID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.pid")
	if err := os.WriteFile(path, []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pid, err := ReadPID(path)
	if err != nil || pid != 4242 {
		t.Fatalf("ReadPID = %d, %v", pid, err)
	}
}
