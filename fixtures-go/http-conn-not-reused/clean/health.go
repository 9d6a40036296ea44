// Package clean is the clean twin of http-conn-not-reused/violating: the
// body is read to the end before it is closed, so the connection is reused.
//
// gate:clean http-conn-not-reused
package clean

import (
	"io"
	"net/http"
)

// Checker polls a health endpoint.
type Checker struct {
	Client *http.Client
	URL    string
}

// Healthy reports whether the endpoint answers 200 OK.
func (c *Checker) Healthy() bool {
	resp, err := c.Client.Get(c.URL)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) // lets the Transport reuse the connection
	return resp.StatusCode == http.StatusOK
}
