// Package violating breaks seek-negative-offset: Tail means to seek n bytes
// back from the end but passes io.SeekStart, so the seek always fails with
// EINVAL, and the fallback for "file shorter than n" reads the whole file.
package violating

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
	if _, err := f.Seek(-n, io.SeekStart); err != nil { // want: seek-negative-offset TestTail
		// Assumed: the file is shorter than n; read it all.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		if int64(len(data)) > n {
			data = data[int64(len(data))-n:]
		}
		return data, err
	}
	return io.ReadAll(f)
}
