// Package violating breaks superfluous-writeheader: a JSON helper writes the
// body and then sets the status. The first Write already sent 200 OK, so
// net/http drops the 201 and logs "http: superfluous response.WriteHeader
// call"; the client never sees the status the handler meant.
package violating

import (
	"encoding/json"
	"net/http"
)

// Widget is the API's resource.
type Widget struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status) // want: superfluous-writeheader TestCreateWidget
}

// CreateWidget handles POST /widgets.
func CreateWidget(w http.ResponseWriter, r *http.Request) {
	var in Widget
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	in.ID = 1
	writeJSON(w, http.StatusCreated, in)
}
