// Package clean is the clean twin of truncating-open-loop/violating: the
// state file is opened once and every checkpoint overwrites it in place.
//
// gate:clean truncating-open-loop
package clean

import (
	"os"
	"strconv"
)

// Progress persists a counter in a file.
type Progress struct {
	Path string
	n    int
	f    *os.File
}

// Checkpoint records one more finished item.
func (p *Progress) Checkpoint() error {
	p.n++
	if p.f == nil {
		f, err := os.OpenFile(p.Path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		p.f = f
	}
	b := strconv.AppendInt(nil, int64(p.n), 10)
	b = append(b, '\n')
	if _, err := p.f.WriteAt(b, 0); err != nil {
		return err
	}
	return p.f.Truncate(int64(len(b)))
}

// Close releases the state file.
func (p *Progress) Close() error {
	if p.f == nil {
		return nil
	}
	return p.f.Close()
}
