// Package clean is the clean twin of recovered-panic/violating: the handler
// validates its input and returns 404 instead of relying on a recover(); the
// recovering middleware it keeps for real bugs logs the panic value and the
// stack before answering 500, and never fires here.
//
// gate:clean recovered-panic
package clean

import (
	"log"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
)

// Orders serves /orders/{n}/items/{i}.
type Orders struct {
	items map[int][]string
}

// NewOrders returns a handler over the given orders.
func NewOrders(items map[int][]string) http.Handler {
	return logPanics(&Orders{items: items})
}

func (o *Orders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 {
		http.NotFound(w, r)
		return
	}
	n, err1 := strconv.Atoi(parts[1])
	i, err2 := strconv.Atoi(parts[3])
	items := o.items[n]
	if err1 != nil || err2 != nil || i < 0 || i >= len(items) {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte(items[i]))
}

// logPanics answers 500 to a panicking handler, after logging what it was.
func logPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("panic serving %s: %v\n%s", r.URL.Path, v, debug.Stack())
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}
