// Package clean is the clean twin of symlink-loop-stat/violating: Collect
// still follows symbolic links to directories, but enters each real
// directory once (it keys the directories it has entered by the path
// filepath.EvalSymlinks resolves them to), so a link back to an ancestor
// is noticed at the first step and never followed around the loop.
//
// gate:clean symlink-loop-stat
package clean

import (
	"os"
	"path/filepath"
)

// Collect returns the *.conf files below dir, following symbolic links.
func Collect(dir string) ([]string, error) {
	c := collector{seen: map[string]bool{}}
	err := c.collect(dir)
	return c.out, err
}

type collector struct {
	seen map[string]bool
	out  []string
}

func (c *collector) collect(dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if c.seen[real] {
		return nil
	}
	c.seen[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			continue // a dangling link: nothing to include
		}
		if fi.IsDir() {
			if err := c.collect(p); err != nil {
				return err
			}
		} else if filepath.Ext(p) == ".conf" {
			c.out = append(c.out, p)
		}
	}
	return nil
}
