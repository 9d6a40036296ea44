package clean

import "testing"

func TestHealth(t *testing.T) {
	for i := 0; i < 20; i++ {
		if n, ok := Health(10000); !ok || n < 1 {
			t.Fatalf("Health = %d, %v", n, ok)
		}
	}
}
