// Package clean is the fixed twin of dial-resolve-time's violating
// package: Client resolves the backend's name on its own budget and at
// most every 30 s, and dials the cached address, so the dial timeout is
// all connect and requests pay no lookup.
//
// gate:clean dial-resolve-time
package clean

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// resolveEvery is how long a resolved address is reused.
const resolveEvery = 30 * time.Second

// Config configures a Client.
type Config struct {
	Addr     string        // host:port of the backend, e.g. "backend.internal:7070"
	Resolver *net.Resolver // nil: net.DefaultResolver
	Timeout  time.Duration // dial timeout, and the resolution's own
}

// Client queries a line-oriented key-value backend.
type Client struct {
	dialer   net.Dialer
	resolver *net.Resolver
	addr     string
	timeout  time.Duration

	mu         sync.Mutex
	resolved   string // ip:port, empty until resolved
	resolvedAt time.Time
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	r := cfg.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return &Client{
		dialer:   net.Dialer{Timeout: cfg.Timeout},
		resolver: r,
		addr:     cfg.Addr,
		timeout:  cfg.Timeout,
	}
}

// backendAddr returns the backend's ip:port, resolving its name when the
// cached address is older than resolveEvery.
func (c *Client) backendAddr(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resolved != "" && time.Since(c.resolvedAt) < resolveEvery {
		return c.resolved, nil
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ips, err := c.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return "", err
	}
	if len(ips) == 0 {
		return "", errors.New("no address for " + host)
	}
	c.resolved = net.JoinHostPort(ips[0].Unmap().String(), port)
	c.resolvedAt = time.Now()
	return c.resolved, nil
}

// Get asks the backend for key's value, on a connection of its own.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	addr, err := c.backendAddr(ctx)
	if err != nil {
		return "", err
	}
	conn, err := c.dialer.DialContext(ctx, "tcp", addr)
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
