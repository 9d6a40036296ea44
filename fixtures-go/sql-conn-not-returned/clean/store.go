// Package clean is the fixed twin of sql-conn-not-returned: FindByEmail
// closes its Rows with defer, so the connection goes back to the pool on
// every return path, the early one included.
//
// gate:clean sql-conn-not-returned
package clean

import (
	"database/sql"
	"errors"
)

// ErrNotFound is returned when no user has the email.
var ErrNotFound = errors.New("user not found")

// Store looks users up in a database.
type Store struct {
	DB *sql.DB
}

// FindByEmail returns the id of the user with the given email.
func (s *Store) FindByEmail(email string) (string, error) {
	rows, err := s.DB.Query("SELECT id, email FROM users")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var id, e string
		if err := rows.Scan(&id, &e); err != nil {
			return "", err
		}
		if e == email {
			return id, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", ErrNotFound
}
