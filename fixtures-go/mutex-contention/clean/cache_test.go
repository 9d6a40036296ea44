package clean

import (
	"fmt"
	"sync"
	"testing"
)

func TestGet(t *testing.T) {
	c := NewCache()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				key := fmt.Sprintf("w%d-k%d", w, i)
				if got := c.Get(key); got != "value of "+key {
					t.Errorf("Get(%q) = %q", key, got)
				}
			}
		}(w)
	}
	wg.Wait()
}
