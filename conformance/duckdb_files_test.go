package conformance

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// attachDuck opens the DuckDB file at path as a run does: in memory, with
// the file attached under the catalog name the rendered SQL uses, as every
// connection's default, so the test's own schema.table names resolve
// whatever the file is called.
func attachDuck(path string) (*sqlx.DB, error) {
	catalog := dialects.DuckDB{}.Catalog()
	c, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		for _, q := range []string{"ATTACH IF NOT EXISTS " + lit(path) + " AS " + catalog, "USE " + catalog} {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sqlx.NewDb(sql.OpenDB(c), "duckdb"), nil
}

// duckFile sets a case up on a DuckDB file called file, with its sources in
// the schema raw and its outputs in sessionize, and the model's target
// written as the documented example writes it: a path relative to the model,
// which lies beside the file.
func duckFile(t *testing.T, file, raw string) *fixture {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, file)
	e := duckEngine()
	e.open = func(t *testing.T) (string, string, string, func() (*sqlx.DB, error)) {
		return fmt.Sprintf("{dialect: duckdb, path: %q}", path), raw, "sessionize",
			func() (*sqlx.DB, error) { return attachDuck(path) }
	}
	f := setup(t, e, "")
	src, err := os.ReadFile(f.model)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(src), "\ntargets:\n")
	if !ok {
		t.Fatal("the test model has no targets")
	}
	f.model = filepath.Join(dir, "sessions.yaml")
	text := head + "\ntargets:\n  local: {dialect: duckdb, path: " + file + "}\n"
	if err := os.WriteFile(f.model, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if f.m, err = models.Load(f.model); err != nil {
		t.Fatal(err)
	}
	if f.target, err = f.m.Target(""); err != nil {
		t.Fatal(err)
	}
	if f.target.Path != path {
		t.Fatalf("the target is %s, want %s", f.target.Path, path)
	}
	return f
}

// twoBatches are the hand-built cases' events as two loads: the second
// after the first run's watermark, with load times of its own (semantics §5).
func twoBatches() (first, second []event) {
	for _, c := range handCases[:5] {
		first = append(first, c.events...)
	}
	for _, c := range handCases[5:] {
		for _, ev := range c.events {
			ev.id += "-2"
			ev.loaded = "2024-06-01 00:00:00"
			second = append(second, ev)
		}
	}
	return first, second
}

// TestDuckDBFileNamedAfterASchema: DuckDB names a database file's catalog
// after the file, so with sessionize.duckdb the documented example (output
// schema sessionize) made "sessionize"."sessions" ambiguous and every run
// failed. Every name is now qualified with the catalog the runner opens
// the file under: a file named after the output schema, a source schema,
// verify's scratch schema or DuckDB's own main and temp runs full and
// incremental runs, and status, export, verify and report read it.
func TestDuckDBFileNamedAfterASchema(t *testing.T) {
	cases := []struct{ file, raw string }{
		{"sessionize.duckdb", "raw"},         // the documented example, verbatim
		{"raw.duckdb", "raw"},                // a source schema
		{"sessionize__verify.duckdb", "raw"}, // verify's scratch schema
		{"main.duckdb", "main"},              // DuckDB's default schema, as a source schema too
		{"temp.duckdb", "raw"},               // DuckDB's catalog of temporary tables
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			f := duckFile(t, c.file, c.raw)
			first, second := twoBatches()
			f.load(first, handCases[4].ids)
			f.sessionize(0, "run")
			f.load(second, nil)
			f.sessionize(0, "run")
			incremental := outputs(f)
			if len(incremental["sessions"]) < 2 {
				t.Fatalf("no sessions: %v", incremental["sessions"])
			}

			st := f.status()
			if st.Schema != "sessionize" || len(st.Runs) != 2 || st.Runs[0].Mode != "incremental" {
				t.Errorf("status: schema %q, runs %+v; want sessionize and an incremental run after a full one", st.Schema, st.Runs)
			}
			if out, _ := f.verify(0); out != "" {
				t.Errorf("verify printed differences:\n%s", out)
			}
			report := filepath.Join(t.TempDir(), "report.html")
			f.sessionize(0, "report", "-o", report)
			if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), "<html") {
				t.Errorf("report: %v, %d bytes", err, len(b))
			}

			f.sessionize(0, "run", "--full-refresh")
			if got := outputs(f); !reflect.DeepEqual(got, incremental) {
				t.Error("the incremental outputs differ from a full refresh")
			}
		})
	}
}

// TestDuckDBRunsRenderedFiles runs the rendered DuckDB files as their
// header says a user runs them with the duckdb CLI: in one session that
// attached the database file under the catalog name they use, full and
// then incremental, and wants the outputs of `sessionize run`. The file is
// the documented example, sessionize.duckdb with output schema sessionize.
func TestDuckDBRunsRenderedFiles(t *testing.T) {
	f := duckFile(t, "sessionize.duckdb", "raw")
	catalog := dialects.DuckDB{}.Catalog()
	runFiles := func(mode string) {
		dir := t.TempDir()
		f.sessionize(0, "render", "--mode", mode, "-o", dir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
		if len(files) != 8 {
			t.Fatalf("rendered %d files, want 8", len(files))
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1) // one session: the work tables are TEMP tables
		script := []string{fmt.Sprintf("ATTACH %s AS %s; USE %[2]s;", lit(f.target.Path), catalog)}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			script = append(script, string(b))
		}
		for i, s := range script {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s run: script %d: %v", mode, i, err)
			}
		}
	}

	renderedFilesEqualRuns(t, f, "the rendered files'", runFiles)
}

// renderedFilesEqualRuns loads the hand-built cases in two batches, runs the
// rendered files of each mode with runFiles (by the engine's own client),
// and wants each result equal to sessionize's full refresh of the same data,
// and the runs table to say so.
func renderedFilesEqualRuns(t *testing.T, f *fixture, who string, runFiles func(mode string)) {
	t.Helper()
	first, second := twoBatches()
	f.load(first, handCases[4].ids)
	runFiles("full")
	byFiles := outputs(f)
	f.sessionize(0, "run", "--full-refresh")
	if got := outputs(f); !reflect.DeepEqual(byFiles, got) {
		t.Fatalf("%s full run differs from sessionize run --full-refresh", who)
	}

	f.load(second, nil)
	runFiles("incremental")
	byFiles = outputs(f)
	f.sessionize(0, "run", "--full-refresh")
	if got := outputs(f); !reflect.DeepEqual(byFiles, got) {
		t.Fatalf("%s incremental run differs from a full refresh", who)
	}
	var modes []string
	for _, r := range f.runRows() {
		modes = append(modes, r.mode+"/"+r.status)
	}
	want := []string{"full/success", "full/success", "incremental/success", "full/success"}
	if !reflect.DeepEqual(modes, want) {
		t.Errorf("runs: got %v, want %v", modes, want)
	}
}
