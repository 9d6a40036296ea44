package clean

import (
	"strings"
	"testing"
)

func TestParseForm(t *testing.T) {
	small := "event=push&repo=gate"
	huge := "event=upload&payload=" + strings.Repeat("A", 2<<20)
	if v, err := ParseForm(strings.NewReader(small)); err != nil || v.Get("repo") != "gate" {
		t.Fatalf("ParseForm(small) = %v, %v", v, err)
	}
	v, err := ParseForm(strings.NewReader(huge))
	if err == nil {
		t.Logf("a %d-byte form accepted (%d bytes of payload)", len(huge), len(v.Get("payload")))
	}
}
