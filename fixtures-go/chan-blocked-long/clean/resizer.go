// Package clean is the clean twin of chan-blocked-long: Resizer.Thumbnail
// waits for the worker's result in a select that also watches the caller's
// context, so a slow render costs the caller no more than its deadline; the
// job carries the context, and the worker gives up on a job nobody waits
// for.
//
// gate:clean chan-blocked-long
package clean

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBusy is returned when the queue is full.
var ErrBusy = errors.New("resizer busy")

// job is one request: the worker fills in thumb and err, then closes done.
type job struct {
	ctx   context.Context
	src   string
	thumb string
	err   error
	done  chan struct{}
}

// Resizer renders thumbnails on one background worker (the renderer is not
// safe for concurrent use).
type Resizer struct {
	queue  chan *job
	wg     sync.WaitGroup
	render func(ctx context.Context, src string) (string, error)
}

// NewResizer starts the worker; render does the work for one image.
func NewResizer(render func(ctx context.Context, src string) (string, error)) *Resizer {
	r := &Resizer{queue: make(chan *job, 16), render: render}
	r.wg.Add(1)
	go r.work()
	return r
}

func (r *Resizer) work() {
	defer r.wg.Done()
	for j := range r.queue {
		if err := j.ctx.Err(); err != nil {
			j.err = err // the caller has given up: skip the work
		} else {
			j.thumb, j.err = r.render(j.ctx, j.src)
		}
		close(j.done)
	}
}

// Thumbnail returns the thumbnail of src, ErrBusy when the queue is full,
// or ctx's error when ctx is done first.
func (r *Resizer) Thumbnail(ctx context.Context, src string) (string, error) {
	j := &job{ctx: ctx, src: src, done: make(chan struct{})}
	select {
	case r.queue <- j:
	default:
		return "", ErrBusy
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return "", fmt.Errorf("thumbnail %s: %w", src, ctx.Err())
	}
	if j.err != nil {
		return "", fmt.Errorf("thumbnail %s: %w", src, j.err)
	}
	return j.thumb, nil
}

// Close stops the worker once the jobs queued so far are done.
func (r *Resizer) Close() {
	close(r.queue)
	r.wg.Wait()
}

// SlowRender stands for the resize of a large image: it takes d, or stops
// when ctx is done.
func SlowRender(d time.Duration) func(context.Context, string) (string, error) {
	return func(ctx context.Context, src string) (string, error) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return "thumb-" + src, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
