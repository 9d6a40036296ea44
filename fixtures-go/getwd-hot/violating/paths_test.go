package violating

import (
	"path/filepath"
	"strconv"
	"testing"
)

func TestAbsolute(t *testing.T) {
	for i := 0; i < 300; i++ {
		p, err := Absolute(filepath.Join("testdata", "f"+strconv.Itoa(i)))
		if err != nil || !filepath.IsAbs(p) {
			t.Fatalf("Absolute = %q, %v", p, err)
		}
	}
}
