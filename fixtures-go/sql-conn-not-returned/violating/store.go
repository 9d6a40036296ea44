// Package violating breaks sql-conn-not-returned: FindByEmail scans the
// users table and returns as soon as it finds the match, without closing
// the Rows. An open Rows holds its connection, so every lookup that finds
// its user keeps one connection out of the pool for good: with
// SetMaxOpenConns the pool runs dry and later queries block forever,
// without it the database sees one more open connection per lookup.
package violating

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
	rows, err := s.DB.Query("SELECT id, email FROM users") // want: sql-conn-not-returned TestFindByEmail
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id, e string
		if err := rows.Scan(&id, &e); err != nil {
			return "", err
		}
		if e == email {
			return id, nil // rows still open: the connection is never returned
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", ErrNotFound
}
