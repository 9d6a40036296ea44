// Package violating breaks builder-regrowth (checklist item 97): Encoder
// keeps one strings.Builder and calls Reset between records, expecting the
// buffer to be reused. strings.Builder.Reset drops the buffer (it sets it
// to nil: String() handed it out as the returned string), so every record
// allocates and regrows a new one from nothing.
package violating

import (
	"strconv"
	"strings"
)

// Record is one log record.
type Record struct {
	Level   string
	Message string
	Attempt int
}

// Encoder renders records as key=value lines.
type Encoder struct {
	b strings.Builder
}

// Encode returns r as one line.
func (e *Encoder) Encode(r Record) string {
	e.b.Reset()
	e.b.WriteString("level=") // want: builder-regrowth TestEncodeMany
	e.b.WriteString(r.Level)  // want: builder-regrowth TestEncodeMany
	e.b.WriteString(" msg=")
	e.b.WriteString(strconv.Quote(r.Message)) // want: builder-regrowth TestEncodeMany
	e.b.WriteString(" attempt=")              // want: builder-regrowth TestEncodeMany
	e.b.WriteString(strconv.Itoa(r.Attempt))
	return e.b.String()
}
