// Package clean is the clean twin of handler-panic/violating: the handler
// checks the path's shape and answers 400 instead of panicking.
//
// gate:clean handler-panic
package clean

import (
	"io"
	"net/http"
	"strings"
)

var users = map[string]map[string]string{
	"42": {"name": "Ada", "email": "ada@example.com"},
}

// UserField answers GET /users/{id}/{field}.
func UserField(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 3 {
		http.Error(w, "want /users/{id}/{field}", http.StatusBadRequest)
		return
	}
	id, field := parts[1], parts[2]
	v, ok := users[id][field]
	if !ok {
		http.NotFound(w, r)
		return
	}
	io.WriteString(w, v)
}
