// Package concat violates alloc-budget: a report built by string
// concatenation in a loop copies the whole string on every append, so the
// bytes allocated grow with the square of the output size.
package concat

import (
	"runtime/debug"
	"strconv"
	"testing"
)

func buildReport(lines int) string {
	report := ""
	for i := 0; i < lines; i++ {
		report += "line " + strconv.Itoa(i) + ": " + "some detail about this entry\n"
	}
	return report
}

func TestReportByConcatenation(t *testing.T) { // want: alloc-budget TestReportByConcatenation
	// The heap stays small while the garbage piles up, so at the default
	// GOGC this runs hundreds of GC cycles; on a loaded machine one of their
	// stop-the-world phases can exceed gc-pause-budget. A higher GOGC keeps the
	// fixture about what it allocates: the bytes are the same.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	if len(buildReport(12_000)) == 0 {
		t.Fatal("empty report")
	}
}
