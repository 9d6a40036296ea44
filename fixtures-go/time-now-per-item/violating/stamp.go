// Package violating breaks time-now-per-item: a batch importer stamps every
// record with its own time.Now call inside the loop.
package violating

import "time"

// Record is one imported row.
type Record struct {
	ID       int
	Imported time.Time
}

// Import stamps each record of a batch with the import time.
func Import(ids []int) []Record {
	out := make([]Record, len(ids))
	for i, id := range ids {
		out[i] = Record{ID: id, Imported: time.Now()} // want: time-now-per-item TestImport
	}
	return out
}
