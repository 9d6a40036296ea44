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
	client  *http.Client
	workers int
}

// NewFetcher returns a Fetcher running the given number of concurrent requests.
func NewFetcher(workers int) *Fetcher {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 100 // but MaxIdleConnsPerHost stays 0, that is 2
	return &Fetcher{client: &http.Client{Transport: tr}, workers: workers}
}

// FetchAll fetches every URL and returns the total size of the bodies.
func (f *Fetcher) FetchAll(urls []string) (int64, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		first error
	)
	next := make(chan string)
	for w := 0; w < f.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range next {
				n, err := f.fetch(u)
				mu.Lock()
				total += n
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, u := range urls {
		next <- u
	}
	close(next)
	wg.Wait()
	return total, first
}

func (f *Fetcher) fetch(url string) (int64, error) {
	resp, err := f.client.Get(url) // want: transport-idle-per-host-low TestFetchAll
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
