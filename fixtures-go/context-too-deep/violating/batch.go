// Package violating breaks context-too-deep: a batch importer tags each
// record's context with the record's id by wrapping the loop's own ctx, and
// a poller gives each attempt a deadline by wrapping the context of the
// attempt before. Every iteration's context sits on top of all the earlier
// ones, so each Value lookup walks the whole chain: O(n) per lookup, O(n²)
// per batch, and every level stays reachable until the loop ends.
package violating

import (
	"context"
	"errors"
	"time"
)

type recordKey struct{}

// Record is one row to import.
type Record struct {
	ID   int
	Name string
}

// RecordID is the id Import attached to ctx, for the store's logging.
func RecordID(ctx context.Context) int {
	id, _ := ctx.Value(recordKey{}).(int)
	return id
}

// Import stores every record, each under a context that carries its id.
func Import(ctx context.Context, records []Record, store func(context.Context, Record) error) error {
	for _, r := range records {
		ctx = context.WithValue(ctx, recordKey{}, r.ID) // want: context-too-deep TestImport
		if err := store(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotReady is what a poll returns until the resource is ready.
var ErrNotReady = errors.New("not ready")

// Poll calls check until it succeeds, giving each attempt its own deadline.
func Poll(ctx context.Context, attempts int, check func(context.Context) error) error {
	var cancels []context.CancelFunc
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	var err error
	for i := 0; i < attempts; i++ {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second) // want: context-too-deep TestPoll
		cancels = append(cancels, cancel)
		if err = check(ctx); !errors.Is(err, ErrNotReady) {
			return err
		}
	}
	return err
}

// Middleware adds to a request's context, as a router's middleware does.
type Middleware func(context.Context) context.Context

// Tag is a middleware that stores one value.
func Tag(key, value any) Middleware {
	return func(ctx context.Context) context.Context {
		return context.WithValue(ctx, key, value)
	}
}

// Chain applies every middleware in order: a request's context grows by one
// level per middleware, which is how contexts are meant to nest.
func Chain(ctx context.Context, mws []Middleware) context.Context {
	for _, mw := range mws {
		ctx = mw(ctx)
	}
	return ctx
}
