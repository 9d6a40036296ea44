package violating

import (
	"fmt"
	"strings"
	"testing"
)

func TestRunJobs(t *testing.T) {
	r := &Runner{Root: t.TempDir()}
	for i := 0; i < 3; i++ {
		j, err := r.Start(fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		out, err := j.Run([]string{"fetch", "build", "test"})
		if err != nil {
			t.Fatal(err)
		}
		r.Finish(j)
		if got := strings.Count(out, "done"); got != 3 {
			t.Fatalf("job %d: %d steps done, want 3", i, got)
		}
	}
}
