package clean

import (
	"bytes"
	"io"
	"mime/multipart"
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

func TestUpload(t *testing.T) {
	settle(t)
	srv := httptest.NewServer(http.HandlerFunc(Upload))
	defer srv.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "report.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("a,b,c\n"), 1000))
	mw.Close()
	resp, err := srv.Client().Post(srv.URL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "6000" {
		t.Fatalf("status %d, body %q", resp.StatusCode, b)
	}
}
