// Package violating breaks dial-resolve-time: Client dials its backend by
// host name on every request, so every request first resolves the name
// inside the dial's 2 s budget. A slow resolver eats the time meant for
// the connect, and every request pays the lookup again.
package violating

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// Config configures a Client.
type Config struct {
	Addr     string        // host:port of the backend, e.g. "backend.internal:7070"
	Resolver *net.Resolver // nil: net.DefaultResolver
	Timeout  time.Duration // dial timeout
}

// Client queries a line-oriented key-value backend.
type Client struct {
	dialer net.Dialer
	addr   string
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	return &Client{
		dialer: net.Dialer{Timeout: cfg.Timeout, Resolver: cfg.Resolver},
		addr:   cfg.Addr,
	}
}

// Get asks the backend for key's value, on a connection of its own.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	conn, err := c.dialer.DialContext(ctx, "tcp", c.addr) // want: dial-resolve-time TestGet
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET %s\n", key); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}
