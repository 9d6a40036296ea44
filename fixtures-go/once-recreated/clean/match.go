// Package clean is the clean twin of once-recreated/violating: the
// sync.Once lives in the Matcher, next to the regexp it guards.
//
// gate:clean once-recreated
package clean

import (
	"regexp"
	"sync"
)

// Matcher matches strings against a pattern compiled on first use.
type Matcher struct {
	Pattern string
	once    sync.Once
	re      *regexp.Regexp
}

// Match reports whether s matches the pattern.
func (m *Matcher) Match(s string) bool {
	m.once.Do(func() { m.re = regexp.MustCompile(m.Pattern) })
	return m.re.MatchString(s)
}
