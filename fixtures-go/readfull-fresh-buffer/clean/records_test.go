package clean

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestChecksum(t *testing.T) {
	var stream bytes.Buffer
	for i := 0; i < 5000; i++ {
		payload := bytes.Repeat([]byte{byte(i)}, 32+i%64)
		stream.Write(binary.BigEndian.AppendUint32(nil, uint32(len(payload))))
		stream.Write(payload)
	}
	n, _, err := Checksum(&stream)
	if err != nil || n != 5000 {
		t.Fatalf("Checksum = %d records, %v", n, err)
	}
}
