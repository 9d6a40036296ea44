// Package violating breaks mutex-contention: Cache.Get holds its one mutex
// while it loads a missing value, so every caller waits for every other
// caller's load, even for unrelated keys.
package violating

import "sync"

// Cache memoises a slow loader.
type Cache struct {
	Load func(key string) string // a database or network round trip

	mu sync.Mutex
	m  map[string]string
}

// NewCache returns an empty cache over load.
func NewCache(load func(string) string) *Cache {
	return &Cache{Load: load, m: make(map[string]string)}
}

// Get returns the value of key, loading it on a miss.
func (c *Cache) Get(key string) string {
	c.mu.Lock() // want: mutex-contention TestGet
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		return v
	}
	v := c.Load(key)
	c.m[key] = v
	return v
}
