// Package violating breaks small-writes: Export copies a record stream to a
// file with io.Copy. The source yields one short record per Read, and
// io.Copy hands each one to the file at once: one write(2) per record.
package violating

import (
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

// Export writes every record of src to the file at path.
func Export(path string, src io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil { // want: small-writes TestExport
		f.Close()
		return err
	}
	return f.Close()
}
