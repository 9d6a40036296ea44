package clean

import (
	"errors"
	"testing"
)

func TestRender(t *testing.T) {
	n, err := Render(Job{Lines: []string{"ab", "cde"}})
	if err != nil || n != 5 {
		t.Fatalf("Render = %d, %v", n, err)
	}
}

func TestRenderEmpty(t *testing.T) {
	if _, err := Render(Job{}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("Render(empty) = %v, want ErrEmpty", err)
	}
}
