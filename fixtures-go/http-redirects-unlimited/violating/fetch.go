// Package violating breaks http-redirects-unlimited: to keep the API token
// on every hop, the client's CheckRedirect copies it and returns nil, which
// also removes net/http's limit of 10 redirects.
package violating

import (
	"io"
	"net/http"
	"time"
)

// NewClient returns a client that sends token on every request, redirects
// included.
func NewClient(token string) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		},
	}
}

// Fetch returns the body at url.
func Fetch(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url) // want: http-redirects-unlimited TestFetchRedirectChain
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
