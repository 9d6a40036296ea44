// Package violating breaks exec-not-waited: a hook runner starts the
// configured command for each event and returns without waiting, so a slow
// hook cannot stall the caller. Nothing ever calls Wait: every finished hook
// stays a zombie process, and its pipes and the Process stay allocated.
package violating

import "os/exec"

// Hooks runs an external command on events.
type Hooks struct {
	Path string
}

// Notify starts the hook for event and returns at once.
func (h *Hooks) Notify(event string) error {
	cmd := exec.Command(h.Path, event)
	return cmd.Start() // want: exec-not-waited TestNotify
}
