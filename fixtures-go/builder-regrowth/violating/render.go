// Package violating breaks builder-regrowth twice: Render builds a line of
// known length with strings.Builder without Grow, so the buffer is
// reallocated and copied as it doubles; Lines reuses one Builder with
// Reset, which drops the buffer (the String already returned shares it),
// so every line allocates its buffer from scratch.
package violating

import (
	"strconv"
	"strings"
)

// Render formats the values as "values of the series: v1,v2,...".
func Render(values []int) string {
	var b strings.Builder
	b.WriteString("values of the series: ") // want: builder-regrowth TestRender
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',') // want: builder-regrowth TestRender
		}
		b.WriteString(strconv.Itoa(v)) // want: builder-regrowth TestRender
	}
	return b.String()
}

// Lines formats one "name=value" line per pair.
func Lines(names []string, value int) []string {
	out := make([]string, 0, len(names))
	var b strings.Builder
	for _, name := range names {
		b.Reset()
		b.WriteString(name) // want: builder-regrowth TestLines
		b.WriteString("=" + strconv.Itoa(value))
		out = append(out, b.String())
	}
	return out
}
