package clean

import (
	"strconv"
	"strings"
	"testing"
)

func TestFormatTable(t *testing.T) {
	rows := make([][]string, 40)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i), "widget", "in stock", "12.50", "warehouse-3"}
	}
	var out string
	for i := 0; i < 200; i++ {
		out = FormatTable(rows)
	}
	if got := strings.Count(out, "\n"); got != 40 {
		t.Fatalf("%d lines", got)
	}
	if !strings.HasPrefix(out, "0\twidget\tin stock\t12.50\twarehouse-3\n") {
		t.Fatalf("table %q", out[:60])
	}
}
