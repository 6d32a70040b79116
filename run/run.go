package run

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/render"
	"github.com/sessionize/sessionize/version"
)

// Options say how to run a model.
type Options struct {
	Target      models.Target
	FullRefresh bool
	// DryRun runs everything inside a transaction that is rolled back: the
	// report says what the run would read and touch, and nothing changes.
	DryRun bool
	// Progress receives one line per step; nil discards it.
	Progress io.Writer
}

// Report is what a run did, as recorded in the runs table.
type Report struct {
	RunID            int64      `json:"run_id"`
	Target           string     `json:"target"`
	Dialect          string     `json:"dialect"`
	Mode             string     `json:"mode"`
	Status           string     `json:"status"`
	DryRun           bool       `json:"dry_run,omitempty"`
	Watermark        *time.Time `json:"watermark"`
	EventsRead       int64      `json:"events_read"`
	Rejected         int64      `json:"rejected"`
	ContactsAffected int64      `json:"contacts_affected"`
	RowsWritten      int64      `json:"rows_written"`
	Seconds          float64    `json:"seconds"`
	Steps            []Step     `json:"steps"`
	Why              string     `json:"why,omitempty"` // why this mode was chosen
}

// Step is one rendered file's execution.
type Step struct {
	Name       string  `json:"name"`
	Statements int     `json:"statements"`
	Rows       int64   `json:"rows"`
	Seconds    float64 `json:"seconds"`
}

// Run runs the model on its target: incrementally when the target holds the
// outputs of an earlier successful run of the same model, else in full.
func Run(ctx context.Context, m *models.Model, opt Options) (*Report, error) {
	r, err := runModel(ctx, m, opt)
	return r, engine.RedactErr(err, opt.Target.DSN)
}

func runModel(ctx context.Context, m *models.Model, opt Options) (*Report, error) {
	begin := time.Now()
	t := opt.Target
	d, drv, err := engine.For(t)
	if err != nil {
		return nil, err
	}
	if opt.DryRun && d.Publish() == dialects.Versions {
		return nil, fmt.Errorf("target %s: --dry-run rolls a run back, and %s has no transactions to roll back; `sessionize render --mode incremental` shows the SQL a run would run", t.Name, d.Name())
	}
	s, err := drv.Open(ctx, t, m.Output.Schema, true)
	if err != nil {
		return nil, err
	}
	defer func() {
		began := time.Now()
		s.Close()
		traceSince(opt.Progress, began, "close the target")
	}()

	// Every table and column the model reads must be there, of a type
	// that holds what it maps, before step 0 writes anything (Check).
	if err := check(ctx, s.Conn, d, m, t.Name); err != nil {
		return nil, err
	}
	mode, why, err := chooseMode(ctx, s.Conn, d, m, opt.FullRefresh)
	if err != nil {
		return nil, err
	}
	// Relative file sources are read from the model's folder; the model
	// itself renders them as written (Model.Located).
	files, err := render.RenderAt(m.Located(), d, mode, clockFrom(ctx))
	if err != nil {
		return nil, err
	}
	r := &Report{Target: t.Name, Dialect: d.Name(), Mode: string(mode), DryRun: opt.DryRun, Why: why}
	progress(opt.Progress, "%s run of model %s on target %s (%s): %s\n", mode, m.Name, t.Name, d.Name(), why)

	n := names{d, m.Output.Schema}
	switch {
	case opt.DryRun:
		err = dryRun(ctx, s.Conn, n, files, r, opt.Progress)
	default:
		err = execute(ctx, s.Conn, n, m, t.DSN, files, r, opt.Progress, d.Publish() != dialects.Versions, mode == render.Full && d.Publish() == dialects.StagedFullRuns)
	}
	r.Seconds = time.Since(begin).Seconds()
	if err != nil {
		return r, fmt.Errorf("target %s: %w", t.Name, err)
	}
	return r, nil
}

// execute runs step 0 on its own, so the run is recorded as running even if
// it dies, then steps 1-7 in one transaction. A full run that stages
// (dialects.StagedFullRuns) runs steps 1-6 committing as it goes,
// into tables nothing reads before step 7, and only step 7 in a
// transaction: it publishes them. An engine without transactions
// (ClickHouse) runs the steps one after the other: its templates publish
// everything the run wrote with step 7's last write, at once.
func execute(ctx context.Context, c *sqlx.Conn, n names, model *models.Model, dsn string, files []render.File, r *Report, w io.Writer, transactional, staged bool) error {
	if err := execStatements(ctx, c, n.d, files[0], r, w); err != nil {
		return err
	}
	var runID int64
	if err := c.GetContext(ctx, &runID, "SELECT max(run_id) FROM "+n.runs()); err != nil {
		return fmt.Errorf("read run id: %w", err)
	}
	r.RunID = runID
	staged = staged && transactional
	var e execer = c
	var tx *sqlx.Tx
	begin := func() error {
		var err error
		if tx, err = c.BeginTxx(ctx, nil); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		e = tx
		return nil
	}
	var err error
	if transactional && !staged {
		err = begin()
	}
	// The model's text, so a later refusal can name what changed.
	if err == nil {
		var q string
		if q, err = render.RunUpdate(model, n.d, runID, []render.Assignment{
			{Column: "model", Value: n.d.Literal(model.Canonical())},
			{Column: "tool_version", Value: n.d.Literal(version.Get().String())},
		}); err == nil {
			_, err = e.ExecContext(ctx, q)
		}
	}
	for i := 1; i < len(files) && err == nil; i++ {
		if staged && i == len(files)-1 { // step 7 publishes
			if err = begin(); err != nil {
				break
			}
		}
		err = execStatements(ctx, e, n.d, files[i], r, w)
	}
	if tx != nil {
		if err == nil {
			began := time.Now()
			err = tx.Commit()
			traceSince(w, began, "COMMIT")
		} else {
			tx.Rollback()
		}
	}
	if err != nil {
		markFailed(context.WithoutCancel(ctx), c, n, model, runID, engine.RedactErr(err, dsn))
		r.Status = "failed"
		return err
	}
	if tx != nil {
		// DuckDB's clock stands still inside a transaction, at its start: set
		// finished_at again once the run has committed. The run has succeeded
		// either way, so a failure here only leaves step 7's value.
		if q, err := render.RunUpdate(model, n.d, runID, []render.Assignment{{Column: "finished_at", Value: n.d.Now()}}); err == nil {
			c.ExecContext(ctx, q)
		}
	}
	return readRun(ctx, c, n, r)
}

