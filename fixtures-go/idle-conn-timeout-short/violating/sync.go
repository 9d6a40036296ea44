// Package violating breaks idle-conn-timeout-short: the client's Transport
// sets IdleConnTimeout to a bare 90, meant as seconds: it is 90 ns, so an
// idle connection is closed as soon as it is put back and every request
// dials again.
package violating

import (
	"io"
	"net/http"
	"time"
)

// Syncer pulls documents from an upstream service.
type Syncer struct {
	Base   string
	client *http.Client
}

// NewSyncer returns a Syncer for the service at base.
func NewSyncer(base string) *Syncer {
	tr := &http.Transport{
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90,
	}
	return &Syncer{Base: base, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Pull returns the document at path.
func (s *Syncer) Pull(path string) (string, error) {
	resp, err := s.client.Get(s.Base + path) // want: idle-conn-timeout-short TestSync
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Close releases the idle connections.
func (s *Syncer) Close() { s.client.CloseIdleConnections() }
