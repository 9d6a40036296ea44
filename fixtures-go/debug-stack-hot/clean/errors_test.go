package clean

import (
	"strconv"
	"testing"
)

func TestLookups(t *testing.T) {
	s := &Store{m: map[string]string{"a": "1"}}
	misses := 0
	for i := 0; i < 500; i++ {
		if _, err := s.Get("k" + strconv.Itoa(i)); err != nil {
			misses++
		}
	}
	if misses != 500 {
		t.Fatalf("misses = %d", misses)
	}
}
