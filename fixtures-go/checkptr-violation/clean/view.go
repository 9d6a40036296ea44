// Package clean is the clean twin of checkptr-violation: the same views,
// made within the allocation they come from.
package clean

// gate:clean checkptr-violation

import "unsafe"

type header struct {
	kind   uint32
	length uint32
}

type record struct {
	body [16]byte
	hdr  header
}

// Trailer returns the header that follows a record's body, inside the same allocation.
func Trailer(r *record) *header {
	return (*header)(unsafe.Add(unsafe.Pointer(r), unsafe.Offsetof(r.hdr)))
}

type packet struct {
	buf [64]byte
}

// Payload returns at most the packet's own bytes.
func Payload(p *packet, claimed int) []byte {
	n := min(claimed, len(p.buf))
	return unsafe.Slice(&p.buf[0], n)
}
