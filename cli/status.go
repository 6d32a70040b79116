package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

func statusCmd(ctx context.Context, e env, args []string) error {
	fs := flags("status", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "target (default: default_target)")
	asJSON := fs.Bool("json", false, "print the status as one JSON object")
	wait := waitFlag(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	m, t, err := loadModel(*file, *target)
	if err != nil {
		return err
	}
	st, err := run.ReadStatus(withWait(ctx, wait), m, t, 10)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(statusJSON(m, t, st))
	}
	fmt.Fprintf(e.stdout, "target %s (%s), schema %s\n", t.Name, t.Dialect, m.Output.Schema)
	if st.Watermark != nil {
		fmt.Fprintf(e.stdout, "watermark: %s\n", run.FormatValue(*st.Watermark, false))
	} else {
		fmt.Fprintln(e.stdout, "watermark: none (no successful run)")
	}
	printWatermarks(e, st)
	fmt.Fprintln(e.stdout, "\nrows:")
	for _, c := range st.Counts {
		if c.Rows < 0 {
			fmt.Fprintf(e.stdout, "  %-18s missing\n", c.Table)
			continue
		}
		fmt.Fprintf(e.stdout, "  %-18s %d\n", c.Table, c.Rows)
	}
	fmt.Fprintln(e.stdout, "\nlast runs:")
	fmt.Fprintf(e.stdout, "  %4s  %-11s  %-7s  %-19s  %8s  %10s  %10s  %10s  %-22s  %s\n", "run", "mode", "status", "started", "seconds", "read", "contacts", "written", "by", "error")
	for _, r := range st.Runs {
		secs := ""
		if r.FinishedAt.Valid {
			secs = fmt.Sprintf("%.2f", r.FinishedAt.Time.Sub(r.StartedAt).Seconds())
		}
		fmt.Fprintf(e.stdout, "  %4d  %-11s  %-7s  %-19s  %8s  %10d  %10d  %10d  %-22s  %s\n", r.RunID, r.Mode, r.Status,
			r.StartedAt.UTC().Format("2006-01-02 15:04:05"), secs, r.EventsRead.Int64, r.ContactsAffected.Int64,
			r.RowsWritten.Int64, shortVersion(r.ToolVersion.String), strings.SplitN(r.Error.String, "\n", 2)[0])
	}
	return nil
}

// printWatermarks prints each table's watermark (semantics §5), one line per
// table, with a warning where the run read load times past its start.
func printWatermarks(e env, st *run.Status) {
	switch {
	case !st.WatermarksKept:
		fmt.Fprintln(e.stdout, "\ntables: no watermark per table yet (the target was built before they were kept; the next run keeps them)")
		return
	case len(st.Tables) == 0:
		fmt.Fprintln(e.stdout, "\ntables: none yet (no successful run)")
		return
	}
	fmt.Fprintln(e.stdout, "\ntables:")
	fmt.Fprintf(e.stdout, "  %-14s  %-30s  %s\n", "source", "table", "watermark")
	for _, w := range st.Tables {
		source := w.Source
		if source == "" {
			source = "(identifies)"
		}
		line := fmt.Sprintf("  %-14s  %-30s  %s", source, w.Table, timeText(w.Watermark))
		if w.Late() {
			line += fmt.Sprintf("  warning: load times up to %s are after the run that read them; the watermark stays at that run's start",
				timeText(w.MaxLoaded))
		}
		fmt.Fprintln(e.stdout, line)
	}
}

func timeText(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return run.FormatValue(*t, false)
}

// statusJSON is `status --json`: what status prints, as one object.
func statusJSON(m *models.Model, t models.Target, st *run.Status) any {
	type table struct {
		Source    *string    `json:"source"` // null for an identifies table
		Table     string     `json:"table"`
		Watermark *time.Time `json:"watermark"`
		MaxLoaded *time.Time `json:"max_loaded"`
	}
	type runRow struct {
		RunID            int64      `json:"run_id"`
		ModelHash        string     `json:"model_hash"`
		Dialect          string     `json:"dialect"`
		Mode             string     `json:"mode"`
		Status           string     `json:"status"`
		StartedAt        time.Time  `json:"started_at"`
		FinishedAt       *time.Time `json:"finished_at"`
		Seconds          *float64   `json:"seconds"`
		Watermark        *time.Time `json:"watermark"`
		EventsRead       *int64     `json:"events_read"`
		Rejected         *int64     `json:"rejected"`
		ContactsAffected *int64     `json:"contacts_affected"`
		RowsWritten      *int64     `json:"rows_written"`
		Error            string     `json:"error,omitempty"`
		// ToolVersion is the sessionize that ran it; null for runs of a
		// version that did not record it.
		ToolVersion *string `json:"tool_version"`
	}
	out := struct {
		Target    string     `json:"target"`
		Dialect   string     `json:"dialect"`
		Schema    string     `json:"schema"`
		Watermark *time.Time `json:"watermark"`
		// Tables are each table's watermark; [] where the target keeps
		// none per table yet.
		Tables []table `json:"tables"`
		// Rows are the output tables' row counts, null for a missing one.
		Rows map[string]*int64 `json:"rows"`
		Runs []runRow          `json:"runs"`
	}{Target: t.Name, Dialect: string(t.Dialect), Schema: m.Output.Schema, Watermark: st.Watermark,
		Tables: []table{}, Rows: map[string]*int64{}, Runs: []runRow{}}
	for _, w := range st.Tables {
		tb := table{Table: w.Table, Watermark: w.Watermark, MaxLoaded: w.MaxLoaded}
		if w.Source != "" {
			tb.Source = &w.Source
		}
		out.Tables = append(out.Tables, tb)
	}
	for _, c := range st.Counts {
		if c.Rows < 0 {
			out.Rows[c.Table] = nil
			continue
		}
		out.Rows[c.Table] = &c.Rows
	}
	for _, r := range st.Runs {
		row := runRow{RunID: r.RunID, ModelHash: r.ModelHash, Dialect: r.Dialect, Mode: r.Mode, Status: r.Status,
			StartedAt: r.StartedAt.UTC(), Error: r.Error.String}
		if r.ToolVersion.Valid {
			row.ToolVersion = &r.ToolVersion.String
		}
		if r.FinishedAt.Valid {
			f := r.FinishedAt.Time.UTC()
			secs := f.Sub(r.StartedAt).Seconds()
			row.FinishedAt, row.Seconds = &f, &secs
		}
		if r.Watermark.Valid {
			w := r.Watermark.Time.UTC()
			row.Watermark = &w
		}
		for _, v := range []struct {
			dst **int64
			src sql.NullInt64
		}{{&row.EventsRead, r.EventsRead}, {&row.Rejected, r.Rejected}, {&row.ContactsAffected, r.ContactsAffected}, {&row.RowsWritten, r.RowsWritten}} {
			if v.src.Valid {
				n := v.src.Int64
				*v.dst = &n
			}
		}
		out.Runs = append(out.Runs, row)
	}
	return out
}

// shortVersion is a recorded tool version for the runs table's "by"
// column: the version and the commit, without "sessionize" and the
// commit's time ("v1.2.0 (abc1234)"); "-" where the run recorded none.
func shortVersion(v string) string {
	if v == "" {
		return "-"
	}
	v = strings.TrimPrefix(v, "sessionize ")
	if i := strings.Index(v, ", "); i >= 0 && strings.HasSuffix(v, ")") {
		v = v[:i] + ")"
	}
	return v
}
