// Package clean is the clean twin of read-deadline-per-read/violating: the
// idle deadline is refreshed only when half of it has passed.
//
// gate:clean read-deadline-per-read
package clean

import (
	"io"
	"net"
	"time"
)

// ReadFrames reads 16-byte frames from c until EOF and hands each to
// handle; the peer must send something at least every timeout.
func ReadFrames(c net.Conn, timeout time.Duration, handle func([]byte)) error {
	frame := make([]byte, 16)
	var refreshed time.Time
	for {
		if now := time.Now(); now.Sub(refreshed) > timeout/2 {
			c.SetReadDeadline(now.Add(timeout))
			refreshed = now
		}
		if _, err := io.ReadFull(c, frame); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		handle(frame)
	}
}
