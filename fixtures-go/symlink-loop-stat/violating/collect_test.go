package violating

import (
	"os"
	"path/filepath"
	"testing"
)

// layout builds root/{app.conf, conf.d/10-db.conf, conf.d/shared ->
// ../../shared, conf.d/all -> ..} with shared/log.conf beside root.
func layout(t *testing.T) string {
	base := t.TempDir()
	root := filepath.Join(base, "etc")
	for _, d := range []string{filepath.Join(root, "conf.d"), filepath.Join(base, "shared")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"etc/app.conf", "etc/conf.d/10-db.conf", "shared/log.conf"} {
		if err := os.WriteFile(filepath.Join(base, f), []byte("x = 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../../shared", filepath.Join(root, "conf.d", "shared")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(root, "conf.d", "all")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestCollect(t *testing.T) {
	root := layout(t)
	files, err := Collect(root)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range files {
		found[filepath.Base(f)] = true
	}
	for _, want := range []string{"app.conf", "10-db.conf", "log.conf"} {
		if !found[want] {
			t.Errorf("%s not collected", want)
		}
	}
	t.Logf("%d files collected", len(files))
}
