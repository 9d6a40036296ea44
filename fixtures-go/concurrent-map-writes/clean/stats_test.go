package clean

import (
	"strconv"
	"sync"
	"testing"
)

func TestWorkersCountHits(t *testing.T) {
	h := NewHits()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				h.Add("/api/" + strconv.Itoa(i%64))
			}
		}()
	}
	wg.Wait()
	if got, want := h.Count("/api/0"), 4*((20000+63)/64); got != want {
		t.Fatalf("Count = %d, want %d", got, want)
	}
}
