// Package violating breaks defer-in-loop: an exporter takes a scratch buffer
// from a pool for every record and defers giving it back inside the loop.
// Each iteration's defer becomes a heap defer record (runtime.deferproc),
// and every buffer stays out of the pool until the whole export returns.
package violating

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
		buf := scratch.Get().(*bytes.Buffer)
		buf.Reset()
		defer scratch.Put(buf) // want: defer-in-loop TestExport
		buf.WriteString(strconv.Itoa(r.ID))
		buf.WriteByte(',')
		buf.WriteString(r.Name)
		buf.WriteByte('\n')
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
