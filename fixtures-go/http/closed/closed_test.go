// Package closed is the clean twin of http/unclosed: every body is closed.
package closed

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
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestFetchCloses(t *testing.T) {
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
