// Package clean is the clean twin of defer-in-loop/violating: the loop body
// is its own function, so each defer runs at the end of its iteration and
// the compiler open-codes it (no defer record at all).
//
// gate:clean defer-in-loop
package clean

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// Record is one row of the export.
type Record struct {
	ID   int
	Name string
}

var scratch = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Export writes one CSV line per record.
func Export(w io.Writer, recs []Record) error {
	for _, r := range recs {
		if err := exportOne(w, r); err != nil {
			return err
		}
	}
	return nil
}

func exportOne(w io.Writer, r Record) error {
	buf := scratch.Get().(*bytes.Buffer)
	buf.Reset()
	defer scratch.Put(buf)
	buf.WriteString(strconv.Itoa(r.ID))
	buf.WriteByte(',')
	buf.WriteString(r.Name)
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
