package examples

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// demo writes the demo data and its model into a new folder, with the
// wrapper beside them as the cron entry expects, and returns the folder.
func demo(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "d")
	if out, err := exec.Command(bin, "demo", "--events", "2000", "--dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("sessionize demo: %v\n%s", err, out)
	}
	script, err := os.ReadFile("sessionize-scheduled.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sessionize-scheduled.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// edit replaces old with new in the file at path, which must contain it.
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCronEntry runs the command of cron/sessionize as cron would: /bin/sh,
// with the entry's variables, paths pointed at a demo folder.
func TestCronEntry(t *testing.T) {
	bin := sessionize(t)
	dir := demo(t, bin)
	logs := t.TempDir()
	b, err := os.ReadFile("cron/sessionize")
	if err != nil {
		t.Fatal(err)
	}
	local := strings.NewReplacer("/usr/local/bin/sessionize", bin, "/var/log/sessionize", logs, "/srv/sessionize", dir)
	env := os.Environ()
	var command string
	for _, line := range strings.Split(local.Replace(string(b)), "\n") {
		line = strings.TrimSpace(line)
		switch f := strings.Fields(line); {
		case line == "" || strings.HasPrefix(line, "#"):
		case len(f) == 1 && strings.Contains(line, "="):
			env = append(env, line)
		case len(f) > 6:
			if f[5] != "sessionize" {
				t.Errorf("the entry runs as %q, want the user sessionize", f[5])
			}
			command = strings.Join(f[6:], " ")
		default:
			t.Fatalf("cron/sessionize: unexpected line %q", line)
		}
	}
	if command == "" {
		t.Fatal("cron/sessionize has no entry")
	}
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("the cron entry: %v; it printed (cron would mail it):\n%s", err, out)
	}
	log, _ := os.ReadFile(filepath.Join(logs, "sessionize.log"))
	if !strings.Contains(string(log), "done (incremental)") {
		t.Errorf("sessionize.log lacks the run:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(logs, "last-run.json")); err != nil {
		t.Errorf("no report kept: %v", err)
	}
}

// TestScheduledScriptDuckDB runs the wrapper on the demo's DuckDB target
// through each outcome a schedule meets: done, locked, a changed model, an
// invalid model, differences found by verify, and a failure.
func TestScheduledScriptDuckDB(t *testing.T) {
	bin := sessionize(t)
	dir := demo(t, bin)
	env := []string{"SESSIONIZE=" + bin}

	o := wrapper(t, dir, env...)
	o.want(t, "after the demo", 0, []string{"done (incremental)"})
	if o.report["status"] != "success" {
		t.Errorf("kept report: status %v, want success", o.report["status"])
	}

	lock, err := os.OpenFile(filepath.Join(dir, "demo.duckdb.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	o = wrapper(t, dir, append(env, "SESSIONIZE_LOCK_RETRIES=1")...)
	lock.Close()
	o.want(t, "locked", 3, []string{"trying again in 0s (1 of 1)", "locked by another run", "still locked"})

	model := filepath.Join(dir, "sessions.yaml")
	edit(t, model, "lookback: 30d", "lookback: 45d")
	o = wrapper(t, dir, env...)
	o.want(t, "model changed", 4, []string{"exit 4", "lifecycle.lookback"}, "needs a person", "--full-refresh")
	edit(t, model, "lookback: 45d", "lookback: 30d")

	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("version: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o = wrapper(t, dir, append(env, "SESSIONIZE_MODEL=bad.yaml")...)
	o.want(t, "invalid model", 2, []string{"exit 2", "bad.yaml"}, "needs a person")

	// change runs q on the demo's database, which no run holds meanwhile.
	change := func(q string) {
		t.Helper()
		db, err := sql.Open("duckdb", filepath.Join(dir, "demo.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	o = wrapper(t, dir, append(env, "SESSIONIZE_VERIFY_SAMPLE=1000000")...)
	o.want(t, "verify", 0, []string{"done (incremental)", "equals its recomputation"})
	change("UPDATE sessionize.sessions SET event_count = event_count + 1 WHERE session_id = (SELECT min(session_id) FROM sessionize.sessions)")
	o = wrapper(t, dir, append(env, "SESSIONIZE_VERIFY_SAMPLE=1000000")...)
	o.want(t, "verify after an output was changed", 5, []string{"done (incremental)", "verify found differences", "event_count"}, "needs a person")

	change("DROP TABLE docs.pages")
	o = wrapper(t, dir, env...)
	// Runs check the target before they start: a missing table is the
	// model's to fix, exit 2 at its position.
	o.want(t, "a source table dropped", 2, []string{"invalid model or command line (exit 2)", "docs.pages"}, "needs a person")
}

// TestScheduledScriptPostgres copies the demo tables into schemas of its own
// on PostgreSQL and runs the wrapper there: a first (full) run, an
// incremental one, a verify, and a changed model.
func TestScheduledScriptPostgres(t *testing.T) {
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SESSIONIZE_TEST_PG_DSN is not set: .ci/run starts PostgreSQL and sets it")
		}
		t.Skip("SESSIONIZE_TEST_PG_DSN is not set, so PostgreSQL is not tested (run .ci/run to test it)")
	}
	bin := sessionize(t)
	dir := demo(t, bin)
	ctx := context.Background()

	// The demo model with every schema prefixed and a PostgreSQL target;
	// the DSN stays in the environment.
	demoModel, err := models.Load(filepath.Join(dir, "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	prefix := "sessionize_examples_" + hex.EncodeToString(rnd[:])
	src, err := os.ReadFile(filepath.Join(dir, "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(src), "\ntargets:\n")
	if !ok {
		t.Fatal("the demo model has no targets section")
	}
	yaml := head + "\ntargets:\n  pg: {dialect: postgres, dsn: \"${SESSIONIZE_TEST_PG_DSN}\"}\ndefault_target: pg\n"
	yaml = strings.Replace(yaml, "\n  schema: "+demoModel.Output.Schema, "\n  schema: "+prefix, 1)
	schemas := map[string]bool{prefix: true}
	var copies []run.TableCopy
	var tables []string
	for _, s := range demoModel.Sources {
		for _, st := range s.Tables {
			tables = append(tables, st.Table)
		}
	}
	for _, it := range demoModel.Identifies {
		tables = append(tables, it.Table)
	}
	for _, table := range tables {
		schema, _, _ := strings.Cut(table, ".")
		if !schemas[prefix+"_"+schema] {
			schemas[prefix+"_"+schema] = true
			yaml = strings.ReplaceAll(yaml, "table: "+schema+".", "table: "+prefix+"_"+schema+".")
		}
		copies = append(copies, run.TableCopy{From: table, To: prefix + "_" + table})
	}
	pgModel := filepath.Join(dir, "pg.yaml")
	if err := os.WriteFile(pgModel, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(pgModel)
	if err != nil {
		t.Fatal(err)
	}
	target, err := m.Target("pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		for s := range schemas {
			db.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+s+" CASCADE")
		}
	})
	duck, err := sql.Open("duckdb", filepath.Join(dir, "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.CopyTables(ctx, duck, target, copies, io.Discard)
	duck.Close()
	if err != nil {
		t.Fatal(err)
	}

	env := []string{"SESSIONIZE=" + bin, "SESSIONIZE_MODEL=pg.yaml"}
	wrapper(t, dir, env...).want(t, "first run", 0, []string{"done (full)"})
	env = append(env, "SESSIONIZE_VERIFY_SAMPLE=1000000")
	wrapper(t, dir, env...).want(t, "second run", 0, []string{"done (incremental)", "equals its recomputation"})
	edit(t, pgModel, "lookback: 30d", "lookback: 45d")
	wrapper(t, dir, env...).want(t, "model changed", 4, []string{"exit 4", "lifecycle.lookback"}, "needs a person", "--full-refresh")
}
