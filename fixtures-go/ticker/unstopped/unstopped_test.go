// Package unstopped violates ticker-not-stopped: a poller helper creates a
// Ticker and its goroutine, and a subtest builds a heartbeat with
// time.NewTicker; neither is ever stopped.
package unstopped

import (
	"testing"
	"time"
)

type poller struct {
	ticker *time.Ticker
	quit   chan struct{}
	done   chan struct{}
}

func newPoller(every time.Duration) *poller {
	p := &poller{ticker: time.NewTicker(every), quit: make(chan struct{}), done: make(chan struct{})} // want: ticker-not-stopped TestPollerForgetsStop
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.ticker.C:
			case <-p.quit:
				return // returns, but nobody stops the ticker
			}
		}
	}()
	return p
}

func TestPollerForgetsStop(t *testing.T) {
	p := newPoller(time.Millisecond)
	time.Sleep(3 * time.Millisecond)
	close(p.quit)
	<-p.done
}

func TestHeartbeat(t *testing.T) {
	t.Run("subtest", func(t *testing.T) {
		hb := time.NewTicker(50 * time.Millisecond) // want: ticker-not-stopped TestHeartbeat/subtest
		_ = hb
	})
}
