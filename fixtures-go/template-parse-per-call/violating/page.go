// Package violating breaks template-parse-per-call: Greeting parses its
// template on every call, so every request pays for lexing and parsing
// (and html/template's escaping analysis) before it renders a byte.
package violating

import (
	"html/template"
	"io"
)

const greetingSrc = `<p class="greeting">Hello, {{.Name}}! Your inbox holds {{len .Messages}} new messages.</p>
<ul class="messages">
{{- range .Messages}}
  <li class="message"><span>{{.}}</span>
    </li>
{{- end}}
</ul>
<footer>See you soon.</footer>`

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
