// Package clean is the clean twin of builder-regrowth/violating: Render
// sizes the Builder with Grow before writing, and Lines formats into one
// bytes.Buffer, whose Reset keeps the buffer for the next line.
//
// gate:clean builder-regrowth
package clean

import (
	"bytes"
	"strconv"
	"strings"
)

// Render formats the values as "values of the series: v1,v2,...".
func Render(values []int) string {
	var b strings.Builder
	b.Grow(32 + len(values)*8) // room for values up to 7 digits and a comma
	b.WriteString("values of the series: ")
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(v))
	}
	return b.String()
}

// Lines formats one "name=value" line per pair.
func Lines(names []string, value int) []string {
	out := make([]string, 0, len(names))
	var buf bytes.Buffer
	for _, name := range names {
		buf.Reset() // keeps the buffer's capacity
		buf.WriteString(name)
		buf.WriteByte('=')
		buf.WriteString(strconv.Itoa(value))
		out = append(out, buf.String()) // one exact-size copy per line
	}
	return out
}
