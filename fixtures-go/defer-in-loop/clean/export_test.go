package clean

import (
	"bytes"
	"strings"
	"testing"
)

func TestExport(t *testing.T) {
	recs := make([]Record, 5000)
	for i := range recs {
		recs[i] = Record{ID: i, Name: "gopher"}
	}
	var out bytes.Buffer
	if err := Export(&out, recs); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != len(recs) {
		t.Fatalf("%d lines, want %d", n, len(recs))
	}
}
