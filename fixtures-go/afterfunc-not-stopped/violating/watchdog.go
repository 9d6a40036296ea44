// Package violating breaks afterfunc-not-stopped: a job queue arms a
// watchdog with time.AfterFunc for every job so a stuck job gets reported,
// and never stops it when the job finishes in time. Each timer stays in the
// runtime's timer heap for the full timeout, holding its closure and the job
// it captured, and then fires a false alarm.
package violating

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
	time.AfterFunc(q.Timeout, func() { // want: afterfunc-not-stopped TestRunJobs
		q.Stuck.Add(1) // also fires for jobs that finished long ago
		_ = job.ID
	})
	work(job)
}
