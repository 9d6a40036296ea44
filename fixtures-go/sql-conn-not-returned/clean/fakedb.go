package clean

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// usersDriver is a minimal in-memory database/sql driver: every query
// returns the same table of users (id, email).
type usersDriver struct{}

var users = [][2]string{
	{"1", "ada@example.com"},
	{"2", "grace@example.com"},
	{"3", "linus@example.com"},
	{"4", "ken@example.com"},
}

func init() { sql.Register("gate-fixture-clean-users", usersDriver{}) }

func (usersDriver) Open(string) (driver.Conn, error) { return &usersConn{}, nil }

type usersConn struct{}

func (*usersConn) Prepare(query string) (driver.Stmt, error) { return usersStmt{}, nil }
func (*usersConn) Close() error                              { return nil }
func (*usersConn) Begin() (driver.Tx, error)                 { return nil, errors.New("no transactions") }

type usersStmt struct{}

func (usersStmt) Close() error  { return nil }
func (usersStmt) NumInput() int { return -1 }
func (usersStmt) Exec([]driver.Value) (driver.Result, error) {
	return nil, errors.New("read-only")
}
func (usersStmt) Query([]driver.Value) (driver.Rows, error) { return &usersRows{}, nil }

type usersRows struct{ i int }

func (*usersRows) Columns() []string { return []string{"id", "email"} }
func (*usersRows) Close() error      { return nil }
func (r *usersRows) Next(dest []driver.Value) error {
	if r.i >= len(users) {
		return io.EOF
	}
	dest[0], dest[1] = users[r.i][0], users[r.i][1]
	r.i++
	return nil
}
