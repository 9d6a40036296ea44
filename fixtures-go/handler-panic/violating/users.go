// Package violating breaks handler-panic: the handler indexes the path's
// segments without checking how many there are, and panics on a short
// path. net/http recovers, logs "http: panic serving" and drops the
// connection: the client gets no response at all.
package violating

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
	id, field := parts[1], parts[2] // want: handler-panic TestUserField
	v, ok := users[id][field]
	if !ok {
		http.NotFound(w, r)
		return
	}
	io.WriteString(w, v)
}
