// Package violating breaks conn-unbuffered-writes: the inventory server
// answers LIST with one fmt.Fprintf per item straight to the net.Conn. A
// net.Conn has no buffer: every Fprintf is a write(2) system call and, with
// TCP_NODELAY (Go's default), a TCP segment of its own, so a 200-item
// listing costs 201 system calls and packets instead of one or two.
package violating

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
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "LIST":
			for _, it := range s.Items {
				fmt.Fprintf(c, "ITEM %s %d\n", it.SKU, it.Qty) // want: conn-unbuffered-writes TestList
			}
			fmt.Fprintf(c, "END\n")
		case "GET":
			s.get(c, arg)
		case "QUIT":
			return
		default:
			fmt.Fprintf(c, "ERR unknown command\n")
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
