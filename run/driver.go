// Package run executes rendered statements against a target: connection,
// lock, transaction, state table, progress. Drivers appear here and nowhere
// else, one file each.
package run

import (
	"context"
	"errors"
	"fmt"
	"sort"

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
	// Transactional says whether a run's statements commit together.
	Transactional() bool
}

// Session is an open target: one connection that every statement of a run
// uses (session settings and the transaction live on it), and the lock.
type Session struct {
	DB     *sqlx.DB
	Conn   *sqlx.Conn
	unlock func()
	// unlockAfterClose releases the lock only once the database is closed.
	unlockAfterClose bool
}

// Close releases the lock (if held) and the connection.
// The lock goes first, on the connection that holds it: a PostgreSQL
// advisory lock would otherwise live on until the server has ended the
// closed session, and a run started right after would find it held.
// A DuckDB file lock is the other way round: the database is closed first,
// so the next run that gets the lock can open the file.
func (s *Session) Close() error {
	if s.unlock != nil && !s.unlockAfterClose {
		s.unlock()
	}
	if s.Conn != nil {
		s.Conn.Close()
	}
	err := s.DB.Close()
	if s.unlock != nil && s.unlockAfterClose {
		s.unlock()
	}
	return err
}

var drivers = map[models.Dialect]Driver{}

func register(d models.Dialect, drv Driver) { drivers[d] = drv }

// engineFor is a target's dialect and driver.
func engineFor(t models.Target) (dialects.Dialect, Driver, error) {
	d, err := dialects.For(string(t.Dialect))
	if err != nil {
		return nil, nil, err
	}
	drv, err := driverFor(t)
	return d, drv, err
}

func driverFor(t models.Target) (Driver, error) {
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

// ErrModelChanged is an incremental run refused because the model differs
// from the one the outputs were built with (semantics §5). The command line
// exits 4 on it (semantics §6).
type ErrModelChanged struct {
	// RunID is the last successful run, whose model the outputs match.
	RunID int64
	// Change names the lines of the model that differ.
	Change string
}

func (e *ErrModelChanged) Error() string {
	return fmt.Sprintf("the model changed since run %d (%s); its outputs no longer match it, so an incremental run is refused: run with --full-refresh",
		e.RunID, e.Change)
}

// IsModelChanged reports whether err is (or wraps) an *ErrModelChanged.
func IsModelChanged(err error) bool {
	var c *ErrModelChanged
	return errors.As(err, &c)
}

// Open connects to a target to read it (no lock; DuckDB read-only), for
// commands such as export, status and report; while a run holds the target
// it is refused, or waits (WithWait). The caller closes the session.
func Open(ctx context.Context, m *models.Model, t models.Target) (*Session, dialects.Dialect, error) {
	return open(ctx, m, t, true)
}

// OpenToWrite connects to a target to write into it without a run's lock,
// for loaders such as the bench's. The caller closes the session.
func OpenToWrite(ctx context.Context, m *models.Model, t models.Target) (*Session, dialects.Dialect, error) {
	return open(ctx, m, t, false)
}

func open(ctx context.Context, m *models.Model, t models.Target, read bool) (_ *Session, _ dialects.Dialect, err error) {
	defer func() { err = redactErr(err, t.DSN) }()
	d, drv, err := engineFor(t)
	if err != nil {
		return nil, nil, err
	}
	var s *Session
	if read {
		s, err = openToRead(ctx, drv, t, m.Output.Schema)
	} else {
		s, err = drv.Open(ctx, t, m.Output.Schema, false)
	}
	if err != nil {
		return nil, nil, err
	}
	return s, d, nil
}

// Table is the quoted name of a table in the model's output schema.
func Table(d dialects.Dialect, m *models.Model, name string) string {
	return names{d, m.Output.Schema}.table(name)
}
