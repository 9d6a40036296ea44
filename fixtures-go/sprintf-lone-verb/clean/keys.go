// Package clean is the clean twin of sprintf-lone-verb/violating: plain
// conversions use strconv and the String method directly; fmt.Sprintf is
// kept for a real format with several verbs.
//
// gate:clean sprintf-lone-verb
package clean

import (
	"fmt"
	"strconv"
	"strings"
)

// UserKey is the cache key of a user id.
func UserKey(id int) string {
	return "user:" + strconv.Itoa(id)
}

// Labels renders metric labels as name=value pairs.
func Labels(names []string, values []fmt.Stringer) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(values[i].String())
	}
	return b.String()
}

// Describe is a real format: several verbs and text, fmt is the right tool.
func Describe(id int, name string) string {
	return fmt.Sprintf("user %d (%s)", id, name)
}
