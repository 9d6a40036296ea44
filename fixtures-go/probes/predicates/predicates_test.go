package predicates

import "testing"

func TestDrive(t *testing.T) {
	if Drive(1<<40, 7) == 0 {
		t.Fatal("no calls made")
	}
}

func TestDeepRecursion(t *testing.T) {
	done := make(chan int)
	// On a goroutine of its own: the test goroutine's stack may have grown already.
	go func() { done <- Deep(2000) }()
	<-done
}

func TestWait(t *testing.T) {
	Wait()
}

func TestSyscalls(t *testing.T) {
	dir := t.TempDir()
	if err := WriteByByte(dir, 100); err != nil {
		t.Fatal(err)
	}
	if got := OpenMissing(dir, 3); got != 3 {
		t.Fatalf("%d opens failed, want 3", got)
	}
}

func TestAllocScope(t *testing.T) {
	if got := len(Labels(100)); got != 100 {
		t.Fatalf("%d labels", got)
	}
}
