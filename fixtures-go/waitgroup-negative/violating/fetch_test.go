package violating

// gate:fails TestFetchAll

import (
	"errors"
	"testing"
)

func TestFetchAll(t *testing.T) {
	errs := FetchAll([]string{"https://example.invalid/a"}, func(u string) error {
		return errors.New("unreachable: " + u)
	})
	if len(errs) != 1 || errs[0] == nil {
		t.Fatalf("errs = %v", errs)
	}
}
