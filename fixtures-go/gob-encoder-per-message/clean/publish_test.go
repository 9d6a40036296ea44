package clean

import (
	"bytes"
	"encoding/gob"
	"testing"
)

func TestPublishStream(t *testing.T) {
	var buf bytes.Buffer
	p := NewPublisher(&buf)
	for i := 0; i < 500; i++ {
		if err := p.Publish(Event{ID: i, Kind: "push", Labels: []string{"ci"}, At: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	dec := gob.NewDecoder(&buf)
	for i := 0; i < 500; i++ {
		var got Event
		if err := dec.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.ID != i {
			t.Fatalf("event %d has ID %d", i, got.ID)
		}
	}
}
