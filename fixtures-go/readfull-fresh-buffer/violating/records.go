// Package violating breaks readfull-fresh-buffer: the checksum loop reads
// every length-prefixed record into a new header and a new payload slice,
// two allocations per record that are garbage right after.
package violating

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// Checksum reads length-prefixed records from r until EOF and returns
// their count and the CRC-32 of their payloads.
func Checksum(r io.Reader) (int, uint32, error) {
	crc := crc32.NewIEEE()
	n := 0
	for {
		hdr := make([]byte, 4)
		if _, err := io.ReadFull(r, hdr); err != nil {
			if err == io.EOF {
				return n, crc.Sum32(), nil
			}
			return n, 0, err
		}
		payload := make([]byte, binary.BigEndian.Uint32(hdr))
		if _, err := io.ReadFull(r, payload); err != nil {
			return n, 0, err
		}
		crc.Write(payload)
		n++
	}
}
