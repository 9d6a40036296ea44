// Package violating breaks bufio-writer-not-flushed: the sales report is
// written through a bufio.Writer and the function returns without Flush.
// Whatever is still in the buffer (the whole report when it is under 4 KiB,
// the tail of it otherwise) never reaches the file or the HTTP response, and
// no error says so.
package violating

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
)

// Day is one line of the report.
type Day struct {
	Date    string
	Orders  int
	Revenue float64
}

// WriteReport writes days as CSV to w.
func WriteReport(w io.Writer, days []Day) error {
	bw := bufio.NewWriter(w)
	if _, err := fmt.Fprintln(bw, "date,orders,revenue"); err != nil {
		return err
	}
	for _, d := range days {
		if _, err := fmt.Fprintf(bw, "%s,%d,%.2f\n", d.Date, d.Orders, d.Revenue); err != nil { // want: bufio-writer-not-flushed TestWriteReport; bufio-writer-not-flushed TestServeReport
			return err
		}
	}
	return nil
}

// ReportHandler serves the report for days as text/csv.
func ReportHandler(days []Day) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		if err := WriteReport(w, days); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}
