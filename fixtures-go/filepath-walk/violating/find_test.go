package violating

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestSourceFiles(t *testing.T) {
	root := t.TempDir()
	for d := 0; d < 10; d++ {
		dir := filepath.Join(root, fmt.Sprintf("pkg%d", d))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for f := 0; f < 20; f++ {
			name := filepath.Join(dir, fmt.Sprintf("f%d.go", f))
			if f%2 == 1 {
				name = filepath.Join(dir, fmt.Sprintf("f%d.txt", f))
			}
			if err := os.WriteFile(name, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := SourceFiles(root)
	if err != nil || len(files) != 100 {
		t.Fatalf("%d files, %v", len(files), err)
	}
}
