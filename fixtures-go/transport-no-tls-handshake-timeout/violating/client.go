// Package violating breaks transport-no-tls-handshake-timeout: the client
// builds its own Transport to trust a private CA and, unlike
// http.DefaultTransport, has no bound on the TLS handshake.
package violating

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
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Fetch returns the body at url.
func Fetch(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url) // want: transport-no-tls-handshake-timeout TestFetchPrivateCA
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
