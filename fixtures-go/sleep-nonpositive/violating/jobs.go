// Package violating breaks sleep-nonpositive: a job runner waits for its
// worker by polling a flag with time.Sleep(0), believing it yields the
// processor. On Go, Sleep with a duration <= 0 returns at once without
// yielding, so the wait is a busy spin that burns a core.
package violating

import (
	"sync/atomic"
	"time"
)

// Job runs work on its own goroutine.
type Job struct {
	done   atomic.Bool
	result int
}

// Start runs work in the background.
func Start(work func() int) *Job {
	j := &Job{}
	go func() {
		j.result = work()
		j.done.Store(true)
	}()
	return j
}

// Wait returns the job's result once the worker has finished.
func (j *Job) Wait() int {
	for !j.done.Load() {
		time.Sleep(0) // want: sleep-nonpositive TestWaitSpins
	}
	return j.result
}
