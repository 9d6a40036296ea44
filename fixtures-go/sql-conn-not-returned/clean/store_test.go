package clean

import (
	"database/sql"
	"testing"
)

func TestFindByEmail(t *testing.T) {
	db, err := sql.Open("gate-fixture-clean-users", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &Store{DB: db}
	for _, c := range []struct{ email, id string }{
		{"grace@example.com", "2"},
		{"ken@example.com", "4"},
		{"ada@example.com", "1"},
	} {
		id, err := s.FindByEmail(c.email)
		if err != nil || id != c.id {
			t.Fatalf("FindByEmail(%q) = %q, %v; want %q", c.email, id, err, c.id)
		}
	}
	if _, err := s.FindByEmail("nobody@example.com"); err != ErrNotFound {
		t.Fatalf("missing user: err = %v", err)
	}
	t.Logf("open connections: %d", db.Stats().OpenConnections)
}
