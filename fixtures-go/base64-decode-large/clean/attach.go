// Package clean is the clean twin of base64-decode-large/violating: the
// attachment is decoded as a stream (base64.NewDecoder) straight into the
// hash, 32 KiB at a time, whatever its size.
//
// gate:clean base64-decode-large
package clean

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
)

// AttachmentDigest decodes a base64 attachment and returns its SHA-256.
func AttachmentDigest(encoded io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, base64.NewDecoder(base64.StdEncoding, encoded)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
