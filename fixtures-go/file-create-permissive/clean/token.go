// Package clean is the clean twin of file-create-permissive/violating: the
// token file is created with mode 0600, readable by its owner only.
//
// gate:clean file-create-permissive
package clean

import (
	"os"
	"path/filepath"
)

// SaveToken writes the session token into dir.
func SaveToken(dir, token string) (string, error) {
	path := filepath.Join(dir, "session-token")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(token); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
