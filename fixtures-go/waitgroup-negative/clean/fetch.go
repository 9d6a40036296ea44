// Package clean is the clean twin of waitgroup-negative/violating: each
// worker calls wg.Done exactly once, deferred.
//
// gate:clean waitgroup-negative
package clean

import "sync"

// FetchAll runs fetch for every URL concurrently and returns their errors.
func FetchAll(urls []string, fetch func(string) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, len(urls))
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fetch(u)
		}()
	}
	wg.Wait()
	return errs
}
