package clean

import (
	"sync"
	"testing"
	"time"
)

// TestGet looks up a key while another goroutine is loading a different
// one, a 300 ms load.
func TestGet(t *testing.T) {
	loading := make(chan struct{})
	c := NewCache(func(key string) string {
		if key == "slow" {
			close(loading)
			time.Sleep(300 * time.Millisecond)
		}
		return "value of " + key
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Get("slow")
	}()
	<-loading
	if got := c.Get("fast"); got != "value of fast" {
		t.Fatalf("Get = %q", got)
	}
	wg.Wait()
}
