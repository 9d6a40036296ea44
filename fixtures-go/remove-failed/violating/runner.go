// Package violating breaks remove-failed: Runner.Finish removes a job's
// workspace with os.Remove, which removes a file or an empty directory only.
// The job's output files are still in it, so rmdir fails with ENOTEMPTY,
// Finish drops the error, and every finished job leaves its workspace (and
// whatever the job wrote there) on disk.
package violating

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Runner runs jobs, each in its own workspace directory under Root.
type Runner struct {
	Root string
}

// Job is one run of a list of steps.
type Job struct {
	ID  string
	Dir string
}

// Start creates the job's workspace.
func (r *Runner) Start(id string) (*Job, error) {
	dir := filepath.Join(r.Root, "job-"+id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	return &Job{ID: id, Dir: dir}, nil
}

// Run executes the steps, writing each one's log into the workspace, and
// returns the combined output.
func (j *Job) Run(steps []string) (string, error) {
	var out strings.Builder
	for i, s := range steps {
		line := fmt.Sprintf("%s: %s done\n", j.ID, s)
		name := filepath.Join(j.Dir, fmt.Sprintf("step-%02d.log", i))
		if err := os.WriteFile(name, []byte(line), 0o600); err != nil {
			return "", err
		}
		out.WriteString(line)
	}
	return out.String(), nil
}

// Finish cleans up the job's workspace.
func (r *Runner) Finish(j *Job) {
	os.Remove(j.Dir) // want: remove-failed TestRunJobs
}
