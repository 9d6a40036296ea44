package slice

import "testing"

func TestPayload(t *testing.T) {
	p := NewPacket()
	out := make([]byte, 128)
	if n := copy(out, Payload(p, 128)); n != 128 {
		t.Fatalf("copied %d", n)
	}
}
