// Package clean is the clean twin of multipart-huge-maxmemory/violating: the
// body is bounded with http.MaxBytesReader and at most 8 MiB of it is kept
// in memory; bigger file parts go to temporary files.
//
// gate:clean multipart-huge-maxmemory
package clean

import (
	"fmt"
	"io"
	"net/http"
)

// Upload accepts a file in the "file" field and answers its size.
func Upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
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
