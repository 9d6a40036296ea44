package clean

import (
	"strings"
	"testing"
)

const line = "the quick brown fox, 42 lazy dogs; the end\n"

func TestIndex(t *testing.T) {
	doc := strings.Repeat(line, 500)
	for i := 0; i < 4; i++ {
		counts := Index(doc)
		if counts["the"] != 1000 || counts["42"] != 500 {
			t.Fatalf("counts %v", counts)
		}
	}
}

func TestIndexLongLine(t *testing.T) {
	doc := strings.Repeat(strings.TrimSuffix(line, "\n")+" ", 500)
	counts := Index(doc)
	if counts["dogs"] != 500 {
		t.Fatalf("counts %v", counts)
	}
}
