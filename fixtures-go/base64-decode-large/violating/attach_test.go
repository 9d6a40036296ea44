package violating

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"
)

func TestAttachmentDigest(t *testing.T) {
	raw := bytes.Repeat([]byte("attachment "), 100_000) // 1.1 MB, 1.5 MB encoded
	encoded := base64.StdEncoding.EncodeToString(raw)
	sum := sha256.Sum256(raw)
	got, err := AttachmentDigest(encoded)
	if err != nil || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("AttachmentDigest = %s, %v", got, err)
	}
}
