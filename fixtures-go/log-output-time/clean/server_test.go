package clean

import (
	"sync/atomic"
	"testing"
	"time"
)

// collector stands for a log collector across the network: about 5 ms a
// line.
type collector struct{ lines atomic.Int64 }

func (c *collector) Write(p []byte) (int, error) {
	time.Sleep(5 * time.Millisecond)
	c.lines.Add(1)
	return len(p), nil
}

func TestHandle(t *testing.T) {
	sink := &collector{}
	s := NewServer(sink)
	for i := 0; i < 100; i++ {
		if s.Handle(i) == "" {
			t.Fatal("no answer")
		}
	}
	s.Close()
	if n := sink.lines.Load(); n != 100 {
		t.Fatalf("%d lines logged", n)
	}
}
