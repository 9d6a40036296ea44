// Package clean is the clean twin of seek-negative-offset/violating: a
// negative offset is relative to the end (io.SeekEnd), and the file's size
// decides whether it is shorter than n.
//
// gate:clean seek-negative-offset
package clean

import (
	"io"
	"os"
)

// Tail returns the last n bytes of the file at path.
func Tail(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > n {
		if _, err := f.Seek(-n, io.SeekEnd); err != nil {
			return nil, err
		}
	}
	return io.ReadAll(f)
}
