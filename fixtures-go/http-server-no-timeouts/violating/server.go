// Package violating breaks http-server-no-timeouts: the service starts its
// http.Server with only a handler, so a client may take for ever to send a
// request header (Slowloris) and hold a connection and a goroutine.
package violating

import (
	"io"
	"net"
	"net/http"
)

// Start serves the API on ln until the returned server is shut down.
func Start(ln net.Listener) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "pong")
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln) // want: http-server-no-timeouts TestPing
	return srv
}
