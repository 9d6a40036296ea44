package clean

import (
	"strings"
	"testing"
)

func TestEncodeMany(t *testing.T) {
	var e Encoder
	for i := 0; i < 200; i++ {
		line := e.Encode(Record{Level: "info", Message: "request served from the cache", Attempt: i})
		if !strings.HasPrefix(line, "level=info msg=") {
			t.Fatalf("line %d = %q", i, line)
		}
	}
}
