// Package clean is the clean twin of afterfunc-not-stopped/violating: the
// watchdog is stopped as soon as the job returns, which removes the timer
// and releases the job it captured.
//
// gate:clean afterfunc-not-stopped
package clean

import (
	"sync/atomic"
	"time"
)

// Job is one unit of work.
type Job struct {
	ID   int
	Data []byte
}

// Queue runs jobs and counts the ones that took longer than Timeout.
type Queue struct {
	Timeout time.Duration
	Stuck   atomic.Int64
}

// Run runs job with a watchdog.
func (q *Queue) Run(job *Job, work func(*Job)) {
	watchdog := time.AfterFunc(q.Timeout, func() {
		q.Stuck.Add(1)
		_ = job.ID
	})
	defer watchdog.Stop()
	work(job)
}
