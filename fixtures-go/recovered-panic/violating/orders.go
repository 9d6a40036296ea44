// Package violating breaks recovered-panic: an HTTP handler defers a
// recover() that turns any panic into a bare 500. The panic value and its
// stack are thrown away, so an index-out-of-range bug in the handler is
// invisible in logs and tests, and whatever state it left half-updated stays.
package violating

import (
	"net/http"
	"strconv"
	"strings"
)

// Orders serves /orders/{n}/items/{i}.
type Orders struct {
	items map[int][]string
}

// NewOrders returns a handler over the given orders.
func NewOrders(items map[int][]string) *Orders {
	return &Orders{items: items}
}

func (o *Orders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if recover() != nil { // want: recovered-panic TestItemOutOfRange
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	n, _ := strconv.Atoi(parts[1])
	i, _ := strconv.Atoi(parts[3])
	w.Write([]byte(o.items[n][i])) // panics when i is out of range
}
