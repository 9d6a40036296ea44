// Package clean is the clean twin of open-without-cloexec/violating: ReadPID
// opens the pid file with os.Open, which always sets O_CLOEXEC, so no child
// process inherits the descriptor.
//
// gate:clean open-without-cloexec
package clean

import (
	"io"
	"os"
	"strconv"
	"strings"
)

// ReadPID returns the process id stored in the pid file at path.
func ReadPID(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 32))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
