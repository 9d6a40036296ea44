// Package violating breaks sprintf-lone-verb: a cache builds its keys and
// labels with fmt.Sprintf("%d", ...) and fmt.Sprintf("%s", ...), which parse
// a format and box the argument in an interface for a plain conversion.
package violating

import (
	"fmt"
	"strings"
)

// UserKey is the cache key of a user id.
func UserKey(id int) string {
	return "user:" + fmt.Sprintf("%d", id) // want: sprintf-lone-verb TestUserKeys
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
		b.WriteString(fmt.Sprintf("%s", values[i])) // want: sprintf-lone-verb TestLabels
	}
	return b.String()
}
