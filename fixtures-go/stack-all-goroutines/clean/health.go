// Package clean is the clean twin of stack-all-goroutines/violating: the
// goroutines are counted with runtime.NumGoroutine, which reads a counter.
//
// gate:clean stack-all-goroutines
package clean

import "runtime"

// Health reports whether the process runs fewer goroutines than limit.
func Health(limit int) (int, bool) {
	count := runtime.NumGoroutine()
	return count, count < limit
}
