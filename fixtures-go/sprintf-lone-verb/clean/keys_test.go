package clean

import (
	"fmt"
	"strconv"
	"testing"
)

func TestUserKeys(t *testing.T) {
	seen := make(map[string]bool)
	for id := 0; id < 1000; id++ {
		k := UserKey(id)
		if seen[k] {
			t.Fatalf("duplicate key %q", k)
		}
		seen[k] = true
	}
}

type code int

func (c code) String() string { return "c" + strconv.Itoa(int(c)) }

func TestLabels(t *testing.T) {
	names := make([]string, 200)
	values := make([]fmt.Stringer, 200)
	for i := range names {
		names[i] = "l" + strconv.Itoa(i)
		values[i] = code(i)
	}
	if got := Labels(names[:2], values[:2]); got != "l0=c0,l1=c1" {
		t.Fatalf("Labels = %q", got)
	}
	if got := Labels(names, values); len(got) == 0 {
		t.Fatal("empty labels")
	}
}

func TestDescribe(t *testing.T) {
	for id := 0; id < 200; id++ {
		if got := Describe(id, "ann"); got != "user "+strconv.Itoa(id)+" (ann)" {
			t.Fatalf("Describe = %q", got)
		}
	}
}
