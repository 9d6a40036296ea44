// Package clean is the clean twin of chmod-per-file/violating: Unpack
// creates every file read-only in the first place (the permission argument
// of os.OpenFile applies to the new file, while the descriptor it returns
// stays writable), so no chmod pass over the tree is needed: only the
// directories, which must stay writable until their files exist, get one
// chmod each at the end.
//
// gate:clean chmod-per-file
package clean

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// Unpack extracts the tar archive r into dir, which must exist, as a
// read-only tree so that nothing edits the cache in place.
func Unpack(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	var dirs []string
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
			dirs = append(dirs, p)
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o400)
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
	for _, d := range dirs {
		if err := os.Chmod(d, 0o500); err != nil {
			return err
		}
	}
	return nil
}
