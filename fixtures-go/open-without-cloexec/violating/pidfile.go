// Package violating breaks open-without-cloexec: ReadPID opens the pid file
// with the raw syscall.Open and no O_CLOEXEC, so the descriptor is inherited
// by every process the program starts while it is open.
package violating

import (
	"strconv"
	"strings"
	"syscall"
)

// ReadPID returns the process id stored in the pid file at path.
func ReadPID(path string) (int, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY, 0) // want: open-without-cloexec TestReadPID
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	var buf [32]byte
	n, err := syscall.Read(fd, buf[:])
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(buf[:n])))
}
