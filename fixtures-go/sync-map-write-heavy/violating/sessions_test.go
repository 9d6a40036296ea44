package violating

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestTouchEveryRequest(t *testing.T) {
	var s Sessions
	start := time.Unix(1700000000, 0)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				s.Touch("s"+strconv.Itoa(i%100), start.Add(time.Duration(i)*time.Second))
			}
		}()
	}
	wg.Wait()
	for i := 0; i < 10; i++ {
		if _, ok := s.LastSeen("s" + strconv.Itoa(i)); !ok {
			t.Fatalf("session s%d not tracked", i)
		}
	}
}