// dryRun runs every step inside one transaction and rolls it back.
func dryRun(ctx context.Context, c *sqlx.Conn, n names, files []render.File, r *Report, w io.Writer) error {
	tx, err := c.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	for _, f := range files {
		if err := execStatements(ctx, tx, n.d, f, r, w); err != nil {
			return err
		}
	}
	if err := readRun(ctx, tx, n, r); err != nil {
		return err
	}
	r.Status = "dry-run"
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func execStatements(ctx context.Context, e execer, d dialects.Dialect, f render.File, r *Report, w io.Writer) error {
	start := time.Now()
	stmts := f.Statements
	var rows int64
	for i, q := range stmts {
		began := time.Now()
		var plan []string
		executed := false
		if explaining() {
			if x, executes := d.Explain(q); x != "" {
				var err error
				if plan, err = queryPlan(ctx, e, x); err != nil {
					return &StatementError{File: f.Name, Index: i + 1, SQL: x, Err: err}
				}
				executed = executes
			}
		}
		if !executed {
			res, err := e.ExecContext(ctx, q)
			if err != nil {
				return &StatementError{File: f.Name, Index: i + 1, SQL: q, Err: err}
			}
			if n, err := res.RowsAffected(); err == nil && n > 0 {
				rows += n
			}
		}
		traceSince(w, began, firstLine(q))
		for _, l := range plan {
			progress(w, "        | %s\n", l)
		}
	}
	st := Step{Name: strings.TrimSuffix(f.Name, ".sql"), Statements: len(stmts), Rows: rows, Seconds: time.Since(start).Seconds()}
	r.Steps = append(r.Steps, st)
	progress(w, "  %-22s %3d statements %12d rows %8.2fs\n", st.Name, st.Statements, st.Rows, st.Seconds)
	return nil
}

// StatementError is a statement the engine refused, with where it came from.
type StatementError struct {
	File  string
	Index int
	SQL   string
	Err   error
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("%s, statement %d (%s): %v%s", e.File, e.Index, firstLine(e.SQL), e.Err, hint(e.Err))
}

// hint says what to do about the errors users meet most.
func hint(err error) string {
	msg := strings.ToLower(err.Error())
	switch {
	case engine.IsMissingTable(err):
		return "; a table the model reads is missing: create it, or fix its `table:` in sessions.yaml"
	case strings.Contains(msg, "permission denied") || strings.Contains(msg, "not enough privileges") || strings.Contains(msg, "access_denied"):
		return "; the target's user lacks a privilege: grant it SELECT on the source tables and CREATE on the output schema"
	}
	return ""
}

// firstLine is the first line of a statement that is not a comment.
func firstLine(q string) string {
	for _, l := range strings.Split(q, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return l
		}
	}
	return q
}

// tracing prints every statement's time under its step (SESSIONIZE_TRACE=1),
// to see where a run spends it; explaining (SESSIONIZE_TRACE=explain) prints
// the engine's plan of each statement it can explain under its time, run
// with EXPLAIN ANALYZE where the engine has it (Dialect.Explain). Those
// statements' rows are not counted in the step's total.
func tracing() bool { return os.Getenv("SESSIONIZE_TRACE") != "" }

func explaining() bool { return os.Getenv("SESSIONIZE_TRACE") == "explain" }

// queryPlan runs an explaining statement and returns its plan's lines: the
// last column of each row (DuckDB's explain_value, PostgreSQL's QUERY PLAN,
// ClickHouse's explain), split on newlines.
func queryPlan(ctx context.Context, e execer, x string) ([]string, error) {
	rows, err := e.QueryContext(ctx, x)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lines []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		lines = append(lines, strings.Split(strings.TrimRight(vals[len(vals)-1].String, "\n"), "\n")...)
	}
	return lines, rows.Err()
}

// traceSince prints, when tracing, the time since began and the peak memory
// beside what took it.
func traceSince(w io.Writer, began time.Time, what string) {
	if tracing() {
		progress(w, "    %8.3fs %s %s\n", time.Since(began).Seconds(), peakMemory(), what)
	}
}

// PeakRSS is the peak resident set of this process in bytes (VmHWM), or 0
// where /proc does not tell.
func PeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// peakMemory is PeakRSS for the trace ("peak 2.4 GiB"), or "" where /proc
// does not tell: the statement after which it grows is the one that needed
// the memory.
func peakMemory() string {
	if b := PeakRSS(); b > 0 {
		return fmt.Sprintf("peak %4.1f GiB", float64(b)/(1<<30))
	}
	return ""
}

func (e *StatementError) Unwrap() error { return e.Err }

func progress(w io.Writer, format string, a ...any) {
	if w != nil {
		fmt.Fprintf(w, format, a...)
	}
}
