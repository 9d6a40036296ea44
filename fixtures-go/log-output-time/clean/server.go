// Package clean is the clean twin of log-output-time/violating: the logger
// writes into an asynchronous writer, which queues each line and returns;
// one goroutine ships the queued lines to the slow sink, off the request
// path.
//
// gate:clean log-output-time
package clean

import (
	"io"
	"log"
	"strconv"
)

// asyncWriter queues lines for a goroutine that writes them to a sink.
type asyncWriter struct {
	lines chan []byte
	done  chan struct{}
}

func newAsyncWriter(sink io.Writer, queue int) *asyncWriter {
	a := &asyncWriter{lines: make(chan []byte, queue), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for p := range a.lines {
			sink.Write(p) // errors of the sink are dropped, as a collector's would be
		}
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	a.lines <- append([]byte(nil), p...) // log.Logger reuses p after Write returns
	return len(p), nil
}

// close waits until every queued line has been written.
func (a *asyncWriter) close() {
	close(a.lines)
	<-a.done
}

// Server answers requests and logs each one.
type Server struct {
	log *log.Logger
	out *asyncWriter
}

// NewServer logs to sink.
func NewServer(sink io.Writer) *Server {
	out := newAsyncWriter(sink, 4096)
	return &Server{log: log.New(out, "", log.LstdFlags), out: out}
}

// Handle answers request id.
func (s *Server) Handle(id int) string {
	s.log.Printf("request %d served", id)
	return "ok " + strconv.Itoa(id)
}

// Close flushes the log.
func (s *Server) Close() { s.out.close() }
