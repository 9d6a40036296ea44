// Package closed is the clean twin of http/unclosed: every body is closed.
package closed

// gate:clean response-body-not-closed response-body-read-not-closed

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
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

// settle waits, once the test and its deferred Closes are done, for the
// connection goroutines those Closes end asynchronously: a clean twin leaves
// nothing running when the binary exits (not even a goroutine-lingering note).
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

func TestFetchCloses(t *testing.T) {
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

// The HTTP/2 twin: the stream's body is closed.
func TestHTTP2FetchCloses(t *testing.T) {
	settle(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("want HTTP/2, got %s", resp.Proto)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "hello" {
		t.Fatalf("body = %q, %v", b, err)
	}
}

// The timeout client's twin: the wrapped body is closed.
func TestTimeoutClientCloses(t *testing.T) {
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

var errNoRedirects = errors.New("redirects are not followed")

// Clients that refuse redirects (one with a Timeout, whose bodies are
// wrapped): Get returns the redirect's response with the error, and net/http
// has already closed its body.
func TestRefusedRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusFound)
			return
		}
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	refuse := func(req *http.Request, via []*http.Request) error { return errNoRedirects }
	for _, client := range []*http.Client{
		{CheckRedirect: refuse},
		{CheckRedirect: refuse, Timeout: time.Minute},
	} {
		if _, err := fetch(client, srv.URL+"/old"); !errors.Is(err, errNoRedirects) {
			t.Fatalf("fetch: %v", err)
		}
		client.CloseIdleConnections()
	}
}

// TestZClosesAndReturns closes everything and returns at once, the last test
// of the binary, while the server's connection goroutine is still finishing
// its handler's work (http.Server.Close does not wait for handlers): a
// goroutine of net/http still running at exit, as connection goroutines
// winding down are in some real runs and not others. It is the standard
// library's: no note.
func TestZClosesAndReturns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		ReadHeaderTimeout: time.Second,
		ReadTimeout:       time.Second,
		WriteTimeout:      time.Second,
		IdleTimeout:       time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
			w.(http.Flusher).Flush()
			time.Sleep(500 * time.Millisecond) // bookkeeping after the response
		}),
	}
	go srv.Serve(ln)
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	if got, err := fetch(client, "http://"+ln.Addr().String()); err != nil || got != "hello" {
		t.Fatalf("fetch = %q, %v", got, err)
	}
}
