package clean

import "testing"

func TestTrailer(t *testing.T) {
	r := &record{hdr: header{kind: 1}}
	if Trailer(r).kind != 1 {
		t.Fatal("wrong header")
	}
}

func TestPayload(t *testing.T) {
	if got := len(Payload(&packet{}, 128)); got != 64 {
		t.Fatalf("len %d", got)
	}
}
