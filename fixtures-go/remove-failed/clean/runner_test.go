package clean

import (
	"fmt"
	"os"
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
		if err := r.Finish(j); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(out, "done"); got != 3 {
			t.Fatalf("job %d: %d steps done, want 3", i, got)
		}
	}
	left, err := os.ReadDir(r.Root)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("%d workspaces left behind", len(left))
	}
}
