// Package clean is the clean twin of parsequery-huge/violating: the body is
// read through a limit, and a form larger than it is refused before parsing.
//
// gate:clean parsequery-huge
package clean

import (
	"errors"
	"io"
	"net/url"
)

const maxForm = 64 << 10

// ErrTooLarge is returned for a form over 64 KiB.
var ErrTooLarge = errors.New("form too large")

// ParseForm reads a form-encoded body and parses it.
func ParseForm(body io.Reader) (url.Values, error) {
	data, err := io.ReadAll(io.LimitReader(body, maxForm+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxForm {
		return nil, ErrTooLarge
	}
	return url.ParseQuery(string(data))
}
