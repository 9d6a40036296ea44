package clean

import "testing"

func TestTop(t *testing.T) {
	batch := make([]Score, 8)
	for round := 0; round < 5000; round++ {
		for i := range batch {
			batch[i] = Score{Player: "p", Points: (i*7 + round) % 13}
		}
		top := Top(batch, 3)
		if len(top) != 3 || top[0].Points < top[2].Points {
			t.Fatalf("round %d: %v", round, top)
		}
	}
}
