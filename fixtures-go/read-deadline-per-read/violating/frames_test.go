package violating

import (
	"net"
	"testing"
	"time"
)

func TestReadFrames(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sent := make(chan error, 1)
	// The writer's last act is the send: no Close still running in it when
	// the test returns and the binary exits (it would be a lingering goroutine).
	go func() { sent <- writeFrames(ln.Addr().String(), 3000) }()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := 0
	if err := ReadFrames(c, 10*time.Second, func([]byte) { n++ }); err != nil {
		t.Fatal(err)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if n != 3000 {
		t.Fatalf("%d frames, want 3000", n)
	}
}

// writeFrames dials addr and writes n 16-byte frames, then closes.
func writeFrames(addr string, n int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	frame := make([]byte, 16)
	for i := 0; i < n; i++ {
		frame[0] = byte(i)
		if _, err := c.Write(frame); err != nil {
			c.Close()
			return err
		}
	}
	return c.Close()
}
