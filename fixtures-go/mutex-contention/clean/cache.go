// Package clean is the clean twin of mutex-contention/violating: Cache.Get
// holds the mutex only to read and to store the map entry, and loads a
// missing value without it, so loads of different keys run in parallel.
//
// gate:clean mutex-contention
package clean

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
	c.mu.Lock()
	v, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = c.Load(key) // concurrent misses of one key may both load: harmless here
	c.mu.Lock()
	c.m[key] = v
	c.mu.Unlock()
	return v
}
