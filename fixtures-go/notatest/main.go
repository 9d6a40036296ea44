// Command notatest is a Go program without tests: gate must refuse its
// binary (exit 3) and skip its package, with a note, in a pattern.
package main

import "fmt"

func main() { fmt.Println("not a test binary") }
