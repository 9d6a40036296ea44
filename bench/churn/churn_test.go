// Package churn times the operations gate's probes sit on, one kind per
// test, so that bench/probe_cost.py can price a probe hit: goroutines
// started and finished, timers made and stopped, allocations.
//
// Each test appends "<name> <ns per operation>" to the file named by
// $CHURN_OUT: gate keeps a passing test's output to itself.
package churn

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

const n = 20000

func record(t *testing.T, name string, start time.Time, ops int) {
	path := os.Getenv("CHURN_OUT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %.1f\n", name, float64(time.Since(start).Nanoseconds())/float64(ops))
}

var sink int

// One goroutine at a time: runtime.newproc, its call of runqput, goexit1.
func TestGoroutines(t *testing.T) {
	start := time.Now()
	for i := 0; i < n; i++ {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); sink++ }()
		wg.Wait()
	}
	record(t, "goroutine", start, n)
}

// time.newTimer (entry and its call of modify) and time.stopTimer.
func TestTimers(t *testing.T) {
	start := time.Now()
	for i := 0; i < n; i++ {
		tm := time.NewTimer(time.Hour)
		tm.Stop()
	}
	record(t, "timer", start, n)
}

// 64-byte objects: one mcache.refill per span of 128 of them.
func TestAllocations(t *testing.T) {
	const allocs = 100 * n
	start := time.Now()
	var keep [][]byte
	for i := 0; i < allocs; i++ {
		b := make([]byte, 64)
		if i%1000 == 0 {
			keep = append(keep, b)
		}
	}
	_ = keep
	record(t, "allocation", start, allocs)
}
