package clean

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// collector stands for a log collector across the network: about 1 ms a
// line.
type collector struct{ lines atomic.Int64 }

func (c *collector) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	c.lines.Add(1)
	return len(p), nil
}

func TestHandle(t *testing.T) {
	sink := &collector{}
	s := NewServer(sink)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if s.Handle(w*100+i) == "" {
					t.Error("no answer")
				}
			}
		}(w)
	}
	wg.Wait()
	s.Close()
	if n := sink.lines.Load(); n != 160 {
		t.Fatalf("%d lines logged", n)
	}
}
