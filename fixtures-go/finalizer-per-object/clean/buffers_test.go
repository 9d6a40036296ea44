package clean

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

func TestPoolReuse(t *testing.T) {
	p := NewPool(4096)
	for i := 0; i < 100; i++ {
		Encode(p, "k", "v")
	}
	if n := len(p.free); n != 1 {
		t.Fatalf("%d buffers in the pool after sequential use, want 1", n)
	}
}
