package clean

import "testing"

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"ada_lovelace": "Ada Lovelace",
		"grace hopper": "Grace Hopper",
		"o'neil":       "O'neil",
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}
