// Package violating breaks finalizer-per-object: every Buffer handed out by
// the pool registers a finalizer that gives its memory back, and callers never
// release it themselves. Each buffer then waits for a GC cycle to find it
// unreachable, for the single finalizer goroutine to get to it, and for one
// more cycle before its memory is free, and the pool refills only as fast as
// the finalizers run.
package violating

import (
	"runtime"
	"sync"
)

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

// Get lends a buffer; it goes back to the pool when the garbage collector
// finds it unreachable.
func (p *Pool) Get() *Buffer {
	b := &Buffer{B: p.take(), pool: p}
	runtime.SetFinalizer(b, (*Buffer).release) // want: finalizer-per-object TestEncodeRecords
	return b
}

func (b *Buffer) release() {
	b.pool.put(b.B)
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
	b.B = append(b.B, key...)
	b.B = append(b.B, '=')
	b.B = append(b.B, value...)
	b.B = append(b.B, '\n')
	return len(b.B)
}
