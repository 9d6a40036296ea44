// Package clean is the clean twin of debug-stack-hot/violating: an error
// records its callers' program counters (runtime.Callers, no formatting) and
// the stack is only symbolized when someone prints it.
//
// gate:clean debug-stack-hot
package clean

import (
	"fmt"
	"runtime"
	"strings"
)

// Error is an error with the stack where it was made.
type Error struct {
	Msg string
	pcs []uintptr
}

func (e *Error) Error() string { return e.Msg }

// Stack formats the stack where the error was made.
func (e *Error) Stack() string {
	var b strings.Builder
	frames := runtime.CallersFrames(e.pcs)
	for {
		f, more := frames.Next()
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		if !more {
			return b.String()
		}
	}
}

// Errorf makes an Error.
func Errorf(format string, args ...any) error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	return &Error{Msg: fmt.Sprintf(format, args...), pcs: pcs[:n]}
}

// Store is a key-value store.
type Store struct{ m map[string]string }

// Get returns the value of key.
func (s *Store) Get(key string) (string, error) {
	v, ok := s.m[key]
	if !ok {
		return "", Errorf("key %q not found", key)
	}
	return v, nil
}
