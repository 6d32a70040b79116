package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/render"
	"github.com/sessionize/sessionize/run"
)

func validateCmd(ctx context.Context, e env, args []string) error {
	fs := flags("validate", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "also check the model against this target: its settings, and every table and column the model reads there")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	m, err := models.Load(*file)
	if err != nil {
		return err
	}
	// The target a run would use must be usable too (its ${VAR}s set);
	// without a default target, a run names one with --target.
	if *target != "" || m.DefaultTarget != "" {
		t, err := m.Target(*target)
		if err != nil {
			return err
		}
		// Named on the command line, the target itself is checked: what
		// a run would check before it starts.
		if *target != "" {
			if err := run.Check(ctx, m, t); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(e.stdout, "%s: ok (model %s, %d sources, %d targets)\n", *file, m.Name, len(m.Sources), len(m.Targets))
	return nil
}

func renderCmd(ctx context.Context, e env, args []string) error {
	fs := flags("render", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "target whose dialect to render (default: default_target)")
	dialect := fs.String("dialect", "", "dialect to render: duckdb, postgres or clickhouse")
	mode := fs.String("mode", "full", "full or incremental")
	out := fs.String("o", "", "write one file per step into this folder instead of stdout")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *dialect != "" && *target != "" {
		return usageError{"render: give --target or --dialect, not both"}
	}
	if *mode != string(render.Full) && *mode != string(render.Incremental) {
		return usageError{fmt.Sprintf("render: unknown mode %q (want full or incremental)", *mode)}
	}
	m, err := models.Load(*file)
	if err != nil {
		return err
	}
	name := *dialect
	if name == "" {
		t, err := m.Target(*target)
		if err != nil {
			return targetError(err)
		}
		name = string(t.Dialect)
	}
	d, err := dialects.For(name)
	if err != nil {
		return usageError{err.Error()}
	}
	if errs := m.FilesOn(models.DialectName(name), "the SQL is rendered for "+name); len(errs) > 0 {
		return errs
	}
	files, err := render.Render(m, d, render.Mode(*mode))
	if err != nil {
		return err
	}
	if *out == "" {
		for i, f := range files {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			fmt.Fprintf(e.stdout, "-- ==== %s ====\n%s", f.Name, f.SQL)
		}
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(*out, f.Name), []byte(f.SQL), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stderr, "wrote %d files to %s\n", len(files), *out)
	return nil
}

func runCmd(ctx context.Context, e env, args []string) error {
	fs := flags("run", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "target to run on (default: default_target)")
	full := fs.Bool("full-refresh", false, "rebuild every output from all the data")
	dry := fs.Bool("dry-run", false, "show what the run would read and touch, and the SQL; change nothing")
	asJSON := fs.Bool("json", false, "print one JSON report on stdout instead of progress, whatever the outcome")
	err := parse(fs, args, 0)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	var m *models.Model
	var t models.Target
	if err == nil {
		m, t, err = loadModel(*file, *target)
	}
	var r *run.Report
	if err == nil {
		opt := run.Options{Target: t, FullRefresh: *full, DryRun: *dry}
		if !*asJSON {
			opt.Progress = e.stderr
		}
		r, err = run.Run(ctx, m, opt)
	}
	if *asJSON {
		// semantics §5: one report whatever the outcome, refusals and failures
		// before the run started too.
		printRunJSON(e, runReport(r, t, *target, *dry, err), err)
	}
	if err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.stderr, "%s: run %d %s: read %s (%d rejected), touched %s, wrote %s in %.2fs; watermark %s\n",
			t.Name, r.RunID, r.Status, count(r.EventsRead, "row"), r.Rejected, count(r.ContactsAffected, "contact"), count(r.RowsWritten, "row"), r.Seconds, watermark(r))
	}
	if *dry && !*asJSON { // --json prints the report alone
		d, _ := dialects.For(string(t.Dialect))
		files, err := render.Render(m, d, render.Mode(r.Mode))
		if err != nil {
			return err
		}
		article := "a"
		if r.Mode == string(render.Incremental) {
			article = "an"
		}
		fmt.Fprintf(e.stdout, "-- dry run: %s %s run would read %s (%d rejected) and rewrite %s; nothing was changed.\n",
			article, r.Mode, count(r.EventsRead, "source row"), r.Rejected, count(r.ContactsAffected, "contact"))
		for _, f := range files {
			fmt.Fprintf(e.stdout, "-- ==== %s ====\n%s\n", f.Name, f.SQL)
		}
	}
	return nil
}

// runReport is the report of a run, or, when the run never began (the
// command line, the model or the target failed, or the target refused),
// one that says so. Its status is success, dry-run, refused or failed.
func runReport(r *run.Report, t models.Target, target string, dry bool, err error) *run.Report {
	if r == nil {
		r = &run.Report{Target: t.Name, Dialect: string(t.Dialect), DryRun: dry}
		if r.Target == "" {
			r.Target = target
		}
	}
	if r.Steps == nil {
		r.Steps = []run.Step{}
	}
	switch code := exitCode(err); {
	case code == exitRefused, code == exitModelChanged:
		r.Status = "refused"
	case err != nil:
		r.Status = "failed"
	}
	return r
}

// printRunJSON writes a run's report for orchestrators, with the error and
// the exit code the command ends with.
func printRunJSON(e env, r *run.Report, err error) {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		*run.Report
		Error    string `json:"error,omitempty"`
		ExitCode int    `json:"exit_code"`
	}{r, errString(err), exitCode(err)})
}

func watermark(r *run.Report) string {
	if r.Watermark == nil {
		return "none"
	}
	return run.FormatValue(*r.Watermark, false)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func exportCmd(ctx context.Context, e env, args []string) error {
	fs := flags("export", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "target (default: default_target)")
	format := fs.String("format", "csv", "csv or jsonl")
	wait := waitFlag(fs)
	// The table may come before, after or between the flags.
	var table string
	for len(args) > 0 {
		if !strings.HasPrefix(args[0], "-") {
			if table != "" {
				return usageError{fmt.Sprintf("export: unexpected argument %q (one table at a time)", args[0])}
			}
			table, args = args[0], args[1:]
			continue
		}
		if err := parse(fs, args, len(args)); err != nil {
			return err
		}
		args = fs.Args()
	}
	if table == "" {
		return usageError{"export: name a table: " + strings.Join(render.OutputNames(), ", ")}
	}
	if _, _, ok := render.Output(nil, table); !ok {
		return usageError{fmt.Sprintf("export: unknown table %q (want one of %s)", table, strings.Join(render.OutputNames(), ", "))}
	}
	if *format != "csv" && *format != "jsonl" {
		return usageError{fmt.Sprintf("export: unknown format %q (want csv or jsonl)", *format)}
	}
	m, t, err := loadModel(*file, *target)
	if err != nil {
		return err
	}
	return run.Export(withWait(ctx, wait), m, t, table, *format, e.stdout)
}

// count is n and the noun, in the plural unless n is 1.
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
