// Package clean is the clean twin of url-query-reparsed/violating: the query
// is parsed once and every filter is read from the map.
//
// gate:clean url-query-reparsed
package clean

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
	q := r.URL.Query()
	var set []string
	for _, name := range filterNames {
		if v := q.Get(name); v != "" {
			set = append(set, name+"="+v)
		}
	}
	sort.Strings(set)
	fmt.Fprint(w, strings.Join(set, "&"))
}
