// Package violating breaks waitgroup-negative: the worker's error path
// calls wg.Done and misses its return, so a failed fetch calls Done twice,
// takes the counter below zero and panics the process.
package violating

import "sync"

// FetchAll runs fetch for every URL concurrently and returns their errors.
func FetchAll(urls []string, fetch func(string) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, len(urls))
	for i, u := range urls {
		wg.Add(1)
		go func() {
			if err := fetch(u); err != nil {
				errs[i] = err
				wg.Done()
			}
			wg.Done() // want: waitgroup-negative TestFetchAll
		}()
	}
	wg.Wait()
	return errs
}
