// Package clean is the clean twin of bufio-reader-small-buffer/violating: the
// default 4 KiB buffer (bufio.NewReader) holds dozens of lines per refill.
//
// gate:clean bufio-reader-small-buffer
package clean

import (
	"bufio"
	"io"
	"strings"
)

// CountErrors counts the lines of a log that contain "ERROR".
func CountErrors(r io.Reader) (int, error) {
	br := bufio.NewReader(r) // 4096 bytes; bufio.NewReaderSize(r, 64<<10) for bulk input
	n := 0
	for {
		line, err := br.ReadString('\n')
		if strings.Contains(line, "ERROR") {
			n++
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
