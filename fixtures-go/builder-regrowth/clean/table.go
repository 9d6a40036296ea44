// Package clean is the clean twin of builder-regrowth/violating:
// FormatTable computes the size of the table first and calls Grow once, so
// the builder allocates its buffer exactly once.
//
// gate:clean builder-regrowth
package clean

import "strings"

// FormatTable renders rows as tab-separated lines.
func FormatTable(rows [][]string) string {
	n := 0
	for _, row := range rows {
		for _, cell := range row {
			n += len(cell) + 1 // the cell and its tab or newline
		}
		if len(row) == 0 {
			n++
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(cell)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
