// Package clean is the clean twin of replace-empty-old/violating: secrets
// that are not set are dropped when the redactor is built, so ReplaceAll
// never gets an empty "old" string.
//
// gate:clean replace-empty-old
package clean

import "strings"

const mask = "[redacted]"

// Redactor masks secrets in log lines.
type Redactor struct {
	secrets []string
}

// NewRedactor masks the given secrets, typically read from the environment;
// empty ones are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// Redact returns line with every secret masked.
func (r *Redactor) Redact(line string) string {
	for _, s := range r.secrets {
		line = strings.ReplaceAll(line, s, mask)
	}
	return line
}
