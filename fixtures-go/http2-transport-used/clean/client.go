// Package clean is the clean twin of http2-transport-used/violating: the
// Transport allows HTTP/1.1 only (Transport.Protocols, Go 1.24), so it never
// negotiates HTTP/2.
//
// gate:clean http2-transport-used
package clean

import (
	"crypto/tls"
	"io"
	"net/http"
)

// NewClient returns a client trusting the given TLS configuration.
func NewClient(cfg *tls.Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // HTTP/1.1 only
	return &http.Client{Transport: tr}
}

// Fetch returns the body of url and the protocol it was served with.
func Fetch(c *http.Client, url string) (string, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), resp.Proto, err
}
