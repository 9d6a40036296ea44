package violating

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
}

func TestServeReport(t *testing.T) {
	srv := httptest.NewServer(ReportHandler(week))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
