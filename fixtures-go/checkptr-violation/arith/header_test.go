package arith

import "testing"

func TestTrailer(t *testing.T) {
	recs := make([]*[16]byte, 0, 64)
	for i := 0; i < 64; i++ {
		recs = append(recs, NewRecord())
	}
	t.Logf("kind %d", Kind(recs[0]))
}
