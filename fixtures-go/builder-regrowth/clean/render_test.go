package clean

import (
	"fmt"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	values := make([]int, 200)
	for i := range values {
		values[i] = 1000 + i
	}
	for i := 0; i < 300; i++ {
		if s := Render(values); len(s) != 22+200*5-1 {
			t.Fatalf("len %d", len(s))
		}
	}
}

func TestLines(t *testing.T) {
	names := make([]string, 3000)
	for i := range names {
		names[i] = fmt.Sprintf("a.rather.long.metric.name.number.%d", i)
	}
	lines := Lines(names, 42)
	if len(lines) != 3000 || !strings.HasSuffix(lines[7], ".7=42") {
		t.Fatalf("%d lines, %q", len(lines), lines[7])
	}
}
