// Package unclosed violates response-body-not-closed: a helper reads the
// payload but never closes the response body, so its connection never goes
// back to the idle pool; over HTTP/1, HTTP/2, and through a client with a
// timeout.
package unclosed

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

func fetch(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url) // want: response-body-not-closed TestFetchForgetsClose; response-body-not-closed TestTimeoutClientForgetsClose
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body) // read, but resp.Body.Close() is missing
	return string(b), err
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
	resp, err := client.Get(srv.URL) // want: response-body-not-closed TestHTTP2FetchForgetsClose
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
