// Package violating breaks servemux-route-miss: the API registers its
// collection as "GET /items/" while its clients call "/items", so the mux
// answers every list request with a redirect and the client sends it twice.
package violating

import (
	"io"
	"log"
	"net/http"
	"time"
)

// NewHandler returns the API's handler: its routes behind an access log.
func NewHandler(logger *log.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/", listItems)
	mux.HandleFunc("GET /items/{id}", getItem)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		mux.ServeHTTP(w, r) // want: servemux-route-miss TestListItems
		logger.Printf("%s %s %v", r.Method, r.URL.Path, time.Since(start))
	})
}

func listItems(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "[1,2,3]")
}

func getItem(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, r.PathValue("id"))
}
