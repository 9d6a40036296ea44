package clean

import (
	"bufio"
	"context"
	"encoding/binary"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// dnsDelay is how long the fake DNS server takes to answer each query.
const dnsDelay = 300 * time.Millisecond

// fakeDNS answers every A query with 127.0.0.1 and every other query with
// no records, each after dnsDelay, on a loopback UDP socket.
func fakeDNS(t *testing.T) *net.UDPAddr {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			buf := make([]byte, 512)
			n, from, err := pc.ReadFromUDP(buf)
			if err != nil {
				return
			}
			wg.Add(1)
			go func(q []byte) {
				defer wg.Done()
				time.Sleep(dnsDelay)
				if r := dnsAnswer(q); r != nil {
					pc.WriteToUDP(r, from)
				}
			}(buf[:n])
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr)
}

// dnsAnswer builds the response to query q: its ID and question, QR and RA
// set, and one A record 127.0.0.1 when the question asks for A.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	// The question: a name (labels up to the zero byte), QTYPE, QCLASS.
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	r := append([]byte(nil), q[:end]...)
	binary.BigEndian.PutUint16(r[2:], 0x8180) // QR, RD, RA, NOERROR
	binary.BigEndian.PutUint16(r[4:], 1)      // QDCOUNT
	binary.BigEndian.PutUint16(r[8:], 0)      // NSCOUNT
	binary.BigEndian.PutUint16(r[10:], 0)     // ARCOUNT
	if qtype != 1 {
		binary.BigEndian.PutUint16(r[6:], 0) // ANCOUNT
		return r
	}
	binary.BigEndian.PutUint16(r[6:], 1)
	r = append(r,
		0xC0, 0x0C, // name: pointer to the question's
		0, 1, // TYPE A
		0, 1, // CLASS IN
		0, 0, 0, 60, // TTL
		0, 4, // RDLENGTH
		127, 0, 0, 1)
	return r
}

// resolverFor returns a Go resolver that sends its queries to dns.
func resolverFor(dns *net.UDPAddr) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return net.DialUDP("udp", nil, dns)
		},
	}
}

// backend serves "GET key" with "value-of-key" on a loopback listener.
func backend(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return
				}
				key := strings.TrimSpace(strings.TrimPrefix(line, "GET "))
				c.Write([]byte("value-of-" + key + "\n"))
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestGet(t *testing.T) {
	port := backend(t)
	c := New(Config{
		Addr:     net.JoinHostPort("backend.internal", strconv.Itoa(port)),
		Resolver: resolverFor(fakeDNS(t)),
		Timeout:  2 * time.Second,
	})
	for _, key := range []string{"a", "b", "c"} {
		v, err := c.Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if v != "value-of-"+key {
			t.Fatalf("Get(%q) = %q", key, v)
		}
	}
}
