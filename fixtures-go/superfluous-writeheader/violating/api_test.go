package violating

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCreateWidget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(CreateWidget))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(`{"name":"gear"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got Widget
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.ID != 1 || got.Name != "gear" {
		t.Fatalf("got %+v", got)
	}
}
