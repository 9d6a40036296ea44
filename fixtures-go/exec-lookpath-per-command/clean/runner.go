// Package clean is the clean twin of exec-lookpath-per-command/violating: the
// tool is resolved once when the runner is made, and every job runs the
// resolved path, which exec.Command does not look up again.
//
// gate:clean exec-lookpath-per-command
package clean

import "os/exec"

// Runner runs one external tool per job.
type Runner struct {
	path string
}

// NewRunner resolves the tool in $PATH once.
func NewRunner(tool string) (*Runner, error) {
	path, err := exec.LookPath(tool)
	if err != nil {
		return nil, err
	}
	return &Runner{path: path}, nil
}

// Run runs the tool with the job's arguments.
func (r *Runner) Run(args ...string) error {
	return exec.Command(r.path, args...).Run()
}
