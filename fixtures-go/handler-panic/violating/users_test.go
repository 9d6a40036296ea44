package violating

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// settle waits, once the test and its deferred Closes are done, for the
// connection goroutines those Closes end asynchronously, so that nothing is
// still running when the binary exits.
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

func TestUserField(t *testing.T) {
	settle(t)
	// Served on a unix socket, without timestamps in its log: the log line
	// net/http writes on a panic then names the same remote address on
	// every run.
	sock := filepath.Join(t.TempDir(), "api.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(UserField))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ErrorLog = log.New(os.Stderr, "", 0)
	srv.Start()
	defer srv.Close()
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", sock)
			},
		},
	}
	defer client.CloseIdleConnections()
	// A path too short must not be answered with success. Sent first, on a
	// new connection: net/http's client retries a request once when a
	// reused connection dies without an answer.
	resp, err := client.Get("http://api/users/42")
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("short path answered 200")
		}
	}
	resp, err = client.Get("http://api/users/42/name")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "Ada" {
		t.Fatalf("body %q", b)
	}
}
