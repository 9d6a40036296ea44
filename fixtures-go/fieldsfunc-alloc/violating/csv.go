// Package violating breaks fieldsfunc-alloc: SumLine splits every input
// line with strings.FieldsFunc, which allocates the slice of fields (and
// its own bookkeeping) per line, only to read each field once.
package violating

import (
	"strconv"
	"strings"
)

func isSep(r rune) bool { return r == ',' || r == ' ' || r == ';' }

// SumLine returns the sum of the integers in line, separated by commas,
// semicolons or spaces.
func SumLine(line string) (int, error) {
	sum := 0
	for _, f := range strings.FieldsFunc(line, isSep) { // want: fieldsfunc-alloc TestSumLine
		n, err := strconv.Atoi(f)
		if err != nil {
			return 0, err
		}
		sum += n
	}
	return sum, nil
}
