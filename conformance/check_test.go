package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sessionize/sessionize/cli"
)

// at is the FILE:LINE:COL of the first occurrence of what in the model
// file at path, as the loader counts it (columns in characters).
func at(t *testing.T, path, what string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), what)
	if i < 0 {
		t.Fatalf("%s does not contain %q", path, what)
	}
	before := string(data[:i])
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

// sessionizeIn runs the command line in-process and returns its exit code,
// stdout and stderr.
func sessionizeIn(args ...string) (int, string, string) {
	var out, errb strings.Builder
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestTargetCheck: `validate --target` and every run check the model
// against the target first. A missing table, a column a table lacks
// (mapped or by default) and a column whose type cannot hold what it maps
// are each reported at the model's position, all at once, with exit 2;
// the run writes nothing. On every engine.
func TestTargetCheck(t *testing.T) {
	types := map[string]struct{ bigint, boolean, bigintShown, booleanShown string }{
		"duckdb":     {"BIGINT", "BOOLEAN", "BIGINT", "BOOLEAN"},
		"postgres":   {"BIGINT", "BOOLEAN", "bigint", "boolean"},
		"clickhouse": {"Nullable(Int64)", "Nullable(Bool)", "Nullable(Int64)", "Nullable(Bool)"},
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "")
			// The tables as setup made them pass.
			if code, _, stderr := sessionizeIn("validate", "-f", f.model, "--target", "test"); code != 0 {
				t.Fatalf("validate --target test of good tables: exit %d, want 0\n%s", code, stderr)
			}
			ty := types[e.name]
			f.exec(
				"DROP TABLE "+f.raw+".app",
				fmt.Sprintf(`CREATE TABLE %s.app (id %s, "timestamp" %s, user_id %s, anonymous_id %s, received_at %s, event %s, url %s)`,
					f.raw, e.textType, e.tsType, e.textType, e.textType, ty.bigint, e.textType, e.textType)+e.tableSuffix,
				"DROP TABLE "+f.raw+".docs",
				fmt.Sprintf(`CREATE TABLE %s.docs (id %s, "timestamp" %s, user_id %s, anonymous_id %s, received_at %s, event %s, context_page_url %s)`,
					f.raw, e.textType, e.tsType, e.textType, e.textType, e.tsType, e.textType, e.textType)+e.tableSuffix,
				"DROP TABLE "+f.raw+".blog",
				"DROP TABLE "+f.raw+".identifies",
				fmt.Sprintf(`CREATE TABLE %s.identifies (id %s, user_id %s, anonymous_id %s, "timestamp" %s, received_at %s)`,
					f.raw, e.textType, ty.boolean, e.textType, e.tsType, e.tsType)+e.tableSuffix,
			)
			src, err := os.ReadFile(f.model)
			if err != nil {
				t.Fatal(err)
			}
			web := "      - table: " + f.raw + ".web\n"
			model := strings.Replace(string(src), web, web+"        columns: {url: page_url}\n", 1)
			if err := os.WriteFile(f.model, []byte(model), 0o644); err != nil {
				t.Fatal(err)
			}
			want := strings.Join([]string{
				at(t, f.model, "page_url") + `: table ` + f.raw + `.web has no column "page_url" (declare it with url: null, or map it: url: url)`,
				at(t, f.model, f.raw+".app") + `: table ` + f.raw + `.app column "received_at" is ` + ty.bigintShown + `, which cannot hold loaded_at (want a timestamp, date or text column)`,
				at(t, f.model, f.raw+".docs") + `: table ` + f.raw + `.docs has no column "url" (declare it with url: null, or map it: url: context_page_url)`,
				at(t, f.model, f.raw+".blog") + `: table ` + f.raw + `.blog does not exist on target test (create it, or name another table here)`,
				at(t, f.model, f.raw+".identifies") + `: table ` + f.raw + `.identifies column "user_id" is ` + ty.booleanShown + `, which cannot hold user_id (want a text or number column)`,
			}, "\n") + "\n"
			for _, args := range [][]string{{"validate", "--target", "test"}, {"run"}} {
				code, _, stderr := sessionizeIn(append(args, "-f", f.model)...)
				if code != 2 || stderr != want {
					t.Errorf("sessionize %s: exit %d, stderr:\n%s\nwant exit 2 and:\n%s", strings.Join(args, " "), code, stderr, want)
				}
			}
			// Without --target, validate checks the model alone, offline.
			if code, _, stderr := sessionizeIn("validate", "-f", f.model); code != 0 {
				t.Errorf("validate without --target: exit %d, want 0\n%s", code, stderr)
			}
			if n := f.outputTables(); n != 0 {
				t.Errorf("the refused run left %d tables in %s, want none: step 0 must not have run", n, f.m.Output.Schema)
			}
		})
	}
}

