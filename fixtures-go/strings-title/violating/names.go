// Package violating breaks strings-title: display names are capitalised
// with the deprecated strings.Title, which allocates a copy of the whole
// string and gets Unicode word boundaries wrong ("o'neil" -> "O'Neil").
package violating

import "strings"

// DisplayName turns a login such as "ada lovelace" into "Ada Lovelace".
func DisplayName(login string) string {
	return strings.Title(strings.ReplaceAll(login, "_", " ")) // want: strings-title TestDisplayName
}
