// Package violating breaks http2-transport-used (a policy rule): the client is
// a clone of http.DefaultTransport, which negotiates HTTP/2 with any TLS
// server that offers it, in a service whose policy is HTTP/1.1 only.
package violating

import (
	"crypto/tls"
	"io"
	"net/http"
)

// NewClient returns a client trusting the given TLS configuration.
func NewClient(cfg *tls.Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr}
}

// Fetch returns the body of url and the protocol it was served with.
func Fetch(c *http.Client, url string) (string, string, error) {
	resp, err := c.Get(url) // want: http2-transport-used TestFetch
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), resp.Proto, err
}
