// Package clean is the clean twin of lockosthread-not-unlocked/violating:
// the render worker unlocks its thread with a deferred UnlockOSThread right
// after locking it, so every return path hands the thread back to the
// scheduler.
//
// gate:clean lockosthread-not-unlocked
package clean

import (
	"errors"
	"runtime"
)

// ErrEmpty is returned for a job with nothing to render.
var ErrEmpty = errors.New("empty job")

// Job is one unit of work for a thread-bound renderer.
type Job struct {
	Lines []string
}

// Render runs job on a goroutine of its own, locked to its OS thread while
// it renders, and returns the number of lines rendered.
func Render(job Job) (int, error) {
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := renderLocked(job)
		done <- result{n, err}
	}()
	r := <-done
	return r.n, r.err
}

func renderLocked(job Job) (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if len(job.Lines) == 0 {
		return 0, ErrEmpty
	}
	n := 0
	for _, l := range job.Lines {
		n += len(l)
	}
	return n, nil
}
