// Package arith reads a length-prefixed record's header by pointer
// arithmetic: the pointer it makes points past the record's allocation,
// which breaks the garbage collector's rule that an unsafe.Pointer stays
// inside the object it came from. Built with -d=checkptr (or -race), the
// runtime stops it: "fatal error: checkptr: pointer arithmetic result points
// to invalid allocation".
package arith

import "unsafe"

type header struct {
	kind   uint32
	length uint32
}

// trailer returns the header that follows a record of n bytes.
func trailer(rec *[16]byte, n uintptr) *header {
	return (*header)(unsafe.Pointer(uintptr(unsafe.Pointer(rec)) + n)) // want: checkptr-violation TestTrailer
}

// Records are read into heap buffers.
func NewRecord() *[16]byte {
	return new([16]byte)
}

// Kind reads the kind of the header behind the record.
func Kind(rec *[16]byte) uint32 {
	return trailer(rec, 16).kind
}
