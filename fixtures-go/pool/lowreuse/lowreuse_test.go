// Package lowreuse violates sync-pool-low-reuse: buffers are taken from the
// pool but never put back, so nearly every Get calls New.
package lowreuse

import (
	"bytes"
	"sync"
	"testing"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func render(name string) string {
	buf := bufPool.Get().(*bytes.Buffer) // want: sync-pool-low-reuse TestRenderNeverPutsBack
	buf.Reset()
	buf.WriteString("hello, ")
	buf.WriteString(name)
	return buf.String() // the buffer is never Put back
}

func TestRenderNeverPutsBack(t *testing.T) {
	for i := 0; i < 500; i++ {
		if render("gopher") != "hello, gopher" {
			t.Fatal("bad render")
		}
	}
}
