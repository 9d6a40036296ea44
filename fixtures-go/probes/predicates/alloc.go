package predicates

import "fmt"

// Labels formats n labels with fmt.Sprintf: each call allocates its result.
func Labels(n int) []string {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("item-%d", i))
	}
	return out
}
