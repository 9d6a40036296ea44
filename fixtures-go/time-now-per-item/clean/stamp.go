// Package clean is the clean twin of time-now-per-item/violating: the batch
// is stamped with one time.Now read before the loop.
//
// gate:clean time-now-per-item
package clean

import "time"

// Record is one imported row.
type Record struct {
	ID       int
	Imported time.Time
}

// Import stamps each record of a batch with the import time.
func Import(ids []int) []Record {
	now := time.Now() // one clock read per batch
	out := make([]Record, len(ids))
	for i, id := range ids {
		out[i] = Record{ID: id, Imported: now}
	}
	return out
}
