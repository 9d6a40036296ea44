package violating

import "testing"

func TestParseEvents(t *testing.T) {
	zones := []string{"Europe/Paris", "America/New_York", "Asia/Tokyo"}
	for i := 0; i < 300; i++ {
		if _, err := ParseLocal("2026-12-04 17:00:00", zones[i%len(zones)]); err != nil {
			t.Fatal(err)
		}
	}
}
