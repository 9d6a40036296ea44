// Package violating breaks file-create-permissive: a CLI caches its session
// token with os.Create, which asks for mode 0666, so under the usual umask 022
// the token file is readable by every user of the machine.
package violating

import (
	"os"
	"path/filepath"
)

// SaveToken writes the session token into dir.
func SaveToken(dir, token string) (string, error) {
	path := filepath.Join(dir, "session-token")
	f, err := os.Create(path) // want: file-create-permissive TestSaveToken
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(token); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
