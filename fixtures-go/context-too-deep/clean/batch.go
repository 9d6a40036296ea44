// Package clean is the clean twin of context-too-deep/violating: each
// record's and each attempt's context is derived from the loop's base
// context, so every one is a single level above it, and each attempt's
// cancel runs when the attempt ends.
//
// gate:clean context-too-deep
package clean

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
		rctx := context.WithValue(ctx, recordKey{}, r.ID)
		if err := store(rctx, r); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotReady is what a poll returns until the resource is ready.
var ErrNotReady = errors.New("not ready")

// Poll calls check until it succeeds, giving each attempt its own deadline.
func Poll(ctx context.Context, attempts int, check func(context.Context) error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = attempt(ctx, check); !errors.Is(err, ErrNotReady) {
			return err
		}
	}
	return err
}

func attempt(ctx context.Context, check func(context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return check(actx)
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
