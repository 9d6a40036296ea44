// Package violating breaks transport-per-request: Quote builds a new
// http.Transport for every request, to set its timeouts. A Transport owns
// the connection pool: each one dials its own connection, which no later
// request can reuse, and keeps it open, idle, with its two goroutines,
// until the server closes it.
package violating

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// QuoteClient fetches prices from a quote service.
type QuoteClient struct {
	BaseURL string
	Timeout time.Duration
}

// Quote returns the current price of symbol.
func (c *QuoteClient) Quote(symbol string) (string, error) {
	client := &http.Client{
		Timeout: c.Timeout,
		Transport: &http.Transport{
			TLSHandshakeTimeout:   c.Timeout,
			ResponseHeaderTimeout: c.Timeout,
			IdleConnTimeout:       90 * time.Second,
		},
	}
	resp, err := client.Get(c.BaseURL + "/quote?symbol=" + url.QueryEscape(symbol))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("quote %s: %s", symbol, resp.Status)
	}
	return strings.TrimSpace(string(body)), nil
}
