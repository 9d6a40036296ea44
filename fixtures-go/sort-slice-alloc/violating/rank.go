// Package violating breaks sort-slice-alloc: Top sorts each small batch of
// scores with sort.Slice, which boxes the slice in an interface and builds
// a reflection-based swapper on every call.
package violating

import "sort"

// Score is a player's score.
type Score struct {
	Player string
	Points int
}

// Top returns the best n scores of batch, best first.
func Top(batch []Score, n int) []Score {
	sort.Slice(batch, func(i, j int) bool { return batch[i].Points > batch[j].Points }) // want: sort-slice-alloc TestTop
	if len(batch) > n {
		batch = batch[:n]
	}
	return batch
}
