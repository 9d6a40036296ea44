// Package clean is the clean twin of template-parse-per-call/violating:
// the template is parsed once, when the package is initialised, and every
// call only executes it.
//
// gate:clean template-parse-per-call
package clean

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

// Parsed once, when the package is initialised.
var greeting = template.Must(template.New("greeting").Parse(greetingSrc))

// Page is the data of the greeting page.
type Page struct {
	Name     string
	Messages []string
}

// Greeting renders the greeting page for p.
func Greeting(w io.Writer, p Page) error {
	return greeting.Execute(w, p)
}
