package conformance

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/cli"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// engine gives a test a fresh place to run a model: a temp DuckDB file, or a
// schema of its own on a real server, cleaned up with t.Cleanup.
type engine struct {
	name string
	// open returns a fresh target block for sessions.yaml, the source
	// schema and output schema to use, and how to connect to load sources.
	open func(t *testing.T) (target, raw, out string, connect func() (*sqlx.DB, error))
	// types of the source columns.
	textType, tsType string
	// createSchema and tableSuffix adapt the source DDL to the engine
	// (ClickHouse: databases, and an engine clause); "" means standard SQL.
	createSchema, tableSuffix string
	// bulkInsert, when set, is the engine's statement for bulk (runs_test.go).
	bulkInsert func(raw string, from, n int, loaded string) string
	// beforeChild, when set, runs before a run starts in a child process.
	beforeChild func()
}

var seq atomic.Int64

func duckEngine() engine {
	return engine{
		name:     "duckdb",
		textType: "VARCHAR",
		tsType:   "TIMESTAMP",
		open: func(t *testing.T) (string, string, string, func() (*sqlx.DB, error)) {
			path := filepath.Join(t.TempDir(), "test.duckdb")
			connect := func() (*sqlx.DB, error) { return sqlx.Open("duckdb", path) }
			return fmt.Sprintf("{dialect: duckdb, path: %q}", path), "raw", "sessionize", connect
		},
	}
}

// engines are the engines this machine has; see also requireEngine.
func engines(t *testing.T) []engine {
	es := []engine{duckEngine()}
	if e, ok := postgresEngine(t); ok {
		es = append(es, e)
	}
	if e, ok := clickhouseEngine(t); ok {
		es = append(es, e)
	}
	return es
}

// event is one source row; "" is NULL and `”` the empty string.
type event struct {
	table                                 string // web, app, docs, blog
	id, ts, user, anon, loaded, name, url string
	// ref, ua and plan fill the columns an enriched model reads
	// (enrichedModel): referrer, user_agent and a pass-through column.
	ref, ua, plan string
}

// identify is one identifies row, with the same conventions.
type identify struct {
	id, user, anon, ts, loaded string
}

// testModel is the model every hand-built case runs: one table per source.
const testModel = `version: 1
name: test
sources:
  - name: web
    type: marketing
    tables:
      - table: {{.Raw}}.web
  - name: app
    type: product
    tables:
      - table: {{.Raw}}.app
  - name: docs
    type: asset
    class: docs
    tables:
      - table: {{.Raw}}.docs
  - name: blog
    type: asset
    class: articles
    tables:
      - table: {{.Raw}}.blog
identifies:
  - table: {{.Raw}}.identifies
timezone: {{.Timezone}}
output:
  schema: {{.Out}}
targets:
  test: {{.Target}}
`

// fixture is a case ready to run: a model file on disk and its target.
type fixture struct {
	t       *testing.T
	e       engine
	connect func() (*sqlx.DB, error)
	raw     string
	model   string // path of sessions.yaml
	m       *models.Model
	target  models.Target
	// clock, when set, is when the runs start (run.WithClock).
	clock time.Time
}

// setup creates the source tables on a fresh target and writes the model.
func setup(t *testing.T, e engine, timezone string) *fixture {
	t.Helper()
	target, raw, out, connect := e.open(t)
	if timezone == "" {
		timezone = "UTC"
	}
	var b strings.Builder
	template.Must(template.New("m").Parse(testModel)).Execute(&b, map[string]string{
		"Raw": raw, "Out": out, "Target": target, "Timezone": timezone,
	})
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, e: e, connect: connect, raw: raw, model: path}
	createSchema := e.createSchema
	if createSchema == "" {
		createSchema = "CREATE SCHEMA IF NOT EXISTS "
	}
	stmts := []string{createSchema + raw}
	for _, tbl := range []string{"web", "app", "docs", "blog"} {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE %s.%s (id %s, "timestamp" %s, user_id %s, anonymous_id %s, received_at %s, event %s, url %s, referrer %s, user_agent %s, plan %s)`,
			raw, tbl, e.textType, e.tsType, e.textType, e.textType, e.tsType, e.textType, e.textType, e.textType, e.textType, e.textType)+e.tableSuffix)
	}
	stmts = append(stmts, fmt.Sprintf(`CREATE TABLE %s.identifies (id %s, user_id %s, anonymous_id %s, "timestamp" %s, received_at %s)`,
		raw, e.textType, e.textType, e.textType, e.tsType, e.tsType)+e.tableSuffix)
	f.exec(stmts...)
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.m = m
	f.target, err = m.Target("")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// exec runs statements on a connection of its own, closed again at once:
// DuckDB lets one database instance at a time hold the file.
func (f *fixture) exec(stmts ...string) {
	f.t.Helper()
	db, err := f.connect()
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			f.t.Fatalf("%s: %v", q, err)
		}
	}
}

// lit is a SQL literal for a test value: "" is NULL, `”` the empty string.
func lit(v string) string {
	switch v {
	case "":
		return "NULL"
	case "''":
		return "''"
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

func (f *fixture) tsLit(v string) string {
	if v == "" {
		return "NULL"
	}
	return "CAST('" + v + "' AS " + f.e.tsType + ")"
}

// load inserts events and identifies rows.
func (f *fixture) load(events []event, ids []identify) {
	f.t.Helper()
	var stmts []string
	for _, ev := range events {
		// The enrichment columns only where the event has them: tests that
		// create tables of their own have the other columns only.
		if ev.ref == "" && ev.ua == "" && ev.plan == "" {
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO %s.%s (id, "timestamp", user_id, anonymous_id, received_at, event, url) VALUES (%s, %s, %s, %s, %s, %s, %s)`,
				f.raw, ev.table, lit(ev.id), f.tsLit(ev.ts), lit(ev.user), lit(ev.anon), f.tsLit(ev.loaded), lit(ev.name), lit(ev.url)))
			continue
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO %s.%s (id, "timestamp", user_id, anonymous_id, received_at, event, url, referrer, user_agent, plan) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)`,
			f.raw, ev.table, lit(ev.id), f.tsLit(ev.ts), lit(ev.user), lit(ev.anon), f.tsLit(ev.loaded), lit(ev.name), lit(ev.url), lit(ev.ref), lit(ev.ua), lit(ev.plan)))
	}
	for _, id := range ids {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO %s.identifies (id, user_id, anonymous_id, "timestamp", received_at) VALUES (%s, %s, %s, %s, %s)`,
			f.raw, lit(id.id), lit(id.user), lit(id.anon), f.tsLit(id.ts), f.tsLit(id.loaded)))
	}
	f.exec(stmts...)
}

