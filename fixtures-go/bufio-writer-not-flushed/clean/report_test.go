package clean

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var week = []Day{
	{"2024-03-04", 12, 310.50}, {"2024-03-05", 9, 214.00},
	{"2024-03-06", 15, 402.25}, {"2024-03-07", 11, 275.75},
	{"2024-03-08", 20, 530.10},
}

func TestWriteReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "week.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(f, week); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != len(week)+1 {
		t.Fatalf("%d lines, want %d", n, len(week)+1)
	}
}

func TestServeReport(t *testing.T) {
	srv := httptest.NewServer(ReportHandler(week))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), "date,orders,revenue\n") {
		t.Fatalf("status %d, body %q", resp.StatusCode, b)
	}
}
