// Package violating breaks debug-stack-hot: every error the store returns
// carries a formatted stack from runtime/debug.Stack, including the "not
// found" errors of ordinary lookups.
package violating

import (
	"fmt"
	"runtime/debug"
)

// Error is an error with the stack where it was made.
type Error struct {
	Msg   string
	Stack []byte
}

func (e *Error) Error() string { return e.Msg }

// Errorf makes an Error.
func Errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...), Stack: debug.Stack()} // want: debug-stack-hot TestLookups
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
