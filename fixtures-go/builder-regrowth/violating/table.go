// Package violating breaks builder-regrowth: FormatTable appends every
// cell to a strings.Builder that starts empty, so each table regrows the
// builder's buffer a dozen times (copying what it holds each time) although
// the final size is known before the first write.
package violating

import "strings"

// FormatTable renders rows as tab-separated lines.
func FormatTable(rows [][]string) string {
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				b.WriteByte('\t') // want: builder-regrowth TestFormatTable
			}
			b.WriteString(cell) // want: builder-regrowth TestFormatTable
		}
		b.WriteByte('\n')
	}
	return b.String()
}
