// Package concat violates alloc-budget: a report built by string
// concatenation in a loop copies the whole string on every append, so the
// bytes allocated grow with the square of the output size.
package concat

import (
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

func TestReportByConcatenation(t *testing.T) {
	if len(buildReport(12_000)) == 0 {
		t.Fatal("empty report")
	}
}
