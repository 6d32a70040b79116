package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/demo"
	"github.com/sessionize/sessionize/models"
	htmlreport "github.com/sessionize/sessionize/report"
	"github.com/sessionize/sessionize/run"
)

func demoCmd(ctx context.Context, e env, args []string) error {
	fs := flags("demo", e)
	events := fs.Int("events", 100000, "number of synthetic events to generate")
	dir := fs.String("dir", "sessionize-demo", "folder for the data, the model and the outputs")
	seed := fs.Int64("seed", 1, "random seed (same seed, same data)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *events <= 0 {
		return usageError{"demo: --events must be positive"}
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(*dir, "demo.duckdb")
	for _, p := range []string{dbPath, dbPath + ".wal"} {
		os.Remove(p)
	}
	start := time.Now()
	stats, err := generate(ctx, dbPath, demo.Options{Events: *events, Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d events (%d duplicates, %d bad rows, %d from crawlers) and %d identifies for %d people to %s in %.1fs\n",
		stats.Events, stats.Duplicates, stats.BadRows, stats.Bots, stats.Identifies, stats.People, dbPath, time.Since(start).Seconds())

	modelPath := filepath.Join(*dir, "sessions.yaml")
	if err := os.WriteFile(modelPath, []byte(demo.ModelYAML("demo.duckdb")), 0o644); err != nil {
		return err
	}
	m, err := models.Load(modelPath)
	if err != nil {
		return err
	}
	t, err := m.Target("")
	if err != nil {
		return err
	}
	r, err := run.Run(ctx, m, run.Options{Target: t, FullRefresh: true, Progress: e.stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "ran the model in %.2fs (%.0f events/s)\n\n", r.Seconds, float64(r.EventsRead)/r.Seconds)
	sum, err := run.Summarize(ctx, m, t)
	if err != nil {
		return err
	}
	sum.Print(e.stdout)
	channels, err := readChannels(ctx, m, t)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nsessions per channel:")
	channels.print(e.stdout)
	reportPath := filepath.Join(*dir, "report.html")
	if err := htmlreport.WriteFile(ctx, m, t, htmlreport.Options{}, reportPath); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nThe report is %s: open it in a browser.\n", reportPath)
	cwd, _ := os.Getwd()
	fmt.Fprintf(e.stdout, "\nThe model is %s. Try:\n", modelPath)
	for _, h := range demoHints(os.Args[0], cwd, *dir) {
		fmt.Fprintf(e.stdout, "  %s\n", h)
	}
	return nil
}

// generate writes the demo data into a new DuckDB file.
func generate(ctx context.Context, path string, opt demo.Options) (demo.Stats, error) {
	db, err := sqlx.Open("duckdb", path)
	if err != nil {
		return demo.Stats{}, err
	}
	defer db.Close()
	return demo.Generate(ctx, db.DB, opt)
}
