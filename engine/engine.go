// Package engine is what sessionize needs of each SQL engine beyond the
// SQL itself (which package dialects writes): connecting to a target,
// guarding it with a lock, reading it beside a run, loading tables into it,
// and the errors that say why not. Each engine is a package of its own
// (engine/duckdb, engine/postgres, engine/clickhouse) that registers its
// Driver; nothing else imports a database driver.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// Driver connects to one kind of engine and guards a target with a lock.
type Driver interface {
	// Open connects to the target. With lock it first takes the target's run
	// lock without waiting, and returns an *ErrRefused naming the holder when
	// another run has it; Session.Close releases it.
	Open(ctx context.Context, t models.Target, schema string, lock bool) (*Session, error)
}

// Session is an open target: one connection that every statement of a run
// uses (session settings and the transaction live on it), and the lock.
type Session struct {
	DB   *sqlx.DB
	Conn *sqlx.Conn
	// Unlock releases the lock the session holds, nil for none.
	Unlock func()
	// UnlockAfterClose releases the lock only once the database is closed.
	UnlockAfterClose bool
}

// Close releases the lock (if held) and the connection.
// The lock goes first, on the connection that holds it: a PostgreSQL
// advisory lock would otherwise live on until the server has ended the
// closed session, and a run started right after would find it held.
// A DuckDB file lock is the other way round: the database is closed first,
// so the next run that gets the lock can open the file.
func (s *Session) Close() error {
	if s.Unlock != nil && !s.UnlockAfterClose {
		s.Unlock()
	}
	if s.Conn != nil {
		s.Conn.Close()
	}
	err := s.DB.Close()
	if s.Unlock != nil && s.UnlockAfterClose {
		s.Unlock()
	}
	return err
}

var drivers = map[models.DialectName]Driver{}

// Register makes a driver the one for targets of dialect d; each engine
// package registers its own when it is imported.
func Register(d models.DialectName, drv Driver) { drivers[d] = drv }

// For is a target's dialect and driver.
func For(t models.Target) (dialects.Dialect, Driver, error) {
	d, err := dialects.For(string(t.Dialect))
	if err != nil {
		return nil, nil, err
	}
	drv, err := DriverFor(t)
	return d, drv, err
}

// DriverFor is a target's driver, or an error naming the ones built in.
func DriverFor(t models.Target) (Driver, error) {
	drv, ok := drivers[t.Dialect]
	if !ok {
		var have []string
		for d := range drivers {
			have = append(have, string(d))
		}
		sort.Strings(have)
		return nil, fmt.Errorf("target %s: dialect %s is not built into this binary (have %v)", t.Name, t.Dialect, have)
	}
	return drv, nil
}

// ErrRefused is a run the target refused because another run holds its
// lock. The command line exits 3 on it (semantics §6).
type ErrRefused struct{ Reason string }

func (e *ErrRefused) Error() string { return e.Reason }

// IsRefused reports whether err is (or wraps) an *ErrRefused.
func IsRefused(err error) bool {
	var r *ErrRefused
	return errors.As(err, &r)
}

// IsMissingTable reports whether err says a table (or schema) does not
// exist, in the words of any of the engines.
func IsMissingTable(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "does not exist") || strings.Contains(msg, "doesn't exist") ||
		strings.Contains(msg, "unknown table") || strings.Contains(msg, "not found")
}

// TargetError is err of target t, its secrets masked.
func TargetError(t models.Target, err error) error {
	return fmt.Errorf("target %s: %w", t.Name, RedactErr(err, t.DSN))
}
