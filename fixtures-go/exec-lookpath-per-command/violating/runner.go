// Package violating breaks exec-lookpath-per-command: a job runner passes the
// bare tool name to exec.Command for every job, so each job searches $PATH
// again (a stat of every PATH entry until the tool is found).
package violating

import "os/exec"

// Runner runs one external tool per job.
type Runner struct {
	Tool string
}

// Run runs the tool with the job's arguments.
func (r *Runner) Run(args ...string) error {
	return exec.Command(r.Tool, args...).Run() // want: exec-lookpath-per-command TestRunJobs
}
