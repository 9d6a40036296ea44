// Package violating breaks sort-slice-hot: an autocomplete ranker sorts the
// few candidates of every keystroke with sort.Slice. Each call boxes the
// slice in an interface and builds a reflection-based swap function (three
// allocations and about three times the time of slices.SortFunc for eight
// candidates), on the hottest path of the service.
package violating

import (
	"sort"
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
	sort.Slice(out, func(i, j int) bool { // want: sort-slice-hot TestSuggestAsYouType
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
