package violating

import "testing"

func TestUpdateDuringReport(t *testing.T) {
	tab := NewTable()
	tab.Update("/api", "10.0.0.1")
	started := make(chan struct{})
	done := make(chan string)
	go func() { done <- tab.Report(started) }()
	<-started
	tab.Update("/api", "10.0.0.2")
	if r := <-done; r == "" {
		t.Fatal("empty report")
	}
}
