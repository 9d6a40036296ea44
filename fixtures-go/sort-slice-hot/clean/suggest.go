// Package clean is the clean twin of sort-slice-hot/violating: the
// autocomplete ranker sorts each keystroke's candidates with the generic
// slices.SortFunc, which needs no interface boxing and no reflection and
// allocates nothing.
//
// gate:clean sort-slice-hot
package clean

import (
	"cmp"
	"slices"
	"strings"
)

// Candidate is a completion with its score.
type Candidate struct {
	Term  string
	Score float64
}

// Suggester ranks completions for a prefix.
type Suggester struct {
	Terms []Candidate
}

// Suggest returns the k best completions of prefix, highest score first,
// ties in alphabetical order.
func (s *Suggester) Suggest(prefix string, k int) []Candidate {
	var out []Candidate
	for _, c := range s.Terms {
		if strings.HasPrefix(c.Term, prefix) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Term, b.Term)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
