// Package violating breaks parsequery-huge: a webhook handler reads the whole
// form-encoded body, however large, and parses it with url.ParseQuery.
package violating

import (
	"io"
	"net/url"
)

// ParseForm reads a form-encoded body and parses it.
func ParseForm(body io.Reader) (url.Values, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	return url.ParseQuery(string(data)) // want: parsequery-huge TestParseForm
}
