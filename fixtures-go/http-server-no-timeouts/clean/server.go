// Package clean is the clean twin of http-server-no-timeouts/violating: the
// server bounds how long a client may take to send its request.
//
// gate:clean http-server-no-timeouts
package clean

import (
	"io"
	"net"
	"net/http"
	"time"
)

// Start serves the API on ln until the returned server is shut down.
func Start(ln net.Listener) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "pong")
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go srv.Serve(ln)
	return srv
}
