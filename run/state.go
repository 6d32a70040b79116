package run

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/render"
	"github.com/sessionize/sessionize/version"
)

// names quotes table names in the output schema.
type names struct {
	d      dialects.Dialect
	schema string
}

func (n names) table(name string) string { return n.d.Table(n.schema, name) }
func (n names) runs() string             { return n.table("_sessionize_runs") }

type queryer interface {
	sqlx.QueryerContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// chooseMode decides between a full refresh and an incremental run (semantics §5)
// and says why.
func chooseMode(ctx context.Context, q queryer, d dialects.Dialect, m *models.Model, full bool) (render.Mode, string, error) {
	if full {
		return render.Full, "--full-refresh", nil
	}
	n := names{d, m.Output.Schema}
	var last struct {
		RunID int64          `db:"run_id"`
		Hash  string         `db:"model_hash"`
		Model sql.NullString `db:"model"`
	}
	err := q.GetContext(ctx, &last, "SELECT run_id, model_hash, model FROM "+n.runs()+
		" WHERE status = 'success' ORDER BY run_id DESC LIMIT 1")
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return render.Full, "no successful run yet", nil
	case engine.IsMissingTable(err):
		return render.Full, "first run", nil
	case err != nil:
		return "", "", fmt.Errorf("read runs table: %w", err)
	}
	// A target without one of the tables runs keep (one an older version
	// did not keep, say) is rebuilt by a full run, which writes them.
	required := append(catalog.Kept(), catalog.Watermarks)
	if d.Publish() == dialects.Versions {
		required = append(required, catalog.Bases)
	}
	for _, kept := range required {
		t := kept.Name
		var one int
		err := q.GetContext(ctx, &one, "SELECT 1 FROM "+n.table(t)+" LIMIT 1")
		if engine.IsMissingTable(err) {
			return render.Full, fmt.Sprintf("table %s is missing", t), nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", "", fmt.Errorf("read %s: %w", t, err)
		}
	}
	// So is one without a column runs now keep (the identity map's ts and
	// id, say).
	table, column, err := missingColumn(ctx, q, d, m.Output.Schema, required)
	if err != nil {
		return "", "", fmt.Errorf("read the kept tables' columns: %w", err)
	}
	if column != "" {
		return render.Full, fmt.Sprintf("table %s has no column %s", table, column), nil
	}
	if last.Hash != m.Hash {
		return "", "", &ErrModelChanged{RunID: last.RunID, Change: describeChange(last.Model.String, m.Canonical())}
	}
	return render.Incremental, fmt.Sprintf("incremental from run %d", last.RunID), nil
}

// missingColumn returns the first of tables (all in schema) that lacks a
// column of its catalog entry, and that column; "", "" when none does. The
// engines' information_schema lists the columns of all of them at once.
func missingColumn(ctx context.Context, q queryer, d dialects.Dialect, schema string, tables []catalog.Table) (table, column string, err error) {
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := q.SelectContext(ctx, &cols, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "+d.Literal(schema)); err != nil {
		return "", "", err
	}
	has := map[[2]string]bool{}
	for _, c := range cols {
		has[[2]string{c.Table, c.Column}] = true
	}
	for _, t := range tables {
		for _, c := range t.Columns {
			if !has[[2]string{t.Name, c.Name}] {
				return t.Name, c.Name, nil
			}
		}
	}
	return "", "", nil
}

// describeChange names the lines of the canonical model that differ.
func describeChange(old, cur string) string {
	if old == "" {
		return "model hash differs"
	}
	oldSet := map[string]bool{}
	for _, l := range strings.Split(old, "\n") {
		oldSet[l] = true
	}
	curSet := map[string]bool{}
	var changes []string
	for _, l := range strings.Split(cur, "\n") {
		curSet[l] = true
		if !oldSet[l] && l != "" {
			changes = append(changes, "now "+l)
		}
	}
	for _, l := range strings.Split(old, "\n") {
		if !curSet[l] && l != "" {
			changes = append(changes, "was "+l)
		}
	}
	if len(changes) == 0 {
		return "model hash differs"
	}
	if len(changes) > 6 {
		changes = append(changes[:6], fmt.Sprintf("and %d more", len(changes)-6))
	}
	return strings.Join(changes, "; ")
}

