// Package clean is the clean twin of exec-not-waited/violating: the hook
// runner still does not block the caller, but it keeps every started command
// and Close waits for them, which reaps the processes and releases their
// resources.
//
// gate:clean exec-not-waited
package clean

import (
	"errors"
	"os/exec"
	"sync"
)

// Hooks runs an external command on events.
type Hooks struct {
	Path string

	mu      sync.Mutex
	running []*exec.Cmd
}

// Notify starts the hook for event and returns at once.
func (h *Hooks) Notify(event string) error {
	cmd := exec.Command(h.Path, event)
	if err := cmd.Start(); err != nil {
		return err
	}
	h.mu.Lock()
	h.running = append(h.running, cmd)
	h.mu.Unlock()
	return nil
}

// Close waits for every hook started so far.
func (h *Hooks) Close() error {
	h.mu.Lock()
	running := h.running
	h.running = nil
	h.mu.Unlock()
	var errs []error
	for _, cmd := range running {
		errs = append(errs, cmd.Wait())
	}
	return errors.Join(errs...)
}
