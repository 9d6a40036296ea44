// Package violating breaks mutex-contention: Cache.Get holds its one mutex
// while it loads a missing value, so every caller waits for every other
// caller's load, even for unrelated keys.
package violating

import (
	"sync"
	"time"
)

// Cache memoises a slow loader.
type Cache struct {
	mu sync.Mutex
	m  map[string]string
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{m: make(map[string]string)} }

// load stands for a database or network round trip.
func load(key string) string {
	time.Sleep(2 * time.Millisecond)
	return "value of " + key
}

// Get returns the value of key, loading it on a miss.
func (c *Cache) Get(key string) string {
	c.mu.Lock() // want: mutex-contention TestGet
	defer c.mu.Unlock()
	if v, ok := c.m[key]; ok {
		return v
	}
	v := load(key)
	c.m[key] = v
	return v
}
