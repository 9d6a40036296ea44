package violating

import (
	"testing"
	"time"
)

func TestWaitSpins(t *testing.T) {
	j := Start(func() int {
		time.Sleep(50 * time.Millisecond) // the worker takes a while
		return 42
	})
	if got := j.Wait(); got != 42 {
		t.Fatalf("Wait = %d, want 42", got)
	}
}
