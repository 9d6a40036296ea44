// Package violating breaks replace-empty-old: a log redactor masks every
// configured secret with strings.ReplaceAll, and a secret that is not set
// (an empty environment variable) becomes an empty "old" string. Go does not
// loop forever on it: it inserts the mask before every rune, so each line
// grows to (runes+1) x len(mask) bytes.
package violating

import "strings"

const mask = "[redacted]"

// Redactor masks secrets in log lines.
type Redactor struct {
	secrets []string
}

// NewRedactor masks the given secrets, typically read from the environment.
func NewRedactor(secrets ...string) *Redactor {
	return &Redactor{secrets: secrets}
}

// Redact returns line with every secret masked.
func (r *Redactor) Redact(line string) string {
	for _, s := range r.secrets {
		line = strings.ReplaceAll(line, s, mask) // want: replace-empty-old TestRedactUnsetSecret
	}
	return line
}
