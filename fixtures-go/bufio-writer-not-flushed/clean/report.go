// Package clean is the clean twin of bufio-writer-not-flushed/violating:
// WriteReport flushes its bufio.Writer before returning and returns the
// error of the Flush, the write that really reaches the file or the
// connection.
//
// gate:clean bufio-writer-not-flushed
package clean

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
		if _, err := fmt.Fprintf(bw, "%s,%d,%.2f\n", d.Date, d.Orders, d.Revenue); err != nil {
			return err
		}
	}
	return bw.Flush()
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
