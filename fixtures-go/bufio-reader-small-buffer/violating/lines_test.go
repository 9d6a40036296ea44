package violating

import (
	"strings"
	"testing"
)

// onlyReader hides strings.Reader's other methods, as a network connection
// or a pipe would offer only Read.
type onlyReader struct{ r *strings.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestCountErrors(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		if i%10 == 0 {
			b.WriteString("2026-12-04T17:00:00Z ERROR request failed: upstream timed out after 30s, retrying\n")
		} else {
			b.WriteString("2026-12-04T17:00:00Z INFO  request served in 12ms by worker 7 for client 10.0.0.1\n")
		}
	}
	n, err := CountErrors(onlyReader{strings.NewReader(b.String())})
	if err != nil || n != 200 {
		t.Fatalf("CountErrors = %d, %v", n, err)
	}
}
