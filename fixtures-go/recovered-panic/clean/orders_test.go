package clean

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestItem(t *testing.T) {
	h := NewOrders(map[int][]string{7: {"apple", "pear"}})
	if rec := get(h, "/orders/7/items/1"); rec.Code != http.StatusOK || rec.Body.String() != "pear" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestItemOutOfRange(t *testing.T) {
	h := NewOrders(map[int][]string{7: {"apple", "pear"}})
	if rec := get(h, "/orders/7/items/5"); rec.Code < 400 {
		t.Fatalf("got %d, want an error status", rec.Code)
	}
}
