// Package clean is the clean twin of idle-conn-timeout-short/violating: the
// idle timeout is 90 seconds, with its unit.
//
// gate:clean idle-conn-timeout-short
package clean

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
		IdleConnTimeout:     90 * time.Second,
	}
	return &Syncer{Base: base, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Pull returns the document at path.
func (s *Syncer) Pull(path string) (string, error) {
	resp, err := s.client.Get(s.Base + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Close releases the idle connections.
func (s *Syncer) Close() { s.client.CloseIdleConnections() }
