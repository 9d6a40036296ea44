package violating

import (
	"strconv"
	"testing"
)

func TestMatchMany(t *testing.T) {
	m := &Matcher{Pattern: `^order-[0-9]+$`}
	n := 0
	for i := 0; i < 500; i++ {
		if m.Match("order-" + strconv.Itoa(i)) {
			n++
		}
	}
	if n != 500 {
		t.Fatalf("%d matches, want 500", n)
	}
}
