// Package violating breaks read-deadline-per-read: the frame reader sets
// the connection's read deadline again before every frame it reads.
package violating

import (
	"io"
	"net"
	"time"
)

// ReadFrames reads 16-byte frames from c until EOF and hands each to
// handle; the peer must send something at least every timeout.
func ReadFrames(c net.Conn, timeout time.Duration, handle func([]byte)) error {
	frame := make([]byte, 16)
	for {
		c.SetReadDeadline(time.Now().Add(timeout)) // want: read-deadline-per-read TestReadFrames
		if _, err := io.ReadFull(c, frame); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		handle(frame)
	}
}
