package clean

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// moduleArchive builds a tar archive of a module with 15 packages of 40
// source files each.
func moduleArchive(t *testing.T) *bytes.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := bytes.Repeat([]byte("// generated source line\n"), 24)
	for p := 0; p < 15; p++ {
		dir := fmt.Sprintf("pkg%02d/", p)
		if err := tw.WriteHeader(&tar.Header{Name: dir, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
		for f := 0; f < 40; f++ {
			hdr := &tar.Header{Name: fmt.Sprintf("%sf%02d.go", dir, f), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}
			if err := tw.WriteHeader(hdr); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

// writable lets t.TempDir's cleanup delete the read-only tree.
func writable(t *testing.T, dir string) {
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(path, 0o700)
			}
			return nil
		})
	})
}

func TestUnpack(t *testing.T) {
	dir := t.TempDir()
	writable(t, dir)
	if err := Unpack(moduleArchive(t), dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "pkg07", "f13.go"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o400 {
		t.Fatalf("file mode %v, want read-only", fi.Mode())
	}
	if fi, err = os.Stat(filepath.Join(dir, "pkg07")); err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o500 {
		t.Fatalf("directory mode %v, want read-only", fi.Mode())
	}
}
