// Package clean is the clean twin of sort-slice-alloc/violating: Top sorts
// with the generic slices.SortFunc, which neither boxes the slice nor uses
// reflection, and allocates nothing.
//
// gate:clean sort-slice-alloc
package clean

import "slices"

// Score is a player's score.
type Score struct {
	Player string
	Points int
}

// Top returns the best n scores of batch, best first.
func Top(batch []Score, n int) []Score {
	slices.SortFunc(batch, func(a, b Score) int { return b.Points - a.Points })
	if len(batch) > n {
		batch = batch[:n]
	}
	return batch
}
