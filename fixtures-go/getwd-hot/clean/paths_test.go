package clean

import (
	"path/filepath"
	"strconv"
	"testing"
)

func TestAbsolute(t *testing.T) {
	r, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if p := r.Absolute(filepath.Join("testdata", "f"+strconv.Itoa(i))); !filepath.IsAbs(p) {
			t.Fatalf("Absolute = %q", p)
		}
	}
}
