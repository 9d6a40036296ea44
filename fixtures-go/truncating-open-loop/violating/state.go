// Package violating breaks truncating-open-loop: Checkpoint saves the
// progress counter by re-creating the state file on every update, an
// O_CREAT|O_TRUNC open (and the truncation it implies) per call.
package violating

import (
	"os"
	"strconv"
)

// Progress persists a counter in a file.
type Progress struct {
	Path string
	n    int
}

// Checkpoint records one more finished item.
func (p *Progress) Checkpoint() error {
	p.n++
	f, err := os.Create(p.Path) // want: truncating-open-loop TestCheckpoint
	if err != nil {
		return err
	}
	if _, err := f.WriteString(strconv.Itoa(p.n) + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Close releases the state file (none is kept open).
func (p *Progress) Close() error { return nil }
