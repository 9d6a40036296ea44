package clean

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

func TestRates(t *testing.T) {
	settle(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"EUR": 1.08, "GBP": 1.27}`)
	}))
	defer srv.Close()
	defer client.CloseIdleConnections()
	rates, err := Rates(srv.URL)
	if err != nil || rates["EUR"] != 1.08 {
		t.Fatalf("Rates = %v, %v", rates, err)
	}
	// The test's own request through the httptest client (no Timeout
	// either) is the test's, not the code under test's: not counted.
	resp, err := srv.Client().Get(srv.URL + "/rates")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
