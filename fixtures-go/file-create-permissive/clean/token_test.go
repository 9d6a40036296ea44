package clean

import (
	"os"
	"testing"
)

func TestSaveToken(t *testing.T) {
	path, err := SaveToken(t.TempDir(), "s3cr3t")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "s3cr3t" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
}
