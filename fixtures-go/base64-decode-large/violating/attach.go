// Package violating breaks base64-decode-large: an upload handler holds a
// multi-megabyte base64 attachment as a string and decodes it in one call,
// so the encoded text and the decoded bytes are in memory at once.
package violating

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// AttachmentDigest decodes a base64 attachment and returns its SHA-256.
func AttachmentDigest(encoded string) (string, error) {
	data, err := base64.StdEncoding.DecodeString(encoded) // want: base64-decode-large TestAttachmentDigest
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
