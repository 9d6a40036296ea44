// Package violating breaks log-output-time: the request handler logs with
// a log.Logger that writes straight to a slow sink (a remote collector), so
// every request waits for the sink before it is answered (and concurrent
// handlers would wait for each other's lines under the logger's lock).
package violating

import (
	"io"
	"log"
	"strconv"
)

// Server answers requests and logs each one.
type Server struct {
	log *log.Logger
}

// NewServer logs to sink.
func NewServer(sink io.Writer) *Server {
	return &Server{log: log.New(sink, "", log.LstdFlags)}
}

// Handle answers request id.
func (s *Server) Handle(id int) string {
	s.log.Printf("request %d served", id) // want: log-output-time TestHandle
	return "ok " + strconv.Itoa(id)
}

// Close does nothing: every line was written before its call returned.
func (s *Server) Close() {}
