// Package clean is the clean twin of sleep-nonpositive/violating: the job
// runner blocks on a channel the worker closes, so waiting costs no CPU.
// A single Sleep of an already-passed deadline (a negative duration) is
// harmless and stays under the rule's threshold.
//
// gate:clean sleep-nonpositive
package clean

import "time"

// Job runs work on its own goroutine.
type Job struct {
	done   chan struct{}
	result int
}

// Start runs work in the background.
func Start(work func() int) *Job {
	j := &Job{done: make(chan struct{})}
	go func() {
		defer close(j.done)
		j.result = work()
	}()
	return j
}

// Wait returns the job's result once the worker has finished.
func (j *Job) Wait() int {
	<-j.done
	return j.result
}

// SleepUntil pauses until the deadline; a deadline in the past makes the
// duration negative and Sleep returns at once, which is what is wanted.
func SleepUntil(deadline time.Time) {
	time.Sleep(time.Until(deadline))
}
