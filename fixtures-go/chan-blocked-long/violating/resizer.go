// Package violating breaks chan-blocked-long: Resizer.Thumbnail queues a job
// for the background worker and waits for its result with a bare channel
// receive, `<-j.done`. Nothing can cut that wait short: when the worker is
// slow, the caller (a request handler with its own deadline) blocks for as
// long as the worker takes.
package violating

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBusy is returned when the queue is full.
var ErrBusy = errors.New("resizer busy")

// job is one request: the worker fills in thumb and err, then closes done.
type job struct {
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
	render func(src string) (string, error)
}

// NewResizer starts the worker; render does the work for one image.
func NewResizer(render func(src string) (string, error)) *Resizer {
	r := &Resizer{queue: make(chan *job, 16), render: render}
	r.wg.Add(1)
	go r.work()
	return r
}

func (r *Resizer) work() {
	defer r.wg.Done()
	for j := range r.queue {
		j.thumb, j.err = r.render(j.src)
		close(j.done)
	}
}

// Thumbnail returns the thumbnail of src, or ErrBusy when the queue is full.
func (r *Resizer) Thumbnail(src string) (string, error) {
	j := &job{src: src, done: make(chan struct{})}
	select {
	case r.queue <- j:
	default:
		return "", ErrBusy
	}
	<-j.done // want: chan-blocked-long TestThumbnailSlowRender
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

// SlowRender stands for the resize of a large image: it takes d.
func SlowRender(d time.Duration) func(string) (string, error) {
	return func(src string) (string, error) {
		time.Sleep(d)
		return "thumb-" + src, nil
	}
}
