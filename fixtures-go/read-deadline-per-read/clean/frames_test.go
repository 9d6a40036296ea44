package clean

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
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			sent <- err
			return
		}
		defer c.Close()
		frame := make([]byte, 16)
		for i := 0; i < 3000; i++ {
			frame[0] = byte(i)
			if _, err := c.Write(frame); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
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
