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

var greeting = template.Must(template.New("greeting").Parse(
	`<p>Hello, {{.Name}}! You have {{len .Messages}} new messages.</p>
{{range .Messages}}<li>{{.}}</li>{{end}}`))

// Page is the data of the greeting page.
type Page struct {
	Name     string
	Messages []string
}

// Greeting renders the greeting page for p.
func Greeting(w io.Writer, p Page) error {
	return greeting.Execute(w, p)
}
