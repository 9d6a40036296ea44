package clean

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
)

// start serves 200 items on a loopback listener and returns a connection
// to it; the server is shut down when the test ends.
func start(t *testing.T) net.Conn {
	s := &Server{}
	for i := 0; i < 200; i++ {
		s.Items = append(s.Items, Item{SKU: fmt.Sprintf("SKU-%04d", i), Qty: i % 7})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestList(t *testing.T) {
	c := start(t)
	if _, err := io.WriteString(c, "LIST\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	n := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d items: %v", n, err)
		}
		if line == "END\n" {
			break
		}
		if !strings.HasPrefix(line, "ITEM SKU-") {
			t.Fatalf("unexpected line %q", line)
		}
		n++
	}
	if n != 200 {
		t.Fatalf("listed %d items, want 200", n)
	}
	io.WriteString(c, "QUIT\n")
}

// TestLookup asks for items one at a time: one answer line per request is
// as few writes as the protocol allows, buffered or not.
func TestLookup(t *testing.T) {
	c := start(t)
	r := bufio.NewReader(c)
	for i := 0; i < 150; i++ {
		sku := fmt.Sprintf("SKU-%04d", i)
		if _, err := fmt.Fprintf(c, "GET %s\n", sku); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("ITEM %s %d\n", sku, i%7); line != want {
			t.Fatalf("GET %s = %q, want %q", sku, line, want)
		}
	}
	io.WriteString(c, "QUIT\n")
}
