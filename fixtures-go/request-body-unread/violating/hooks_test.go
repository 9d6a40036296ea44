package violating

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDeliveries(t *testing.T) { // want: request-body-unread TestDeliveries
	hooks := NewHooks()
	srv := httptest.NewServer(hooks)
	defer srv.Close()
	payload := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 3; i++ {
		req, err := http.NewRequest("POST", srv.URL, bytes.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Event", "push")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := hooks.Count("push"); n != 3 {
		t.Fatalf("%d push deliveries counted, want 3", n)
	}
}

func TestRejectsUnknownEvents(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unknown event", http.StatusBadRequest)
	}))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(bytes.Repeat([]byte("x"), 1<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
