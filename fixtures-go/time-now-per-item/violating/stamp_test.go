package violating

import "testing"

func TestImport(t *testing.T) {
	ids := make([]int, 20000)
	for i := range ids {
		ids[i] = i
	}
	recs := Import(ids)
	if len(recs) != len(ids) || recs[0].Imported.IsZero() {
		t.Fatalf("Import: %d records", len(recs))
	}
}
