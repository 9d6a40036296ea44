// Package clean is the clean twin of fieldsfunc-hot/violating: Index walks
// each line's terms in place with strings.IndexFunc, so no slice of fields
// is built per line.
//
// gate:clean fieldsfunc-hot
package clean

import (
	"strings"
	"unicode"
)

func separator(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func inTerm(r rune) bool { return !separator(r) }

// Index counts the terms of doc, line by line.
func Index(doc string) map[string]int {
	counts := make(map[string]int)
	for _, line := range strings.Split(doc, "\n") {
		for {
			start := strings.IndexFunc(line, inTerm)
			if start < 0 {
				break
			}
			line = line[start:]
			end := strings.IndexFunc(line, separator)
			if end < 0 {
				end = len(line)
			}
			counts[line[:end]]++
			line = line[end:]
		}
	}
	return counts
}
