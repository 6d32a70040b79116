package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sessionize/sessionize/models"
)

type waitKey struct{}

// WithWait makes the commands that read a target (status, export, report)
// started with ctx wait up to d for a run that holds it (DuckDB, chdb),
// where without it they are refused at once.
func WithWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, waitKey{}, d)
}

// waitFrom is the wait WithWait gave ctx, or zero.
func waitFrom(ctx context.Context) time.Duration {
	d, _ := ctx.Value(waitKey{}).(time.Duration)
	return d
}

// Reader is a driver with a way of its own to open a target only to read
// it (DuckDB: read-only, beside other readers).
type Reader interface {
	OpenToRead(ctx context.Context, t models.Target, schema string) (*Session, error)
}

// Checker is a driver that opens a target its own way to check the model
// against it before a run (run.Check): DuckDB without creating the file.
type Checker interface {
	OpenToCheck(ctx context.Context, t models.Target, schema string) (*Session, error)
}

// Builder is a driver that can tell, without opening it, that a target was
// never built (run.Verify): opening it with the lock would create it.
type Builder interface {
	Built(t models.Target) error
}

// readPoll is how often a reader that waits tries again.
const readPoll = 200 * time.Millisecond

// OpenToRead opens a target to read it, read-only where the driver can.
// While a run holds the target (the driver refuses with an *ErrRefused) it
// tries again until the wait WithWait gave ctx is over; without a wait, or
// after it, the refusal says who holds the target and how to wait for it.
func OpenToRead(ctx context.Context, drv Driver, t models.Target, schema string) (*Session, error) {
	open := func() (*Session, error) { return drv.Open(ctx, t, schema, false) }
	if r, ok := drv.(Reader); ok {
		open = func() (*Session, error) { return r.OpenToRead(ctx, t, schema) }
	}
	wait := waitFrom(ctx)
	deadline := time.Now().Add(wait)
	for {
		s, err := open()
		var refused *ErrRefused
		if err == nil || !errors.As(err, &refused) {
			return s, err
		}
		if !time.Now().Add(readPoll).Before(deadline) {
			if wait > 0 {
				return nil, &ErrRefused{Reason: fmt.Sprintf("%s; still so after waiting %s", refused.Reason, wait)}
			}
			return nil, &ErrRefused{Reason: refused.Reason + "; try again when it has finished, or wait for it with --wait (e.g. --wait 10m)"}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(readPoll):
		}
	}
}
