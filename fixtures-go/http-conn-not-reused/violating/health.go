// Package violating breaks http-conn-not-reused: the health checker closes
// each response body without reading it, so the Transport cannot put the
// connection back into its idle pool and every check dials a new one.
package violating

import "net/http"

// Checker polls a health endpoint.
type Checker struct {
	Client *http.Client
	URL    string
}

// Healthy reports whether the endpoint answers 200 OK.
func (c *Checker) Healthy() bool {
	resp, err := c.Client.Get(c.URL) // want: http-conn-not-reused TestHealthPolling
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
