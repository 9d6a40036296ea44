package clean

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFetchAll(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond) // a backend doing some work
		w.Write([]byte(strings.Repeat("x", 512)))
	}))
	defer srv.Close()
	f := NewFetcher(16)
	defer f.Close()
	urls := make([]string, 400)
	for i := range urls {
		urls[i] = srv.URL + "/item/" + strconv.Itoa(i)
	}
	n, err := f.FetchAll(urls)
	if err != nil || n != 400*512 {
		t.Fatalf("FetchAll = %d, %v", n, err)
	}
}
