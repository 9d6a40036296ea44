// Package violating breaks once-recreated: the sync.Once meant to compile
// the pattern once is a local variable, a new Once on every call, so the
// pattern is compiled on every match.
package violating

import (
	"regexp"
	"sync"
)

// Matcher matches strings against a pattern compiled on first use.
type Matcher struct {
	Pattern string
	re      *regexp.Regexp
}

// Match reports whether s matches the pattern.
func (m *Matcher) Match(s string) bool {
	var once sync.Once
	once.Do(func() { m.re = regexp.MustCompile(m.Pattern) }) // want: once-recreated TestMatchMany
	return m.re.MatchString(s)
}
