package clean

import (
	"io"
	"log"
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

func TestListItems(t *testing.T) {
	settle(t)
	srv := httptest.NewServer(NewHandler(log.New(io.Discard, "", 0)))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	for i := 0; i < 20; i++ {
		resp, err := client.Get(srv.URL + "/items")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "[1,2,3]" {
			t.Fatalf("body %q", b)
		}
	}
}
