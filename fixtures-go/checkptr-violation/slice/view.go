// Package slice views a fixed-size buffer as a longer slice with
// unsafe.Slice: the slice straddles the buffer's allocation and whatever the
// allocator put after it. Built with -d=checkptr (or -race), the runtime
// stops it: "fatal error: checkptr: unsafe.Slice result straddles multiple
// allocations".
package slice

import "unsafe"

type packet struct {
	buf [64]byte
}

// inflight holds the packets being processed.
var inflight []*packet

// NewPacket returns a packet for the next read, tracked until it is processed.
func NewPacket() *packet {
	p := &packet{}
	inflight = append(inflight, p)
	return p
}

// Payload returns the packet's bytes as a slice of the length its header claims.
func Payload(p *packet, claimed int) []byte {
	return unsafe.Slice(&p.buf[0], claimed) // want: checkptr-violation TestPayload
}
