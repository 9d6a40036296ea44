// Package violating breaks http-client-no-timeout: the rates fetcher uses
// http.Get, that is http.DefaultClient, which has no Timeout: a server that
// never answers holds the caller for ever.
package violating

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Rates fetches the exchange rates from the service at base.
func Rates(base string) (map[string]float64, error) {
	resp, err := http.Get(base + "/rates") // want: http-client-no-timeout TestRates
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rates: %s", resp.Status)
	}
	var rates map[string]float64
	err = json.NewDecoder(resp.Body).Decode(&rates)
	return rates, err
}
