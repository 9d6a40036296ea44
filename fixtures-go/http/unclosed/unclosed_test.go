// Package unclosed violates response-body-not-closed: helpers that check
// only the status (HTTP/1) or decode one JSON value (HTTP/2) and neither read
// the body to its end nor close it, so its connection stays busy (on HTTP/1
// until the request's context ends); and
// response-body-read-not-closed: a helper that reads the payload to io.EOF
// but never closes the body (the connection went back at EOF), over HTTP/1,
// HTTP/2 and through a client with a timeout.
package unclosed

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

func fetch(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url) // want: response-body-read-not-closed TestFetchForgetsClose; response-body-read-not-closed TestTimeoutClientForgetsClose
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body) // read, but resp.Body.Close() is missing
	return string(b), err
}

// ok asks whether url answers 200, and drops the response: its body is
// neither read nor closed, so its connection stays busy until ctx ends.
func ok(ctx context.Context, client *http.Client, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req) // want: response-body-not-closed TestStatusForgetsClose
	if err != nil {
		return false, err
	}
	return resp.StatusCode == http.StatusOK, nil
}

// version decodes {"version": ...}: the decoder stops after the value and
// never reads to io.EOF, and the body is not closed.
func version(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url) // want: response-body-not-closed TestHTTP2DecodeForgetsClose
	if err != nil {
		return "", err
	}
	var v struct{ Version string }
	err = json.NewDecoder(resp.Body).Decode(&v)
	return v.Version, err
}

// settle waits, once the test and its deferred Closes are done, for the
// connection goroutines those Closes end asynchronously, so that what the
// binary leaves running at exit does not depend on timing: the fixture is
// about response bodies, not goroutines.
func settle(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
			if time.Now().After(deadline) {
				t.Fatalf("%d goroutines still running after Close", runtime.NumGoroutine()-before)
			}
			time.Sleep(time.Millisecond)
		}
	})
}

func TestFetchForgetsClose(t *testing.T) {
	settle(t)
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
	settle(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp
}

// newHTTP2Server starts a TLS test server that speaks HTTP/2; its Client does too.
func newHTTP2Server(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	return srv
}

// The same mistake over HTTP/2: the stream's body is read and never closed.
func TestHTTP2FetchForgetsClose(t *testing.T) {
	settle(t)
	srv := newHTTP2Server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL) // want: response-body-read-not-closed TestHTTP2FetchForgetsClose
	if err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("want HTTP/2, got %s", resp.Proto)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "hello" {
		t.Fatalf("body = %q, %v", b, err)
	}
}

// A client with a Timeout wraps every body to stop its timer on Close: still never closed here.
func TestTimeoutClientForgetsClose(t *testing.T) {
	settle(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	client := &http.Client{Timeout: time.Minute}
	defer client.CloseIdleConnections()
	if got, err := fetch(client, srv.URL); err != nil || got != "hello" {
		t.Fatalf("fetch = %q, %v", got, err)
	}
}

// The request's context ends with the test, and with it the connection
// (its read loop waited for the body until then): settle can wait for it.
func TestStatusForgetsClose(t *testing.T) {
	settle(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	if up, err := ok(ctx, client, srv.URL); err != nil || !up {
		t.Fatalf("ok = %v, %v", up, err)
	}
}

func TestHTTP2DecodeForgetsClose(t *testing.T) {
	settle(t)
	srv := newHTTP2Server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"version": "1.2"}`+"\n")
	}))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	if v, err := version(client, srv.URL); err != nil || v != "1.2" {
		t.Fatalf("version = %q, %v", v, err)
	}
}
