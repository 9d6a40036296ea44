package clean

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFetch(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	srv.StartTLS()
	defer srv.Close()
	c := NewClient(srv.Client().Transport.(*http.Transport).TLSClientConfig)
	defer c.CloseIdleConnections()
	body, proto, err := Fetch(c, srv.URL)
	if err != nil || body != "ok" {
		t.Fatalf("Fetch = %q, %v", body, err)
	}
	t.Logf("served over %s", proto)
}
