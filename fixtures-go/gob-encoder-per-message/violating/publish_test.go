package violating

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
	for i := 0; i < 500; i++ {
		var got Event
		// Each event was written by its own Encoder: decode each with its own Decoder.
		if err := gob.NewDecoder(&buf).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.ID != i {
			t.Fatalf("event %d has ID %d", i, got.ID)
		}
	}
}
