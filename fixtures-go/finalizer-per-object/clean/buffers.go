// Package clean lends pooled buffers that callers give back themselves with
// Release, usually deferred: a buffer returns to the pool the moment its
// caller is done with it, and the garbage collector never has to find it.
//
// gate:clean finalizer-per-object
package clean

import "sync"

// Pool hands out fixed-size byte buffers and takes them back.
type Pool struct {
	size int

	mu   sync.Mutex
	free [][]byte
}

// NewPool returns a pool of buffers of size bytes.
func NewPool(size int) *Pool {
	return &Pool{size: size}
}

// Buffer is a buffer on loan from a Pool.
type Buffer struct {
	B    []byte
	pool *Pool
}

// Get lends a buffer; the caller gives it back with Release.
func (p *Pool) Get() *Buffer {
	return &Buffer{B: p.take(), pool: p}
}

// Release gives the buffer back to its pool; b must not be used afterwards.
func (b *Buffer) Release() {
	if b.pool == nil {
		return
	}
	b.pool.put(b.B)
	b.B, b.pool = nil, nil
}

func (p *Pool) take() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		buf := p.free[n-1]
		p.free = p.free[:n-1]
		return buf[:0]
	}
	return make([]byte, 0, p.size)
}

func (p *Pool) put(buf []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, buf)
}

// Encode writes a record as "key=value\n" into a pooled buffer and returns
// its length.
func Encode(p *Pool, key, value string) int {
	b := p.Get()
	defer b.Release()
	b.B = append(b.B, key...)
	b.B = append(b.B, '=')
	b.B = append(b.B, value...)
	b.B = append(b.B, '\n')
	return len(b.B)
}