// outputTables counts the tables in the model's output schema.
func (f *fixture) outputTables() int {
	f.t.Helper()
	db, err := f.connect()
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	q := "SELECT count(*) FROM information_schema.tables WHERE table_schema = " + lit(f.m.Output.Schema)
	if f.e.name == "clickhouse" {
		q = "SELECT count() FROM system.tables WHERE database = " + lit(f.m.Output.Schema)
	}
	var n int
	if err := db.Get(&n, q); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestFileSourcesFromTheModelsFolder: a DuckDB file source that is a
// relative path is read from the model file's folder, not the working
// directory, by runs and by the target check; the rendered SQL keeps the
// path as written. Run from a folder with a decoy file of the same name.
func TestFileSourcesFromTheModelsFolder(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const header = "id,timestamp,user_id,anonymous_id,received_at,event,url\n"
	write(filepath.Join(dir, "data", "web.csv"), header+"w1,2024-01-01 00:00:00,,a1,2024-01-01 00:00:01,,https://x/pricing\n")
	write(filepath.Join(dir, "data", "app", "2024-01-01.jsonl"), `{"id": "p1", "timestamp": "2024-01-01 00:10:00", "user_id": "u1", "anonymous_id": "a1", "event": "signed_up"}`+"\n")
	write(filepath.Join(elsewhere, "data", "web.csv"), header+"decoy,2024-06-01 00:00:00,,z9,2024-06-01 00:00:01,,https://decoy\n")
	model := filepath.Join(dir, "sessions.yaml")
	write(model, `version: 1
name: files
sources:
  - name: web
    type: marketing
    tables:
      - table: data/web.csv
  - name: app
    type: product
    tables:
      - table: data/app/*.jsonl
        columns: {loaded_at: null, url: null}
targets:
  local: {dialect: duckdb, path: out.duckdb}
`)
	t.Chdir(elsewhere)
	if code, _, stderr := sessionizeIn("validate", "-f", model, "--target", "local"); code != 0 {
		t.Fatalf("validate --target local: exit %d, want 0\n%s", code, stderr)
	}
	if code, _, stderr := sessionizeIn("run", "-f", model); code != 0 {
		t.Fatalf("run: exit %d, want 0\n%s", code, stderr)
	}
	_, out, _ := sessionizeIn("export", "contact_sessions", "-f", model)
	if !strings.Contains(out, ",u1,1,2024-01-01 00:00:00,2024-01-01 00:10:00,") || strings.Contains(out, "z9") {
		t.Errorf("contact_sessions:\n%s\nwant u1's contact session of the model folder's files, no decoy", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.duckdb")); err != nil {
		t.Errorf("the database is not in the model's folder: %v", err)
	}
	_, sql, _ := sessionizeIn("render", "-f", model)
	if !strings.Contains(sql, "read_csv('data/web.csv'") || strings.Contains(sql, dir) {
		t.Errorf("rendered SQL reads %s, want the path as written (data/web.csv) and no machine's folder", between(sql, "read_csv(", ")"))
	}
}

// between is the text of s from the first from up to the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(to)]
}

// TestFileSourceChecks: the target check reads DuckDB's files as a run
// does: a CSV file lacking a column, a CSV timestamp DuckDB reads as a
// number and a glob that matches nothing are problems; a JSON file lacking
// a column reads it as NULL and is none.
func TestFileSourceChecks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("web.csv", "id,timestamp,anonymous_id,received_at,page_url\nw1,2024-01-01 00:00:00,a1,2024-01-01 00:00:01,https://x\n")
	write("help.csv", "id,timestamp,user_id,anonymous_id,url\nh1,1704067200,u1,,https://x/help\n")
	write("app.jsonl", `{"id": "p1", "timestamp": "2024-01-01 00:10:00", "anonymous_id": "a1"}`+"\n")
	model := filepath.Join(dir, "sessions.yaml")
	write("sessions.yaml", `version: 1
name: files
sources:
  - name: web
    type: marketing
    tables:
      - table: web.csv
        columns: {event: null}
  - name: help
    type: asset
    class: help
    tables:
      - table: help.csv
        columns: {loaded_at: null, event: null}
  - name: app
    type: product
    tables:
      - table: app.jsonl
      - table: "exports/*.parquet"
targets:
  local: {dialect: duckdb, path: out.duckdb}
`)
	abs, _ := filepath.Abs(dir)
	want := strings.Join([]string{
		at(t, model, "web.csv") + `: file web.csv has no column "user_id" (map it: user_id: <column>)`,
		at(t, model, "web.csv") + `: file web.csv has no column "url" (declare it with url: null, or map it: url: page_url)`,
		at(t, model, "help.csv") + `: file help.csv column "timestamp" is BIGINT, which cannot hold timestamp (want a timestamp, date or text column)`,
		at(t, model, `"exports/*.parquet"`) + `: no file matches exports/*.parquet (file sources are read from the model's folder, ` + abs + `)`,
	}, "\n") + "\n"
	t.Chdir(t.TempDir())
	code, _, stderr := sessionizeIn("validate", "-f", model, "--target", "local")
	if code != 2 || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and:\n%s", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.duckdb")); !os.IsNotExist(err) {
		t.Errorf("validate created the database (stat: %v), want no file", err)
	}
}
