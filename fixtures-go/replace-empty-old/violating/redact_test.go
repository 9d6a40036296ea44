package violating

import (
	"os"
	"strings"
	"testing"
)

func TestRedactUnsetSecret(t *testing.T) {
	t.Setenv("DB_PASSWORD", "") // not configured in this environment
	r := NewRedactor("hunter2", os.Getenv("DB_PASSWORD"))
	out := r.Redact("login ok, token=hunter2, took 3ms")
	if strings.Contains(out, "hunter2") {
		t.Fatalf("secret leaked: %q", out)
	}
}
