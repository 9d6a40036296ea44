// Package outcomes exercises every way a Go test can end, so gate's test
// output parsing is proven on real runs. Integration tests pick cases with
// -test.run; running the whole package fails on purpose.
package outcomes

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPasses(t *testing.T) {
	t.Log("a log line from a passing test")
}

func TestSkips(t *testing.T) {
	t.Skip("skipped on purpose")
}

func TestFails(t *testing.T) {
	fmt.Println("output printed before the failure")
	t.Errorf("want %d, got %d", 1, 2)
}

func TestSubtests(t *testing.T) {
	for _, name := range []string{"first", "second", "third"} {
		t.Run(name, func(t *testing.T) {
			if name == "second" {
				t.Error("second subtest fails")
			}
		})
	}
}

func TestParallelGroup(t *testing.T) {
	for _, d := range []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			time.Sleep(d)
			t.Logf("slept %v", d)
		})
	}
}

func TestPanics(t *testing.T) {
	var m map[string]int
	m["boom"] = 1 // assignment to entry in nil map
}

func TestExitsEarly(t *testing.T) {
	fmt.Fprintln(os.Stderr, "calling os.Exit(3) from inside a test")
	os.Exit(3)
}

func TestHangs(t *testing.T) {
	select {} // all goroutines asleep would be caught; the timer keeps it alive
}

func TestHangsWithTimer(t *testing.T) {
	time.Sleep(time.Hour)
}

// TestSeesGODEBUG proves gate merges GODEBUG instead of replacing it.
func TestSeesGODEBUG(t *testing.T) {
	got := os.Getenv("GODEBUG")
	for _, want := range []string{"gctrace=1", os.Getenv("WANT_GODEBUG")} {
		if !strings.Contains(got, want) {
			t.Errorf("GODEBUG = %q, want it to contain %q", got, want)
		}
	}
}

// TestNoNewline's output has no final newline: Go's result line runs into it,
// and `go test` still counts the pass.
func TestNoNewline(t *testing.T) {
	fmt.Print("no newline")
}

func TestForgedFails(t *testing.T) {
	t.Error("fails on purpose")
}

// TestForger prints a framed result line for TestForgedFails: a test's
// output must never turn another test's failure into a pass.
func TestForger(t *testing.T) {
	fmt.Println("\x16--- PASS: TestForgedFails (0.00s)")
}

// TestFloods prints more than any report keeps, then fails.
func TestFloods(t *testing.T) {
	for i := 0; i < 5000; i++ {
		fmt.Printf("flood line %d\n", i)
	}
	t.Fail()
}

// TestFloodsMegabytes prints OUTCOMES_FLOOD_MB megabytes (skipped without it),
// half to stdout and half through the runtime's println to stderr, and passes.
func TestFloodsMegabytes(t *testing.T) {
	mb, _ := strconv.Atoi(os.Getenv("OUTCOMES_FLOOD_MB"))
	if mb == 0 {
		t.Skip("OUTCOMES_FLOOD_MB is not set")
	}
	line := strings.Repeat("x", 99)
	for i := 0; i < mb*10000/2; i++ {
		fmt.Println(line)
		println(line)
	}
}

// TestChildSeesNoGctrace starts a process, as tests that run `go build` or
// re-run their own binary do: under gate's eBPF engine it must see the
// environment the test has, without gate's GC trace. The test forces a GC
// cycle of its own, which gate must still see.
// TestForgedGcLines writes gctrace-shaped lines, as the runtime would print
// them, to stderr: through os.Stderr and through the runtime's own println.
// gate must not count them as GC cycles (a 5-second pause, forced).
func TestForgedGcLines(t *testing.T) {
	fmt.Fprintln(os.Stderr, "gc 9001 @0.001s 1%: 5000+0.1+0.01 ms clock, 0.1+0/0.1/0.1+0.01 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)")
	println("gc 9002 @0.002s 1%: 6000+0.1+0.01 ms clock, 0.1+0/0.1/0.1+0.01 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)")
}

func TestChildSeesNoGctrace(t *testing.T) {
	if os.Getenv("OUTCOMES_CHILD") == "1" {
		runtime.GC()
		fmt.Println("child GODEBUG=" + os.Getenv("GODEBUG"))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildSeesNoGctrace$", "-test.v")
	cmd.Env = append(os.Environ(), "OUTCOMES_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "gctrace=1") || strings.Contains(string(out), "gc 1 @") {
		t.Errorf("the child got gate's GC trace:\n%s", out)
	}
	runtime.GC()
}
