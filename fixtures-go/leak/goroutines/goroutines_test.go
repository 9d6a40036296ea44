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

// TestServerNeverClosed comes first, so its server goroutines have long
// settled into their waits when the binary exits.
func TestServerNeverClosed(t *testing.T) {
	// Its accept loop and connection goroutine are charged to NewServer, the
	// client's keep-alive goroutines to http.Get.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})) // want: goroutine-leak TestServerNeverClosed
	resp, err := http.Get(srv.URL)                                                               // want: goroutine-leak TestServerNeverClosed
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// srv.Close() forgotten: its accept loop waits for connections forever.
	// (The short wait lets the server's connection goroutine go back to
	// waiting for the next request, so its state at exit does not depend on
	// how busy the machine is.)
	time.Sleep(50 * time.Millisecond)
}

// startWorker returns a channel for jobs; nothing ever closes it.
func startWorker() chan<- int {
	jobs := make(chan int)
	// The worker: the site is this `go` statement inside the helper.
	go func() { // want: goroutine-leak TestWorkerNeverStopped
		for range jobs { // blocks on chan receive forever
		}
	}()
	return jobs
}

func TestWorkerNeverStopped(t *testing.T) {
	jobs := startWorker()
	jobs <- 1
}

var (
	releaseLate = make(chan struct{})
	lateDone    = make(chan struct{})
)

// TestFinishesLateMidway's goroutine outlives its test and ends during the
// next one (which releases it and waits, so the timing is deterministic):
// not a leak, not even a note.
func TestFinishesLateMidway(t *testing.T) {
	go func() {
		<-releaseLate
		close(lateDone)
	}()
}

func TestLeakFromGrandchild(t *testing.T) {
	close(releaseLate)
	<-lateDone
	done := make(chan struct{})
	go func() {
		result := make(chan int)
		// Nobody receives: blocked on chan send.
		go func() { // want: goroutine-leak TestLeakFromGrandchild
			close(done)
			result <- 42
		}()
	}()
	<-done
}

func TestSubtestLeak(t *testing.T) {
	t.Run("inner", func(t *testing.T) {
		var never chan struct{}
		started := make(chan struct{})
		// A nil channel: blocked forever; charged to the subtest.
		go func() { close(started); <-never }() // want: goroutine-leak TestSubtestLeak/inner
		<-started
	})
}

// TestParallelLeaks: two parallel subtests each leak a goroutine at their
// own line; each is charged to its own subtest (by goroutine ancestry, not
// by which test happened to be running).
func TestParallelLeaks(t *testing.T) {
	for _, name := range []string{"left", "right"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			started, block := make(chan struct{}), make(chan struct{})
			if name == "left" {
				go func() { close(started); <-block }() // want: goroutine-leak TestParallelLeaks/left
			} else {
				go func() { close(started); <-block }() // want: goroutine-leak TestParallelLeaks/right
			}
			<-started
			// Between close(started) and <-block the goroutine is still
			// runnable; on a busy machine it could be so when the binary exits
			// a moment later, and be reported as lingering, not leaked. (Here,
			// not after the loop: parallel subtests run when the loop is done.)
			time.Sleep(50 * time.Millisecond)
		})
	}
}

// TestFinishesLate starts a goroutine that ends a little after the test
// returns, after the binary has exited: not a leak.
func TestFinishesLate(t *testing.T) {
	started := make(chan struct{})
	go func() { close(started); time.Sleep(time.Second) }() // want: goroutine-lingering TestFinishesLate
	<-started
}

// TestSubscribers is the binary's last test, and its last subtest leaks a
// watcher nobody stops: the binary exits before that goroutine has even
// started, and it is a leak all the same.
func TestSubscribers(t *testing.T) {
	t.Run("subscribed", func(t *testing.T) {
		updates, stop := make(chan int), make(chan struct{})
		defer close(stop)
		got := make(chan int, 1)
		Watch(updates, stop, func(v int) { got <- v })
		updates <- 1
		if v := <-got; v != 1 {
			t.Fatalf("got %d", v)
		}
	})
	t.Run("unsubscribed", func(t *testing.T) {
		Watch(make(chan int), nil, func(int) {}) // no stop channel: nothing ends the watcher
	})
}
