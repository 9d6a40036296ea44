// Package clean is the fixed twin of transport-per-request: the
// QuoteClient builds its http.Client and Transport once, in
// NewQuoteClient, and every Quote reuses the Transport's idle connection.
//
// gate:clean transport-per-request
package clean

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
	client  *http.Client
}

// NewQuoteClient returns a client whose requests time out after timeout.
func NewQuoteClient(baseURL string, timeout time.Duration) *QuoteClient {
	return &QuoteClient{
		BaseURL: baseURL,
		client: &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				TLSHandshakeTimeout:   timeout,
				ResponseHeaderTimeout: timeout,
				IdleConnTimeout:       90 * time.Second,
			},
		},
	}
}

// Quote returns the current price of symbol.
func (c *QuoteClient) Quote(symbol string) (string, error) {
	resp, err := c.client.Get(c.BaseURL + "/quote?symbol=" + url.QueryEscape(symbol))
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

// Close closes the idle connections of the client's Transport.
func (c *QuoteClient) Close() { c.client.CloseIdleConnections() }
