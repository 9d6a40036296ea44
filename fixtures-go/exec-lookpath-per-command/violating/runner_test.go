package violating

import (
	"strconv"
	"testing"
)

func TestRunJobs(t *testing.T) {
	r := &Runner{Tool: "true"}
	for i := 0; i < 150; i++ {
		if err := r.Run("job-" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
}
