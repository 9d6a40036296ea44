package clean

import (
	"net/http/httptest"
	"testing"
)

func TestListItems(t *testing.T) {
	req := httptest.NewRequest("GET", "/items?status=open&owner=ana&sort=updated&page=2", nil)
	rec := httptest.NewRecorder()
	ListItems(rec, req)
	if got, want := rec.Body.String(), "owner=ana&page=2&sort=updated&status=open"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
