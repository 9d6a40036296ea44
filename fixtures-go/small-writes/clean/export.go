// Package clean is the clean twin of small-writes/violating: Export puts a
// 64 KiB bufio.Writer between the record stream and the file, so the
// records reach the kernel in a few large writes.
//
// gate:clean small-writes
package clean

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// Records yields n text records, one per Read, as a decoder or a
// line-oriented source does.
type Records struct {
	i, n int
}

// NewRecords returns a source of n records.
func NewRecords(n int) *Records { return &Records{n: n} }

func (r *Records) Read(p []byte) (int, error) {
	if r.i >= r.n {
		return 0, io.EOF
	}
	r.i++
	return copy(p, fmt.Sprintf("record %06d\n", r.i)), nil
}

// writerOnly hides the ReadFrom method of the writer it wraps. io.Copy into
// a bufio.Writer calls its ReadFrom, which, while the buffer is empty, hands
// the source straight to the file's own ReadFrom: unbuffered again.
type writerOnly struct{ io.Writer }

// Export writes every record of src to the file at path.
func Export(path string, src io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	if _, err := io.Copy(writerOnly{w}, src); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
