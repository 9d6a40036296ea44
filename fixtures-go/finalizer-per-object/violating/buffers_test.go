package violating

import (
	"strconv"
	"testing"
)

func TestEncodeRecords(t *testing.T) {
	p := NewPool(4096)
	total := 0
	for i := 0; i < 5000; i++ {
		total += Encode(p, "id", strconv.Itoa(i))
	}
	if total < 5000*5 {
		t.Fatalf("encoded %d bytes", total)
	}
}
