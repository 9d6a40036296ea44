// Package violating breaks template-parse-per-call: Greeting parses its
// template on every call, so every request pays for lexing and parsing
// (and html/template's escaping analysis) before it renders a byte.
package violating

import (
	"html/template"
	"io"
)

const greetingSrc = `<p>Hello, {{.Name}}! You have {{len .Messages}} new messages.</p>
{{range .Messages}}<li>{{.}}</li>{{end}}`

// Page is the data of the greeting page.
type Page struct {
	Name     string
	Messages []string
}

// Greeting renders the greeting page for p.
func Greeting(w io.Writer, p Page) error {
	t, err := template.New("greeting").Parse(greetingSrc) // want: template-parse-per-call TestGreeting
	if err != nil {
		return err
	}
	return t.Execute(w, p)
}
