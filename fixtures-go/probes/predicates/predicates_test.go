package predicates

import "testing"

func TestDrive(t *testing.T) {
	if Drive(1<<40, 7) == 0 {
		t.Fatal("no calls made")
	}
}
