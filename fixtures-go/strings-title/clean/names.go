// Package clean is the clean twin of strings-title/violating: only the
// first letter of each space-separated word is upper-cased, in one pass
// (golang.org/x/text/cases.Title is the full Unicode answer; this module
// keeps to the standard library).
//
// gate:clean strings-title
package clean

import (
	"strings"
	"unicode"
)

// DisplayName turns a login such as "ada lovelace" into "Ada Lovelace".
func DisplayName(login string) string {
	var b strings.Builder
	b.Grow(len(login))
	start := true
	for _, r := range login {
		switch {
		case r == '_' || r == ' ':
			b.WriteByte(' ')
			start = true
		case start:
			b.WriteRune(unicode.ToUpper(r))
			start = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
