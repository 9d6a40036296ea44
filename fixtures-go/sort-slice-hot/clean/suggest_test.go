package clean

import (
	"sort"
	"strings"
	"testing"
)

var terms = []Candidate{
	{"go", 9}, {"goroutine", 7}, {"gofmt", 5}, {"golang", 8},
	{"gopher", 6}, {"goto", 1}, {"govulncheck", 3}, {"gopls", 4},
	{"grpc", 2}, {"graph", 5}, {"grep", 6}, {"gzip", 3},
}

// reference ranks the slow, obvious way, once per prefix.
func reference(prefix string, k int) []Candidate {
	var out []Candidate
	for _, c := range terms {
		if strings.HasPrefix(c.Term, prefix) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Term < out[j].Term
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// TestSuggestAsYouType replays 12,000 keystrokes: one ranking each.
func TestSuggestAsYouType(t *testing.T) {
	s := &Suggester{Terms: terms}
	prefixes := []string{"g", "go", "gop", "gr"}
	for i := 0; i < 12000; i++ {
		got := s.Suggest(prefixes[i%len(prefixes)], 3)
		if len(got) == 0 {
			t.Fatalf("no suggestion for %q", prefixes[i%len(prefixes)])
		}
	}
	for _, p := range prefixes {
		got, want := s.Suggest(p, 3), reference(p, 3)
		if len(got) != len(want) {
			t.Fatalf("Suggest(%q) = %v, want %v", p, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("Suggest(%q) = %v, want %v", p, got, want)
			}
		}
	}
}
