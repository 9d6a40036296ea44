// Package violating breaks gob-encoder-per-message: the publisher writes
// every event to one stream with a new gob.Encoder, so each event is
// preceded by the full description of its type.
package violating

import (
	"encoding/gob"
	"io"
)

// Event is what the publisher sends.
type Event struct {
	ID     int
	Kind   string
	Labels []string
	At     int64
}

// Publisher writes events to one stream.
type Publisher struct {
	w io.Writer
}

// NewPublisher returns a publisher writing to w.
func NewPublisher(w io.Writer) *Publisher {
	return &Publisher{w: w}
}

// Publish writes e to the stream.
func (p *Publisher) Publish(e Event) error {
	return gob.NewEncoder(p.w).Encode(e) // want: gob-encoder-per-message TestPublishStream
}
