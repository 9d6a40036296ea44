// Package violating breaks chmod-per-file: Unpack extracts a module archive
// into a cache directory with writable files and directories, then walks
// the whole tree to make it read-only: one chmod(2) per entry.
package violating

import (
	"archive/tar"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Unpack extracts the tar archive r into dir, which must exist, and makes
// the extracted tree read-only so that nothing edits the cache in place.
func Unpack(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.Mkdir(p, 0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			data, err := io.ReadAll(tr)
			if err == nil {
				_, err = f.Write(data)
			}
			if err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	return makeReadOnly(dir)
}

// makeReadOnly clears the write bits of every entry below dir.
func makeReadOnly(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		mode := fs.FileMode(0o400)
		if d.IsDir() {
			mode = 0o500
		}
		return os.Chmod(path, mode) // want: chmod-per-file TestUnpack
	})
}
