package violating

import (
	"testing"
	"time"
)

func TestThumbnailSlowRender(t *testing.T) {
	r := NewResizer(SlowRender(700 * time.Millisecond))
	defer r.Close()
	got, err := r.Thumbnail("cat.png")
	if err != nil || got != "thumb-cat.png" {
		t.Fatalf("Thumbnail = %q, %v", got, err)
	}
}

func TestThumbnailFastRender(t *testing.T) {
	r := NewResizer(SlowRender(5 * time.Millisecond))
	defer r.Close()
	for _, src := range []string{"a.png", "b.png", "c.png"} {
		if got, err := r.Thumbnail(src); err != nil || got != "thumb-"+src {
			t.Fatalf("Thumbnail(%q) = %q, %v", src, got, err)
		}
	}
}
