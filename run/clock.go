package run

import (
	"context"
	"time"
)

type clockKey struct{}

// WithClock makes the runs started with ctx start at the given time instead
// of at the engine's clock. A run's start is the most a table's watermark
// may reach (semantics §5); tests give it to run load times ahead of the clock.
func WithClock(ctx context.Context, start time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, start)
}

// clockFrom is the start WithClock gave ctx, or zero: the engine's clock.
func clockFrom(ctx context.Context) time.Time {
	t, _ := ctx.Value(clockKey{}).(time.Time)
	return t
}
