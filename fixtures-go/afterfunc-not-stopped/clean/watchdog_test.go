package clean

import (
	"testing"
	"time"
)

func TestRunJobs(t *testing.T) {
	q := &Queue{Timeout: time.Minute}
	done := 0
	for i := 0; i < 100; i++ {
		q.Run(&Job{ID: i, Data: make([]byte, 1024)}, func(*Job) { done++ })
	}
	if done != 100 || q.Stuck.Load() != 0 {
		t.Fatalf("done %d, stuck %d", done, q.Stuck.Load())
	}
}
