// Package violating breaks copybuffer-small: a checksum helper copies its
// input through a 512-byte buffer, so an upload of a few megabytes takes
// thousands of Read and Write calls instead of about a hundred.
package violating

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
)

// Checksum returns the SHA-256 of everything r yields.
func Checksum(r io.Reader) (string, error) {
	h := sha256.New()
	buf := make([]byte, 512)
	if _, err := io.CopyBuffer(h, r, buf); err != nil { // want: copybuffer-small TestChecksum
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
