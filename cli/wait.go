package cli

import (
	"context"
	"flag"
	"time"

	"github.com/sessionize/sessionize/run"
)

// waitFlag adds --wait to a command that reads a target (status, export,
// report): a DuckDB or chdb target a run holds is refused at once (exit 3),
// or, with --wait, read once the run has finished.
func waitFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("wait", 0, "wait up to this long (e.g. 10m) for a run that holds the target, instead of exiting 3 at once")
}

// withWait gives ctx the wait of --wait.
func withWait(ctx context.Context, wait *time.Duration) context.Context {
	if *wait <= 0 {
		return ctx
	}
	return run.WithWait(ctx, *wait)
}
