// Package violating breaks transport-idle-per-host-low: a fan-out client sends
// 16 requests at a time to one backend through a Transport that keeps the
// default 2 idle connections per host, so most connections are closed after
// each response and dialed again for the next one.
package violating

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Fetcher fetches many URLs of one backend concurrently.
type Fetcher struct {
	client *http.Client
}

// NewFetcher returns a Fetcher for a backend of the given number of shards.
func NewFetcher(shards int) *Fetcher {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 100 // but MaxIdleConnsPerHost stays 0, that is 2
	return &Fetcher{client: &http.Client{Transport: tr}}
}

// FetchShards fetches one URL per shard, all at once, and returns the total
// size of the bodies.
func (f *Fetcher) FetchShards(urls []string) (int64, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		first error
	)
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := f.fetch(u)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	return total, first
}

func (f *Fetcher) fetch(url string) (int64, error) {
	resp, err := f.client.Get(url) // want: transport-idle-per-host-low TestFetchShards; http-conn-not-reused TestFetchShards
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return io.Copy(io.Discard, resp.Body)
}

// Close closes the idle connections.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }
