// Package clean is the clean twin of
// transport-no-tls-handshake-timeout/violating: the Transport bounds the TLS
// handshake at 10 seconds, as http.DefaultTransport does.
//
// gate:clean transport-no-tls-handshake-timeout
package clean

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"time"
)

// NewClient returns a client that trusts the CAs in roots.
func NewClient(roots *x509.CertPool) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Fetch returns the body at url.
func Fetch(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
