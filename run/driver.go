// Package run executes rendered statements against a target: the step
// loop, the runs and watermarks tables, progress; and what commands read of
// a target (export, status, summary, verify). The engines themselves are
// packages of their own (engine/...), imported here so that every binary
// that runs models has them.
package run

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	_ "github.com/sessionize/sessionize/engine/clickhouse" // registers its driver
	_ "github.com/sessionize/sessionize/engine/duckdb"     // registers its driver
	_ "github.com/sessionize/sessionize/engine/postgres"   // registers its driver
	"github.com/sessionize/sessionize/models"
)

// The engine package's types, under the names callers of run know.
type (
	// Session is an open target (engine.Session).
	Session = engine.Session
	// ErrRefused is a refusal by a target's lock (engine.ErrRefused).
	ErrRefused = engine.ErrRefused
	// TableCopy is one table for CopyTables (engine.TableCopy).
	TableCopy = engine.TableCopy
)

// IsRefused reports whether err is (or wraps) an *ErrRefused.
func IsRefused(err error) bool { return engine.IsRefused(err) }

// WithWait makes the commands that read a target (status, export, report)
// started with ctx wait up to d for a run that holds it (engine.WithWait).
func WithWait(ctx context.Context, d time.Duration) context.Context { return engine.WithWait(ctx, d) }

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
	defer func() { err = engine.RedactErr(err, t.DSN) }()
	d, drv, err := engine.For(t)
	if err != nil {
		return nil, nil, err
	}
	var s *Session
	if read {
		s, err = engine.OpenToRead(ctx, drv, t, m.Output.Schema)
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
