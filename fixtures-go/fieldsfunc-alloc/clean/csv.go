// Package clean is the clean twin of fieldsfunc-alloc/violating: SumLine
// walks the fields in place with strings.IndexFunc, allocating nothing
// (strings.FieldsFuncSeq, Go 1.24, does the same as an iterator).
//
// gate:clean fieldsfunc-alloc
package clean

import (
	"strconv"
	"strings"
)

func isSep(r rune) bool { return r == ',' || r == ' ' || r == ';' }

func notSep(r rune) bool { return !isSep(r) }

// SumLine returns the sum of the integers in line, separated by commas,
// semicolons or spaces.
func SumLine(line string) (int, error) {
	sum := 0
	for {
		start := strings.IndexFunc(line, notSep)
		if start < 0 {
			return sum, nil
		}
		line = line[start:]
		end := strings.IndexFunc(line, isSep)
		if end < 0 {
			end = len(line)
		}
		n, err := strconv.Atoi(line[:end])
		if err != nil {
			return 0, err
		}
		sum += n
		line = line[end:]
	}
}
