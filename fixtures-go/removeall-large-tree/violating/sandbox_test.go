package violating

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// actionInputs returns the inputs of one compile action: a toolchain of
// 2,400 headers every action needs and 100 sources of its own, linked from
// a handful of real files.
func actionInputs(srcs []string, action int) map[string]string {
	in := map[string]string{}
	for i := 0; i < 2400; i++ {
		in[fmt.Sprintf("toolchain/pkg%02d/h%03d.h", i/100, i%100)] = srcs[i%len(srcs)]
	}
	for i := 0; i < 100; i++ {
		in[fmt.Sprintf("src/a%d/f%03d.go", action, i)] = srcs[i%len(srcs)]
	}
	return in
}

func sources(t *testing.T) []string {
	dir := t.TempDir()
	var srcs []string
	for i := 0; i < 20; i++ {
		p := filepath.Join(dir, fmt.Sprintf("blob%02d", i))
		if err := os.WriteFile(p, []byte("// generated\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, p)
	}
	return srcs
}

func TestRun(t *testing.T) {
	srcs := sources(t)
	s := &Sandbox{Dir: t.TempDir()}
	for a := 0; a < 4; a++ {
		rel := fmt.Sprintf("src/a%d/f007.go", a)
		err := s.Run(actionInputs(srcs, a), func(dir string) error {
			_, err := os.Stat(filepath.Join(dir, rel))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	left, err := os.ReadDir(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Fatalf("%d sandboxes left behind", len(left))
	}
}
