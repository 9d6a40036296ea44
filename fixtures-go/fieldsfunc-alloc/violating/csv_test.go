package violating

import "testing"

func TestSumLine(t *testing.T) {
	for i := 0; i < 3000; i++ {
		got, err := SumLine("1, 2;3 4,,5 ; 6, 7, 8, 9, 10")
		if err != nil || got != 55 {
			t.Fatalf("SumLine = %d, %v", got, err)
		}
	}
}
