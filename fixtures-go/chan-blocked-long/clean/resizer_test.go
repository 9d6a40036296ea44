package clean

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestThumbnailSlowRender(t *testing.T) {
	r := NewResizer(SlowRender(700 * time.Millisecond))
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.Thumbnail(ctx, "cat.png")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Thumbnail error = %v, want the deadline", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("Thumbnail took %v past a 50ms deadline", took)
	}
}

func TestThumbnailFastRender(t *testing.T) {
	r := NewResizer(SlowRender(5 * time.Millisecond))
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, src := range []string{"a.png", "b.png", "c.png"} {
		if got, err := r.Thumbnail(ctx, src); err != nil || got != "thumb-"+src {
			t.Fatalf("Thumbnail(%q) = %q, %v", src, got, err)
		}
	}
}
