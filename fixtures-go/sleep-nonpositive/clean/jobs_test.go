package clean

import (
	"testing"
	"time"
)

func TestWaitBlocks(t *testing.T) {
	j := Start(func() int {
		time.Sleep(50 * time.Millisecond) // the worker takes a while
		return 42
	})
	if got := j.Wait(); got != 42 {
		t.Fatalf("Wait = %d, want 42", got)
	}
}

func TestSleepUntilPastDeadline(t *testing.T) {
	start := time.Now()
	SleepUntil(start.Add(-time.Second))
	if time.Since(start) > time.Second {
		t.Fatal("slept for a deadline in the past")
	}
}
