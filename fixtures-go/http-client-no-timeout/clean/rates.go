// Package clean is the clean twin of http-client-no-timeout/violating: the
// fetcher's client bounds every request.
//
// gate:clean http-client-no-timeout
package clean

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

var client = &http.Client{Timeout: 10 * time.Second}

// Rates fetches the exchange rates from the service at base.
func Rates(base string) (map[string]float64, error) {
	resp, err := client.Get(base + "/rates")
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
