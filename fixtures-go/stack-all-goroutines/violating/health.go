// Package violating breaks stack-all-goroutines: a health check counts the
// process's goroutines by formatting all their stacks with
// runtime.Stack(buf, true), which stops the world, on every probe.
package violating

import (
	"bytes"
	"runtime"
)

// Health reports whether the process runs fewer goroutines than limit.
func Health(limit int) (int, bool) {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true) // want: stack-all-goroutines TestHealth
	count := bytes.Count(buf[:n], []byte("\ngoroutine ")) + 1
	return count, count < limit
}
