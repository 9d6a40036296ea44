package violating

import (
	"os/exec"
	"testing"
)

func TestNotify(t *testing.T) {
	path, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) on this machine")
	}
	h := &Hooks{Path: path}
	for _, ev := range []string{"deploy", "rollback"} {
		if err := h.Notify(ev); err != nil {
			t.Fatal(err)
		}
	}
}
