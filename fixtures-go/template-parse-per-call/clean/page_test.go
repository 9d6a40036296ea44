package clean

import (
	"bytes"
	"strings"
	"testing"
)

func TestGreeting(t *testing.T) {
	var buf bytes.Buffer
	p := Page{Name: "Ada <admin>", Messages: []string{"hi", "lunch?"}}
	for i := 0; i < 500; i++ {
		buf.Reset()
		if err := Greeting(&buf, p); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(buf.String(), "Hello, Ada &lt;admin&gt;!") {
		t.Fatalf("page %s", buf.String())
	}
}
