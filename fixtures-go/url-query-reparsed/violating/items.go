// Package violating breaks url-query-reparsed: the list handler reads each
// filter with r.URL.Query().Get, parsing the whole query once per filter.
package violating

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

var filterNames = []string{
	"owner", "status", "label", "milestone", "assignee", "author",
	"since", "until", "sort", "order", "page", "per_page",
}

// ListItems answers the filters it was given, sorted.
func ListItems(w http.ResponseWriter, r *http.Request) {
	var set []string
	for _, name := range filterNames {
		if v := r.URL.Query().Get(name); v != "" { // want: url-query-reparsed TestListItems
			set = append(set, name+"="+v)
		}
	}
	sort.Strings(set)
	fmt.Fprint(w, strings.Join(set, "&"))
}
