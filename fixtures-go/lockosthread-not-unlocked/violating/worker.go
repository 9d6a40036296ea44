// Package violating breaks lockosthread-not-unlocked: a render worker locks
// its goroutine to the OS thread for a thread-bound context, and returns
// early on a bad job without UnlockOSThread. A goroutine that exits still
// locked takes its thread with it: the runtime terminates the thread rather
// than reuse it, and the next locked worker needs a fresh clone(2).
package violating

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
	if len(job.Lines) == 0 {
		return 0, ErrEmpty // still locked: the thread dies with the goroutine
	}
	n := 0
	for _, l := range job.Lines {
		n += len(l)
	}
	runtime.UnlockOSThread()
	return n, nil
}
