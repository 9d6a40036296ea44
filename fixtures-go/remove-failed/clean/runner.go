// Package clean is remove-failed's clean twin: Runner.Finish removes a job's
// workspace with os.RemoveAll, which deletes the job's output files first,
// and returns the error if the workspace could not be removed.
//
// gate:clean remove-failed
package clean

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

// Finish removes the job's workspace and everything in it.
func (r *Runner) Finish(j *Job) error {
	if err := os.RemoveAll(j.Dir); err != nil {
		return fmt.Errorf("job %s: clean up workspace: %w", j.ID, err)
	}
	return nil
}
