package violating

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
)

func TestChecksum(t *testing.T) {
	data := bytes.Repeat([]byte("upload "), 300_000)
	want := sha256.Sum256(data)
	// An io.LimitedReader, like a request body, has no WriteTo: CopyBuffer
	// really copies through the buffer.
	got, err := Checksum(io.LimitReader(bytes.NewReader(data), int64(len(data))))
	if err != nil || got != hex.EncodeToString(want[:]) {
		t.Fatalf("Checksum = %s, %v", got, err)
	}
}
