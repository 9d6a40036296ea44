package clean

import (
	"strconv"
	"testing"
)

func TestRunJobs(t *testing.T) {
	r, err := NewRunner("true")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 150; i++ {
		if err := r.Run("job-" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
}
