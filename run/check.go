package run

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// Check checks the model against its target without running it: every
// table (or file) the model reads must exist there, with every column the
// model reads from it, of a type that can hold what the model maps to it.
// Each problem is a models.Error at the model's position (the table's, or
// the column's mapping when it is mapped explicitly), and all of them come
// back together as models.Errors; an error of another type is a failure
// to check (the target cannot be reached). A run checks the same way
// before step 0 writes anything.
func Check(ctx context.Context, m *models.Model, t models.Target) (err error) {
	defer func() { err = engine.RedactErr(err, t.DSN) }()
	d, drv, err := engine.For(t)
	if err != nil {
		return err
	}
	open := func() (*Session, error) { return engine.OpenToRead(ctx, drv, t, m.Output.Schema) }
	if c, ok := drv.(engine.Checker); ok {
		open = func() (*Session, error) { return c.OpenToCheck(ctx, t, m.Output.Schema) }
	}
	s, err := open()
	if err != nil {
		return err
	}
	defer s.Close()
	return check(ctx, s.Conn, d, m, t.Name)
}

// sourceColumn is a column of a source, as the engine describes it.
type sourceColumn struct{ name, typ string }

// described is what the target says of one source: its columns, or why it
// has none.
type described struct {
	cols     []sourceColumn
	foldCase bool
	missing  string // the problem when the source is not there
}

// find is the source's column called name.
func (s described) find(name string) (sourceColumn, bool) {
	for _, c := range s.cols {
		if c.name == name || (s.foldCase && strings.EqualFold(c.name, name)) {
			return c, true
		}
	}
	return sourceColumn{}, false
}

// check runs the checks of Check on an open connection.
func check(ctx context.Context, c *sqlx.Conn, d dialects.Dialect, m *models.Model, target string) error {
	var problems models.Errors
	add := func(at models.Error, format string, args ...any) {
		at.Msg = fmt.Sprintf(format, args...)
		problems = append(problems, at)
	}
	seen := map[string]described{} // a table several sources read is described once
	for _, r := range m.Reads() {
		src, ok := seen[r.Table]
		if !ok {
			var err error
			if src, err = describe(ctx, c, d, m, r, target); err != nil {
				return err
			}
			seen[r.Table] = src
		}
		if src.missing != "" {
			add(r.At, "%s", src.missing)
			continue
		}
		what := "table " + r.Table
		if models.IsFileTable(r.Table) {
			what = "file " + r.Table
		}
		for _, col := range r.Columns {
			have, ok := src.find(col.Name)
			if !ok {
				add(col.At, "%s has no column %q (%s)", what, col.Name, columnHint(col, src))
				continue
			}
			if !d.Classify(have.typ).Holds(col.Time) {
				want := "a text or number column"
				if col.Time {
					want = "a timestamp, date or text column"
				}
				add(col.At, "%s column %q is %s, which cannot hold %s (want %s)", what, have.name, have.typ, col.Key, want)
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
	return problems
}

// describe asks the target for the columns of the source r reads, as the
// run reads it (a relative file from the model's folder).
func describe(ctx context.Context, c *sqlx.Conn, d dialects.Dialect, m *models.Model, r models.Read, target string) (described, error) {
	var cols dialects.SourceColumns
	for _, col := range r.Columns {
		if col.Time {
			cols.Timestamps = append(cols.Timestamps, col.Name)
		} else {
			cols.Text = append(cols.Text, col.Name)
		}
	}
	table := m.FileTable(r.Table)
	ins, err := d.Inspect(table, cols)
	if err != nil {
		return described{missing: fmt.Sprintf("%v (target %s is %s)", err, target, d.Name())}, nil
	}
	gone := described{missing: fmt.Sprintf("table %s does not exist on target %s (create it, or name another table here)", r.Table, target)}
	if models.IsFileTable(r.Table) {
		gone.missing = fmt.Sprintf("no file matches %s", r.Table)
		if table != r.Table {
			if abs, err := filepath.Abs(filepath.Dir(m.Path)); err == nil {
				gone.missing += fmt.Sprintf(" (file sources are read from the model's folder, %s)", abs)
			}
		}
	}
	rows, err := c.QueryxContext(ctx, ins.Query)
	if err != nil {
		if ctx.Err() != nil {
			return described{}, ctx.Err()
		}
		for _, text := range ins.Missing {
			if strings.Contains(err.Error(), text) {
				return gone, nil
			}
		}
		return described{}, fmt.Errorf("check %s on target %s: %w", r.Table, target, err)
	}
	defer rows.Close()
	src := described{foldCase: ins.FoldCase}
	for rows.Next() {
		var col sourceColumn
		if err := rows.Scan(&col.name, &col.typ); err != nil {
			return described{}, fmt.Errorf("check %s on target %s: %w", r.Table, target, err)
		}
		src.cols = append(src.cols, col)
	}
	if err := rows.Err(); err != nil {
		return described{}, fmt.Errorf("check %s on target %s: %w", r.Table, target, err)
	}
	if len(src.cols) == 0 {
		return gone, nil
	}
	return src, nil
}

// likely are, per model column, the names other event pipelines give it,
// most likely first, for a hint when a table lacks the expected one.
var likely = map[string][]string{
	"event_id":     {"message_id", "event_id", "messageid", "uuid"},
	"id":           {"message_id", "messageid"},
	"timestamp":    {"original_timestamp", "event_time", "sent_at", "ts", "time"},
	"loaded_at":    {"loaded_at", "uuid_ts", "_loaded_at", "inserted_at"},
	"user_id":      {"userid"},
	"anonymous_id": {"anonymousid"},
	"event":        {"event_name", "event_text", "name"},
	"url":          {"context_page_url", "page_url"},
}

// columnHint says what to write for a column a table lacks: declare an optional
// one absent, or map it to the table's column that most likely holds it.
func columnHint(col models.ReadColumn, src described) string {
	target := "<column>"
	if guess := guessColumn(col.Key, src); guess != "" {
		target = guess
	}
	mapIt := fmt.Sprintf("map it: %s: %s", col.Key, target)
	if !col.Optional {
		return mapIt
	}
	declare := fmt.Sprintf("declare it with %s: null", col.Key)
	if col.Key == "loaded_at" {
		declare += " to use the timestamp"
	}
	return declare + ", or " + mapIt
}

// guessColumn is the source's column that most likely holds key: one
// named key (the model maps another), one of its likely names, or one
// named *_key; "" when none is.
func guessColumn(key string, src described) string {
	for _, name := range append([]string{key}, likely[key]...) {
		for _, c := range src.cols {
			if strings.EqualFold(c.name, name) {
				return c.name
			}
		}
	}
	if key == "id" { // every *_id is some other id
		return ""
	}
	for _, c := range src.cols {
		if strings.HasSuffix(strings.ToLower(c.name), "_"+key) {
			return c.name
		}
	}
	return ""
}
