// Package clean is the fixed twin of conn-unbuffered-writes: the inventory
// server writes its LIST answer into a bufio.Writer wrapped around the
// net.Conn and flushes it once the answer is complete: one write(2) per
// 4 KiB of answer instead of one per line.
//
// gate:clean conn-unbuffered-writes
package clean

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
)

// Item is one line of the inventory.
type Item struct {
	SKU string
	Qty int
}

// Server answers a line protocol over TCP: "LIST" lists every item, one
// "ITEM <sku> <qty>" line each, then "END"; "GET <sku>" answers one ITEM
// line (or ERR); "QUIT" ends the session.
type Server struct {
	Items []Item
	wg    sync.WaitGroup
}

// Serve accepts connections on ln until it is closed, then waits for the
// open sessions to end.
func (s *Server) Serve(ln net.Listener) error {
	defer s.wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "LIST":
			for _, it := range s.Items {
				fmt.Fprintf(w, "ITEM %s %d\n", it.SKU, it.Qty)
			}
			fmt.Fprintf(w, "END\n")
		case "GET":
			s.get(w, arg)
		case "QUIT":
			return
		default:
			fmt.Fprintf(w, "ERR unknown command\n")
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}

// get answers one GET: a single line, written at once.
func (s *Server) get(w io.Writer, sku string) {
	for _, it := range s.Items {
		if it.SKU == sku {
			fmt.Fprintf(w, "ITEM %s %d\n", it.SKU, it.Qty)
			return
		}
	}
	fmt.Fprintf(w, "ERR no such item\n")
}
