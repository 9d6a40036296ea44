// Package builder is the clean twin of alloc/concat: the same report built
// with a strings.Builder grown once.
package builder

// gate:clean alloc-budget

import (
	"strconv"
	"strings"
	"testing"
)

func buildReport(lines int) string {
	var b strings.Builder
	b.Grow(lines * 48)
	for i := 0; i < lines; i++ {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(": some detail about this entry\n")
	}
	return b.String()
}

func TestReportWithBuilder(t *testing.T) {
	if len(buildReport(12_000)) == 0 {
		t.Fatal("empty report")
	}
}
