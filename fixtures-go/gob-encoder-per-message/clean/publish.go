// Package clean is the clean twin of gob-encoder-per-message/violating: one
// gob.Encoder per stream describes the type once.
//
// gate:clean gob-encoder-per-message
package clean

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
	enc *gob.Encoder // one stream, one encoder
}

// NewPublisher returns a publisher writing to w.
func NewPublisher(w io.Writer) *Publisher {
	return &Publisher{enc: gob.NewEncoder(w)}
}

// Publish writes e to the stream.
func (p *Publisher) Publish(e Event) error {
	return p.enc.Encode(e)
}
