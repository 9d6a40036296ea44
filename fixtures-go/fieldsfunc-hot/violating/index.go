// Package violating breaks fieldsfunc-hot: Index splits every line of a
// document with strings.FieldsFunc, so each line allocates a fresh []string
// of its words (and, past 32 words, regrows FieldsFunc's internal span
// slice) only to be ranged over once and thrown away.
package violating

import (
	"strings"
	"unicode"
)

func separator(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// Index counts the terms of doc, line by line.
func Index(doc string) map[string]int {
	counts := make(map[string]int)
	for _, line := range strings.Split(doc, "\n") {
		for _, term := range strings.FieldsFunc(line, separator) { // want: fieldsfunc-hot TestIndex; fieldsfunc-hot TestIndexLongLine
			counts[term]++
		}
	}
	return counts
}
