// Package unclosed violates response-body-not-closed: a helper reads the
// payload but never closes the response body, so its connection never goes
// back to the idle pool.
package unclosed

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func fetch(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body) // read, but resp.Body.Close() is missing
	return string(b), err
}

func TestFetchForgetsClose(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	if got, err := fetch(client, srv.URL); err != nil || got != "hello" {
		t.Fatalf("fetch = %q, %v", got, err)
	}
}

// TestEmptyResponse gets http.NoBody (no connection behind it): nothing to close.
func TestEmptyResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp
}
