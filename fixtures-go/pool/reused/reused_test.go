// Package reused is the clean twin of pool/lowreuse: every buffer is Put
// back, so Get reuses it.
package reused

// gate:clean sync-pool-low-reuse

import (
	"bytes"
	"sync"
	"testing"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func render(name string) string {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	buf.WriteString("hello, ")
	buf.WriteString(name)
	return buf.String()
}

func TestRenderPutsBack(t *testing.T) {
	for i := 0; i < 500; i++ {
		if render("gopher") != "hello, gopher" {
			t.Fatal("bad render")
		}
	}
}
