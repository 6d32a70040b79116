package conformance

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// TestPsqlRunsRenderedFiles runs the rendered PostgreSQL files with psql, in
// order, as a reviewer or an orchestrator without our binary would, full and
// then incremental, and wants the same outputs as `sessionize run`.
func TestPsqlRunsRenderedFiles(t *testing.T) {
	var pg *engine
	for _, e := range engines(t) {
		if e.name == "postgres" {
			pg = &e
		}
	}
	if pg == nil {
		t.Skip("no PostgreSQL here (SESSIONIZE_TEST_PG_DSN unset)")
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed: .ci/run installs postgresql")
	}
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	f := setup(t, *pg, "America/New_York")
	runFiles := func(mode string) {
		dir := t.TempDir()
		f.sessionize(0, "render", "--mode", mode, "-o", dir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
		if len(files) != 8 {
			t.Fatalf("rendered %d files, want 8", len(files))
		}
		for _, file := range files {
			out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", file).CombinedOutput()
			if err != nil {
				t.Fatalf("psql -f %s: %v\n%s", filepath.Base(file), err, out)
			}
		}
	}

	// The second batch is loaded after the first run's watermark: its rows
	// carry a load time of their own (semantics §5).
	var first, second []event
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
	f.load(first, handCases[4].ids)
	runFiles("full")
	byPsql := outputs(f)
	f.sessionize(0, "run", "--full-refresh")
	if got := outputs(f); !reflect.DeepEqual(byPsql, got) {
		t.Fatal("psql's full run differs from sessionize run --full-refresh")
	}

	f.load(second, nil)
	runFiles("incremental")
	byPsql = outputs(f)
	f.sessionize(0, "run", "--full-refresh")
	if got := outputs(f); !reflect.DeepEqual(byPsql, got) {
		t.Fatal("psql's incremental run differs from a full refresh")
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
