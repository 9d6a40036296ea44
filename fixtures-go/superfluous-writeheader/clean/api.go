// Package clean is the clean twin of superfluous-writeheader/violating: the
// JSON helper encodes into a buffer first, so an encoding error can still
// become a 500, and sets the status before writing the body.
//
// gate:clean superfluous-writeheader
package clean

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Widget is the API's resource.
type Widget struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
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
