package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sessionize/sessionize/bench"
	"github.com/sessionize/sessionize/models"
)

func benchCmd(ctx context.Context, e env, args []string) error {
	fs := flags("bench", e)
	events := fs.Int("events", 1_000_000, "demo events to generate")
	repeat := fs.Int("repeat", 3, "times each measurement runs (the median is reported)")
	file := fs.String("f", "", "model whose --target supplies the engine and its settings (default: none)")
	target := fs.String("target", "", "with -f, a target of the model (default: its default_target); else duckdb (default), postgres or clickhouse (chdb, in-process); a comma-separated list benches each in turn over the same data and sets them side by side")
	dsn := fs.String("dsn", "", "PostgreSQL DSN for --target postgres (default $SESSIONIZE_BENCH_PG_DSN)")
	memLimit := fs.String("memory-limit", "", "DuckDB memory_limit, e.g. 2GB")
	threads := fs.Int("threads", 0, "DuckDB threads (default: DuckDB's own)")
	dir := fs.String("dir", "", "keep the work (model, DuckDB file, chdb directory) in this folder (default: a temporary one, removed)")
	seed := fs.Int64("seed", 1, "demo data seed")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
	lateWindows := fs.String("late-windows", "", "also measure an incremental run with each of these late_window values, e.g. 1h,3d,7d")
	noHandwritten := fs.Bool("no-handwritten", false, "skip the hand-written chain after each full run, and its ratio (at large sizes it doubles the time and disk)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *events <= 0 || *repeat <= 0 {
		return usageError{"bench: --events and --repeat must be positive"}
	}
	targets, err := benchTargets(*file, *target, *dsn)
	if err != nil {
		return err
	}
	if *memLimit != "" || *threads > 0 {
		duck := false
		for i := range targets {
			if targets[i].Dialect != models.DuckDB {
				continue
			}
			duck = true
			if *memLimit != "" {
				targets[i].MemoryLimit = *memLimit
			}
			if *threads > 0 {
				targets[i].Threads = *threads
			}
		}
		if !duck {
			return usageError{fmt.Sprintf("bench: --memory-limit and --threads are DuckDB settings; target %s is %s", bench.Label(targets[0]), targets[0].Dialect)}
		}
	}
	var windows []time.Duration
	if *lateWindows != "" {
		for _, v := range strings.Split(*lateWindows, ",") {
			d, err := models.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return usageError{fmt.Sprintf("bench: --late-windows: %v", err)}
			}
			windows = append(windows, d)
		}
	}
	opt := bench.Options{
		Events: *events, Repeat: *repeat, Seed: *seed, Dir: *dir, Progress: e.stderr,
		LateWindows: windows, NoHandwritten: *noHandwritten,
	}
	var report interface{ Print(io.Writer) }
	if len(targets) == 1 {
		opt.Target = targets[0]
		report, err = bench.Run(ctx, opt)
	} else {
		report, err = bench.Compare(ctx, opt, targets)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(report)
	}
	report.Print(e.stdout)
	return nil
}

// benchTargets are the targets named by --target, a comma-separated list
// (see benchTarget), each benched in turn over the same data.
func benchTargets(file, names, dsn string) ([]models.Target, error) {
	var ts []models.Target
	seen := map[string]bool{}
	for _, name := range strings.Split(names, ",") {
		t, err := benchTarget(file, strings.TrimSpace(name), dsn)
		if err != nil {
			return nil, err
		}
		l := bench.Label(t)
		if seen[l] {
			return nil, usageError{fmt.Sprintf("bench: target %s is given twice", l)}
		}
		seen[l] = true
		ts = append(ts, t)
	}
	return ts, nil
}

// benchTarget is the target to bench on: a target of the model with -f, or
// else a bare duckdb, postgres or clickhouse target. ClickHouse is chdb
// (in-process), in a new data directory of the bench's own; a -f target
// must be a chdb:// one too.
func benchTarget(file, name, dsn string) (models.Target, error) {
	if file != "" {
		_, t, err := loadModel(file, name)
		return t, err
	}
	switch models.DialectName(name) {
	case "", models.DuckDB:
		return models.Target{Name: "bench", Dialect: models.DuckDB}, nil
	case models.Postgres:
		if dsn == "" {
			dsn = os.Getenv("SESSIONIZE_BENCH_PG_DSN")
		}
		if dsn == "" {
			return models.Target{}, usageError{"bench: --target postgres needs --dsn or SESSIONIZE_BENCH_PG_DSN"}
		}
		return models.Target{Name: "bench", Dialect: models.Postgres, DSN: dsn}, nil
	case models.ClickHouse:
		if dsn != "" {
			return models.Target{}, usageError{"bench: --target clickhouse runs chdb in a data directory of its own (in --dir) and takes no --dsn"}
		}
		return models.Target{Name: "bench", Dialect: models.ClickHouse}, nil
	}
	return models.Target{}, usageError{fmt.Sprintf("bench: unknown target %q (want duckdb, postgres or clickhouse, or -f FILE with one of its targets)", name)}
}
