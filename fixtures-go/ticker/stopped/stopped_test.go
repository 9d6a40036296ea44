// Package stopped is the clean twin of ticker/unstopped: every Ticker is
// stopped, and a plain time.Timer is not a Ticker.
package stopped

// gate:clean ticker-not-stopped

import (
	"testing"
	"time"
)

func TestPollerStops(t *testing.T) {
	ticker := time.NewTicker(time.Millisecond)
	defer ticker.Stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 3; i++ {
			<-ticker.C
		}
	}()
	<-done
}

func TestTimerIsNotATicker(t *testing.T) {
	timer := time.NewTimer(time.Millisecond)
	<-timer.C
}
