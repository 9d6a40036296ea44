package violating

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte(strings.Repeat("line\n", 10000)+"last\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Tail(path, 10)
	if err != nil || string(got) != "line\nlast\n" {
		t.Fatalf("Tail = %q, %v", got, err)
	}
}
