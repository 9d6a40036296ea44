package clean

import (
	"fmt"
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

func TestQuotes(t *testing.T) {
	settle(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s 101.25\n", r.URL.Query().Get("symbol"))
	}))
	defer srv.Close()
	c := NewQuoteClient(srv.URL, 5*time.Second)
	defer c.Close()
	for i := 0; i < 20; i++ {
		sym := fmt.Sprintf("SYM%d", i)
		q, err := c.Quote(sym)
		if err != nil {
			t.Fatal(err)
		}
		if want := sym + " 101.25"; q != want {
			t.Fatalf("Quote = %q, want %q", q, want)
		}
	}
}
