// Package predicates exercises the rule language's predicates on values of
// every width and shape: narrow integers and bools (which fill only the low
// bits of their register), bit masks, strings, lengths, fields one and two
// pointers deep, and a generic function's arguments behind its dictionary.
// tests/e2e/rule_language.rs probes these functions with the rules in
// tests/e2e/rule-language/ and checks the exact counts.
package predicates

import (
	"strings"
	"time"
)

type Inner struct {
	Depth uint16
}

type Config struct {
	Limit int32
	Inner *Inner
	Name  string
	Quiet bool
}

//go:noinline
func Narrow(ok bool, mode uint32, delta int8) int {
	if ok {
		return int(mode) + int(delta)
	}
	return int(delta)
}

//go:noinline
func Named(prefix string, cfg *Config, flags int) int {
	if cfg == nil {
		return len(prefix) + flags
	}
	return len(prefix) + int(cfg.Limit) + flags
}

//go:noinline
func Sum[T int | int64](xs []T, limit int) T {
	var total T
	for i, x := range xs {
		if i >= limit {
			break
		}
		total += x
	}
	return total
}

// Drive makes a known number of calls of each shape.
func Drive(big, other int64) int {
	n := 0
	// 3 calls with ok true whose register holds a large value beside the bit.
	for i := int64(0); i < 3; i++ {
		n += Narrow(big+i == big+i, 0x41, -1)
	}
	// 2 calls with ok false, mode without bit 0x40, delta positive.
	for i := int64(0); i < 2; i++ {
		n += Narrow(big == other+i, 0x2, 5)
	}
	// Named: "alpha" twice, "alphabet" once, "beta" once.
	deep := &Config{Limit: 20, Inner: &Inner{Depth: 3}}
	shallow := &Config{Limit: 5, Inner: &Inner{Depth: 7}}
	n += Named("alpha", deep, 0)
	n += Named("alpha", shallow, 0)
	n += Named("alphabet", deep, 0)
	n += Named("beta", nil, 0)
	// Sum through its dictionary: limit 10 twice, limit 1 once.
	xs := []int{1, 2, 3}
	n += Sum(xs, 10) + Sum(xs, 10) + Sum(xs, 1)
	n += int(Sum([]int64{4}, 10))
	// Two calls through a helper a rule's ignore pattern names.
	n += viaSkipped() + viaSkipped()
	return n + len(strings.Repeat("x", 0))
}

//go:noinline
func viaSkipped() int {
	return Named("skipped", nil, 1)
}

// Deep recurses with large frames: its goroutine's stack is copied to ever
// larger ones, past 1 MiB.
//
//go:noinline
func Deep(n int) int {
	var pad [1024]byte
	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return Deep(n-1) + int(pad[n%len(pad)])
}

// Slow takes ms milliseconds.
//
//go:noinline
func Slow(ms int) {
	time.Sleep(time.Duration(ms) * time.Millisecond)
}

// Wait calls Slow twice: 10 and 30 ms.
func Wait() {
	Slow(10)
	Slow(30)
}
