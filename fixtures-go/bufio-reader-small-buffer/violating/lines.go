// Package violating breaks bufio-reader-small-buffer: a log scanner reads its
// input through a 128-byte bufio.Reader "to save memory", so every long line
// takes several refills, each a Read call on the underlying reader.
package violating

import (
	"bufio"
	"io"
	"strings"
)

// CountErrors counts the lines of a log that contain "ERROR".
func CountErrors(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 128)
	n := 0
	for {
		line, err := br.ReadString('\n') // want: bufio-reader-small-buffer TestCountErrors
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