// sessionize runs the command line in-process and returns stdout; it fails
// the test unless the exit code is want.
func (f *fixture) sessionize(want int, args ...string) string {
	f.t.Helper()
	var out, errb strings.Builder
	full := append([]string{args[0], "-f", f.model}, args[1:]...)
	ctx := context.Background()
	if !f.clock.IsZero() {
		ctx = run.WithClock(ctx, f.clock)
	}
	if code := cli.Run(ctx, full, strings.NewReader(""), &out, &errb); code != want {
		f.t.Fatalf("sessionize %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, want, errb.String())
	}
	return out.String()
}

// export returns a table's exported CSV rows (header first).
func (f *fixture) export(table string) [][]string {
	f.t.Helper()
	recs, err := csv.NewReader(strings.NewReader(f.sessionize(0, "export", table))).ReadAll()
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

// columns projects exported rows onto some columns, joined with "|" and
// sorted, so a case can state just what it is about.
func (f *fixture) columns(table string, cols ...string) []string {
	f.t.Helper()
	recs := f.export(table)
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, h := range recs[0] {
			if h == c {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			f.t.Fatalf("%s has no column %s (has %v)", table, c, recs[0])
		}
	}
	var out []string
	for _, r := range recs[1:] {
		vals := make([]string, len(idx))
		for i, j := range idx {
			vals[i] = r[j]
		}
		out = append(out, strings.Join(vals, "|"))
	}
	sort.Strings(out)
	return out
}

// runInfo is one row of the runs table, with the contacts that existed then.
type runInfo struct {
	mode                            string
	contactsAffected, contactsTotal int64
}

// runs reads the runs table, oldest first.
func (f *fixture) runs() []runInfo {
	f.t.Helper()
	db, err := f.connect()
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var rows []struct {
		Mode     string `db:"mode"`
		Affected int64  `db:"contacts_affected"`
	}
	if err := db.Select(&rows, "SELECT mode, contacts_affected FROM "+f.m.Output.Schema+"._sessionize_runs WHERE status = 'success' ORDER BY run_id"); err != nil {
		f.t.Fatal(err)
	}
	var total int64
	if err := db.Get(&total, "SELECT COUNT(DISTINCT contact_id) FROM "+f.m.Output.Schema+"._sessionize_events"); err != nil {
		f.t.Fatal(err)
	}
	out := make([]runInfo, len(rows))
	for i, r := range rows {
		out[i] = runInfo{r.Mode, r.Affected, total}
	}
	return out
}

// runRow is one row of the runs table as tests read it.
type runRow struct {
	mode, status, err string
}

// runRows reads every run, oldest first.
func (f *fixture) runRows() []runRow {
	f.t.Helper()
	db, err := f.connect()
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var rows []struct {
		Mode   string  `db:"mode"`
		Status string  `db:"status"`
		Err    *string `db:"error"`
	}
	if err := db.Select(&rows, "SELECT mode, status, error FROM "+f.m.Output.Schema+"._sessionize_runs ORDER BY run_id"); err != nil {
		f.t.Fatal(err)
	}
	out := make([]runRow, len(rows))
	for i, r := range rows {
		out[i] = runRow{mode: r.Mode, status: r.Status}
		if r.Err != nil {
			out[i].err = *r.Err
		}
	}
	return out
}
