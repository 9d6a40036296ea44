// Package clean is the clean twin of readfull-fresh-buffer/violating: one
// header array and one payload buffer, grown to the largest record, serve
// every read.
//
// gate:clean readfull-fresh-buffer
package clean

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"slices"
)

// Checksum reads length-prefixed records from r until EOF and returns
// their count and the CRC-32 of their payloads.
func Checksum(r io.Reader) (int, uint32, error) {
	crc := crc32.NewIEEE()
	n := 0
	var hdr [4]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if err == io.EOF {
				return n, crc.Sum32(), nil
			}
			return n, 0, err
		}
		size := int(binary.BigEndian.Uint32(hdr[:]))
		payload = slices.Grow(payload[:0], size)[:size]
		if _, err := io.ReadFull(r, payload); err != nil {
			return n, 0, err
		}
		crc.Write(payload)
		n++
	}
}
