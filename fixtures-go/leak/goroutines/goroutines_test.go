// Package goroutines leaks goroutines in the ways real code does: a worker
// started by a helper that nobody stops, a goroutine started by another
// goroutine, one inside a subtest, and an httptest server never closed.
package goroutines

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// startWorker returns a channel for jobs; nothing ever closes it.
func startWorker() chan<- int {
	jobs := make(chan int)
	go func() { // the worker
		for range jobs { // blocks on chan receive forever
		}
	}()
	return jobs
}

func TestWorkerNeverStopped(t *testing.T) {
	jobs := startWorker()
	jobs <- 1
}

// TestFinishesLateMidway's goroutine ends while later tests run: not a leak, not even a note.
func TestFinishesLateMidway(t *testing.T) {
	go func() { time.Sleep(5 * time.Millisecond) }()
}

func TestLeakFromGrandchild(t *testing.T) {
	done := make(chan struct{})
	go func() {
		result := make(chan int)
		go func() { result <- 42 }() // nobody receives: blocked on chan send
		close(done)
	}()
	<-done
}

func TestSubtestLeak(t *testing.T) {
	t.Run("inner", func(t *testing.T) {
		var never chan struct{}
		go func() { <-never }() // nil channel: blocked forever
	})
}

func TestServerNeverClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// srv.Close() forgotten: its accept loop waits for connections forever.
}

// TestFinishesLate starts a goroutine that ends a little after the test returns: not a leak.
func TestFinishesLate(t *testing.T) {
	go func() { time.Sleep(20 * time.Millisecond) }()
}
