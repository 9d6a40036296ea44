package violating

import (
	"io"
	"net/http"
	"net/http/httptest"
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

func TestSync(t *testing.T) {
	settle(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "doc "+r.URL.Path)
	}))
	defer srv.Close()
	s := NewSyncer(srv.URL)
	defer s.Close()
	for _, path := range []string{"/a", "/b", "/c"} {
		got, err := s.Pull(path)
		if err != nil || got != "doc "+path {
			t.Fatalf("Pull(%s) = %q, %v", path, got, err)
		}
	}
}
