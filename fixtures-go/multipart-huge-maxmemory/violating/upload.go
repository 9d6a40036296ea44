// Package violating breaks multipart-huge-maxmemory: the upload handler lets
// every request keep up to 1 GiB of its multipart body in memory.
package violating

import (
	"fmt"
	"io"
	"net/http"
)

// Upload accepts a file in the "file" field and answers its size.
func Upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 30); err != nil { // want: multipart-huge-maxmemory TestUpload
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer f.Close()
	n, err := io.Copy(io.Discard, f)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%d", n)
}