// runRow is one row of the runs table.
type runRow struct {
	RunID            int64          `db:"run_id"`
	ModelHash        string         `db:"model_hash"`
	Dialect          string         `db:"dialect"`
	Mode             string         `db:"mode"`
	StartedAt        time.Time      `db:"started_at"`
	FinishedAt       sql.NullTime   `db:"finished_at"`
	Status           string         `db:"status"`
	Watermark        sql.NullTime   `db:"watermark"`
	EventsRead       sql.NullInt64  `db:"events_read"`
	Rejected         sql.NullInt64  `db:"rejected"`
	ContactsAffected sql.NullInt64  `db:"contacts_affected"`
	RowsWritten      sql.NullInt64  `db:"rows_written"`
	Error            sql.NullString `db:"error"`
	// ToolVersion is the sessionize that ran it (version.Info.String); NULL
	// for runs of versions that did not record it.
	ToolVersion sql.NullString `db:"tool_version"`
}

const runColumns = "run_id, model_hash, dialect, mode, started_at, finished_at, status, watermark, events_read, rejected, contacts_affected, rows_written, error, tool_version"

// fill copies the recorded figures into the report.
func (row runRow) fill(r *Report) {
	r.RunID = row.RunID
	r.Status = row.Status
	if row.Watermark.Valid {
		w := row.Watermark.Time.UTC()
		r.Watermark = &w
	}
	r.EventsRead = row.EventsRead.Int64
	r.Rejected = row.Rejected.Int64
	r.ContactsAffected = row.ContactsAffected.Int64
	r.RowsWritten = row.RowsWritten.Int64
}

// readRun reads the run's own row (the newest) into the report.
func readRun(ctx context.Context, q queryer, n names, r *Report) error {
	var row runRow
	if err := q.GetContext(ctx, &row, "SELECT "+runColumns+" FROM "+n.runs()+" ORDER BY run_id DESC LIMIT 1"); err != nil {
		return fmt.Errorf("read run: %w", err)
	}
	row.fill(r)
	return nil
}

// markFailed records why a run failed; its writes were rolled back (or, on
// an engine without transactions, never published).
func markFailed(ctx context.Context, c *sqlx.Conn, n names, m *models.Model, runID int64, cause error) {
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	q, err := render.RunUpdate(m, n.d, runID, []render.Assignment{
		{Column: "status", Value: "'failed'"},
		{Column: "finished_at", Value: n.d.Now()},
		{Column: "error", Value: n.d.Literal(msg)},
		// again: the run's own write of it was rolled back with the rest
		{Column: "tool_version", Value: n.d.Literal(version.Get().String())},
	})
	if err == nil {
		c.ExecContext(ctx, q)
	}
}

// Runs returns the last limit runs of a target, newest first.
func Runs(ctx context.Context, q queryer, d dialects.Dialect, schema string, limit int) ([]runRow, error) {
	query := func(cols string) string {
		return fmt.Sprintf("SELECT %s FROM %s ORDER BY run_id DESC LIMIT %d", cols, names{d, schema}.runs(), limit)
	}
	var rows []runRow
	err := q.SelectContext(ctx, &rows, query(runColumns))
	if err != nil && strings.Contains(err.Error(), "tool_version") {
		// A runs table an older version created, which no run of this
		// one has added the column to yet.
		rows = nil
		err = q.SelectContext(ctx, &rows, query(strings.Replace(runColumns, "tool_version", "NULL AS tool_version", 1)))
	}
	return rows, err
}
