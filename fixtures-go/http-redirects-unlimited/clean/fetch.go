// Package clean is the clean twin of http-redirects-unlimited/violating: the
// CheckRedirect that copies the token keeps a limit of 10 redirects.
//
// gate:clean http-redirects-unlimited
package clean

import (
	"errors"
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
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		},
	}
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
